package testfixtures;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** Handlers that implement no interface: found by method name and parameter shape. */
public class PlainMethods {
  public String greet(Map<String, Object> event) {
    return "hi " + event.get("name");
  }

  public String greet() {
    return "the overload without input must lose";
  }

  public String echoString(String text, Context context) {
    return text + " for " + context.getAwsRequestId();
  }

  public static int ping() {
    return 42;
  }

  public void copy(InputStream in, OutputStream out) throws IOException {
    in.transferTo(out);
  }

  public Point move(Point p) {
    return new Point(p.x() + 1, p.y() + 1, p.label());
  }

  public record Point(int x, int y, String label) {}
}
