package example;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routes: {@code /?name=} greets, {@code /echo} describes the request as JSON, {@code /stream}
 * sends chunks over time, {@code /bytes?mb=} sends that many MiB, {@code /count} answers how many
 * bytes of body it read, {@code /progress} answers at once and reports each read of the body as it
 * comes, {@code /sleep} waits, {@code /status} answers any status, {@code /crash} kills the process. One log line per request goes to stdout.
 */
final class Routes implements HttpHandler {
  private static final int MAX_SLEEP_MS = 15 * 60 * 1000;

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    int status;
    try {
      status = route(exchange);
    } catch (IllegalArgumentException e) {
      status = send(exchange, 400, "text/plain", e.getMessage() + "\n");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = send(exchange, 503, "text/plain", "interrupted\n");
    } finally {
      exchange.close();
    }
    long micros = (System.nanoTime() - start) / 1000;
    System.out.println(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + status + " "
        + (micros / 1000) + "." + (micros % 1000 / 100) + "ms");
  }

  private static int route(HttpExchange exchange) throws IOException, InterruptedException {
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    switch (exchange.getRequestURI().getPath()) {
      case "/": {
        String name = query.getOrDefault("name", "");
        return send(exchange, 200, "text/plain; charset=utf-8", "Hello, " + (name.isBlank() ? "world" : name));
      }
      case "/echo":
        return send(exchange, 200, "application/json", echo(exchange));
      case "/stream":
        return stream(exchange, intParam(query, "chunks", 3, 0, 10_000), intParam(query, "delayMs", 100, 0, 60_000));
      case "/bytes":
        return bytes(exchange, intParam(query, "mb", 1, 0, 4096));
      case "/count": {
        long n = exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        return send(exchange, 200, "text/plain", n + "\n");
      }
      case "/progress":
        return progress(exchange);
      case "/sleep": {
        int ms = intParam(query, "ms", 1000, 0, MAX_SLEEP_MS);
        Thread.sleep(ms);
        return send(exchange, 200, "text/plain", "slept " + ms + " ms\n");
      }
      case "/status": {
        int code = intParam(query, "code", 200, 200, 599);
        return send(exchange, code, "text/plain", "status " + code + "\n");
      }
      case "/crash":
        System.err.println("hello-http: crashing on purpose (GET /crash)");
        System.err.flush();
        Runtime.getRuntime().halt(3);
        return 0; // not reached
      default:
        return send(exchange, 404, "text/plain", "not found: " + exchange.getRequestURI().getPath() + "\n");
    }
  }

  private static String echo(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
      headers.put(h.getKey().toLowerCase(Locale.ROOT), String.join(",", h.getValue()));
    }
    String rawQuery = exchange.getRequestURI().getRawQuery();
    StringBuilder json = new StringBuilder(256);
    json.append("{\"method\":").append(quote(exchange.getRequestMethod()))
        .append(",\"path\":").append(quote(exchange.getRequestURI().getPath()))
        .append(",\"query\":").append(quote(rawQuery == null ? "" : rawQuery))
        .append(",\"headers\":{");
    boolean first = true;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      json.append(first ? "" : ",").append(quote(h.getKey())).append(':').append(quote(h.getValue()));
      first = false;
    }
    return json.append("},\"body\":").append(quote(body)).append('}').toString();
  }

  /** {@code mb} MiB of zeros as fast as the reader takes them (a large download), in 64 KiB writes. */
  private static int bytes(HttpExchange exchange, int mb) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(200, mb == 0 ? -1 : (long) mb << 20);
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = exchange.getResponseBody()) {
      for (long left = (long) mb << 20; left > 0; left -= block.length) {
        out.write(block);
      }
    }
    return 200;
  }

  /**
   * Answers before reading the body, then a line {@code got N} after each read (N bytes so far) and
   * {@code total N} at its end: a client can see the app has the first bytes before it sends the rest.
   */
  private static int progress(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = exchange.getRequestBody().read(buf)) > 0; ) {
      total += n;
      out.write(("got " + total + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    out.write(("total " + total + "\n").getBytes(StandardCharsets.UTF_8));
    out.close();
    return 200;
  }

  /** Chunked transfer: each line is flushed on its own, {@code delayMs} apart. */
  private static int stream(HttpExchange exchange, int chunks, int delayMs) throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 1; i <= chunks; i++) {
      if (i > 1 && delayMs > 0) {
        Thread.sleep(delayMs);
      }
      out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    out.close();
    return 200;
  }

  private static int send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", contentType);
    boolean noBody = status == 204 || status == 304 || exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    return status;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new TreeMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.putIfAbsent(key, value);
    }
    return params;
  }

  private static int intParam(Map<String, String> query, String key, int defaultValue, int min, int max) {
    String value = query.get(key);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' (expected: an integer)");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(key + ": " + n + " (expected: " + min + ".." + max + ")");
    }
    return n;
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
