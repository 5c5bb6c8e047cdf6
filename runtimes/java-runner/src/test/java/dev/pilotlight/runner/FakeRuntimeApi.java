package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Lambda Runtime API on 127.0.0.1, port 0: {@code /next} hands out queued events (blocking
 * while there are none), posts are recorded and answered 202.
 */
final class FakeRuntimeApi implements AutoCloseable {
  record Event(String requestId, String body, boolean chunked) {}

  record Post(String path, Map<String, String> headers, String body) {}

  private static final Event STOP = new Event("", "", false);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<Post> posts = new LinkedBlockingQueue<>();

  FakeRuntimeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/2018-06-01/runtime/invocation/next", this::next);
    server.createContext("/2018-06-01/runtime/", this::post);
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  void enqueue(String requestId, String body) {
    events.add(new Event(requestId, body, false));
  }

  void enqueueChunked(String requestId, String body) {
    events.add(new Event(requestId, body, true));
  }

  /** The next post the runtime made; fails the test if none comes within ten seconds. */
  Post awaitPost() throws InterruptedException {
    Post post = posts.poll(10, TimeUnit.SECONDS);
    assertThat(post).as("a post from the runtime").isNotNull();
    return post;
  }

  private void next(HttpExchange exchange) throws IOException {
    Event event;
    try {
      event = events.take();
    } catch (InterruptedException e) {
      exchange.close();
      return;
    }
    if (event == STOP) {
      exchange.close();
      return;
    }
    byte[] body = event.body().getBytes(StandardCharsets.UTF_8);
    var headers = exchange.getResponseHeaders();
    headers.add("Lambda-Runtime-Aws-Request-Id", event.requestId());
    headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
    headers.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:probe");
    headers.add("Lambda-Runtime-Trace-Id", "Root=1-trace-" + event.requestId());
    headers.add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, event.chunked() ? 0 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (event.chunked() && body.length > 1) {
        out.write(body, 0, 1);
        out.flush();
        out.write(body, 1, body.length - 1);
      } else {
        out.write(body);
      }
    }
  }

  private void post(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
      headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().get(0));
    }
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    posts.add(new Post(exchange.getRequestURI().getPath(), headers, body));
    byte[] answer = "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(202, answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  /** Stops serving: every connection closes, so the runtime's loops see the API go away. */
  @Override
  public void close() {
    server.stop(0);
    for (int i = 0; i < 16; i++) {
      events.add(STOP);
    }
    executor.shutdownNow();
  }
}
