import io.nats.client.*;
public class A { public static void main(String[] a) throws Exception {
  for (String[] up : new String[][]{{"app","wrong"},{"app","right"}}) {
  Options o = new Options.Builder().server("nats://127.0.0.1:4391").userInfo(up[0], up[1]).connectionTimeout(java.time.Duration.ofSeconds(3)).noReconnect().errorListener(new ErrorListener(){}).build();
  try (Connection c = Nats.connect(o)) { System.out.println("connected " + c.getStatus()); c.jetStreamManagement().getStreamInfo("NOPE"); } catch (Exception e) { Throwable t=e; while (t.getCause()!=null) t=t.getCause(); System.out.println(e + " / root " + t); }
  }
}}
