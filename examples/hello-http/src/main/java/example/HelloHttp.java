package example;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny web app for Pilotlight's {@code http} runtime: the JDK's own HTTP server on
 * 127.0.0.1:$PORT (default 8080), with the routes of {@link Routes}.
 */
public final class HelloHttp {
  private HelloHttp() {}

  public static void main(String[] args) throws IOException {
    String port = System.getenv("PORT");
    HttpServer server = start(port == null || port.isBlank() ? 8080 : Integer.parseInt(port.trim()));
    System.out.println("hello-http listening on http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Starts serving on the loopback interface; port 0 picks a free port. */
  static HttpServer start(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    // One virtual thread per request, so /sleep and /stream do not hold up other requests, without
    // an OS thread each: a cached pool of platform threads grew past 1,000 threads under 100
    // keep-alive connections and hit the instance's limit of 1,024 processes and threads.
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", new Routes());
    server.start();
    return server;
  }
}
