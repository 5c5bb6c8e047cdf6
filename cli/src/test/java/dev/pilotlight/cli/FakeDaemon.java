package dev.pilotlight.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for the daemon: an HTTP server on 127.0.0.1, port 0, answering canned replies per
 * {@code "METHOD /path"} and recording every request the CLI sent.
 */
final class FakeDaemon implements AutoCloseable {

  /** A request as the fake received it; {@code uri} includes the query string. */
  record Request(String method, String uri, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A canned answer. */
  record Reply(int status, Map<String, String> headers, String body) {
    static Reply json(int status, String body) {
      return new Reply(status, Map.of("Content-Type", "application/json"), body);
    }

    static Reply error(int status, String error, String message) {
      return json(status, "{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}");
    }
  }

  private final HttpServer server;
  private final Map<String, HttpHandler> raw = new ConcurrentHashMap<>();
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeDaemon() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code method path} (path without the query) with {@code reply}. */
  FakeDaemon on(String method, String path, Reply reply) {
    replies.put(method + " " + path, reply);
    return this;
  }

  /** Lets {@code handler} write the answer to {@code method path} itself, e.g. to stream it. */
  FakeDaemon onRaw(String method, String path, HttpHandler handler) {
    raw.put(method + " " + path, handler);
    return this;
  }

  List<Request> requests() {
    return requests;
  }

  Request only() {
    if (requests.size() != 1) {
      throw new AssertionError("expected one request, got " + requests);
    }
    return requests.getFirst();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
        Map.copyOf(exchange.getRequestHeaders()), body));
    HttpHandler handler = raw.get(key);
    if (handler != null) {
      handler.handle(exchange);
      return;
    }
    Reply reply = replies.getOrDefault(key, Reply.error(404, "NotFound", "no route " + key));
    reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
