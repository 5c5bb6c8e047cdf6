package dev.pilotlight.executor;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 client over a plain socket, for measuring (the benchmarks) and for the daemon's
 * own loopback calls (its start-up warm-up): no connection pool, no java.net.http start-up, nothing
 * between the clock and the wire. Bodies are read in full
 * (Content-Length, chunked, or until close) so a timing always covers the whole response.
 *
 * <p>One instance is one connection, reused for keep-alive requests; {@link #once} opens a
 * connection for a single {@code Connection: close} request.
 */
public final class RawHttp implements AutoCloseable {

  /** A whole response; header names are case-insensitive. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    /** The body as UTF-8 text. */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final String host;
  private final InputStream in;
  private final OutputStream out;
  private final String authorization;

  private RawHttp(Socket socket, InetSocketAddress address, String token) throws IOException {
    this.socket = socket;
    this.authorization = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
    // The numeric address, not "localhost": the gateway routes host names of the form NAME.localhost.
    String h = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    this.host = (h.contains(":") ? "[" + h + "]" : h) + ":" + address.getPort();
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.out = socket.getOutputStream();
  }

  /** Opens a connection; {@code timeout} bounds the connect and every read. */
  public static RawHttp connect(InetSocketAddress address, Duration timeout) throws IOException {
    return connect(address, timeout, null);
  }

  /** Opens a connection whose requests carry {@code token} as a bearer token (none when null). */
  public static RawHttp connect(InetSocketAddress address, Duration timeout, String token) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(address, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      return new RawHttp(socket, address, token);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** One request on a fresh connection that is closed afterwards. */
  public static Response once(InetSocketAddress address, String method, String target, Duration timeout) throws IOException {
    return once(address, method, target, timeout, null);
  }

  /** One request with a bearer token on a fresh connection that is closed afterwards. */
  public static Response once(InetSocketAddress address, String method, String target, Duration timeout, String token) throws IOException {
    try (RawHttp http = connect(address, timeout, token)) {
      return http.send(method, target, false);
    }
  }

  /** One request on this connection, which stays open for the next. */
  public Response send(String method, String target) throws IOException {
    return send(method, target, true);
  }

  /** One request with a JSON body on this connection, which stays open for the next. */
  public Response send(String method, String target, byte[] jsonBody) throws IOException {
    return send(method, target, true, jsonBody);
  }

  private Response send(String method, String target, boolean keepAlive) throws IOException {
    return send(method, target, keepAlive, null);
  }

  private Response send(String method, String target, boolean keepAlive, byte[] jsonBody) throws IOException {
    StringBuilder request = new StringBuilder(128)
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("User-Agent: pilotlight\r\n")
        .append(authorization);
    if (jsonBody != null) {
      request.append("Content-Type: application/json\r\nContent-Length: ").append(jsonBody.length).append("\r\n");
    } else if (!method.equals("GET") && !method.equals("HEAD")) {
      request.append("Content-Length: 0\r\n");
    }
    if (!keepAlive) {
      request.append("Connection: close\r\n");
    }
    byte[] head = request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    if (jsonBody == null) {
      out.write(head);
    } else {
      byte[] all = Arrays.copyOf(head, head.length + jsonBody.length);
      System.arraycopy(jsonBody, 0, all, head.length, jsonBody.length);
      out.write(all); // one write, so the request leaves in one segment
    }
    out.flush();
    return read(in, method.equals("HEAD"));
  }

  /** Parses one response from {@code in}, body included. */
  public static Response read(InputStream in, boolean headRequest) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new EOFException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: '" + statusLine + "'");
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        headers.merge(h.substring(0, colon).strip(), h.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
      }
    }
    byte[] body;
    if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
      body = new byte[0];
    } else if (headers.getOrDefault("Transfer-Encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
      body = chunked(in);
    } else if (headers.containsKey("Content-Length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
    } else {
      body = in.readAllBytes(); // delimited by the server closing the connection
    }
    return new Response(status, headers, body);
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      if (sizeLine == null) {
        throw new EOFException("connection closed inside a chunked body");
      }
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
      if (size == 0) {
        for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
          // trailers carry nothing the benchmark needs
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length < size) {
        throw new EOFException("connection closed inside a chunk");
      }
      body.write(chunk);
      line(in); // the CRLF after the chunk
    }
  }

  /** A CRLF- (or LF-) terminated line in ISO-8859-1 without its terminator; null at end of stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder(64);
    for (int b = in.read(); ; b = in.read()) {
      if (b == -1) {
        return s.isEmpty() ? null : s.toString();
      }
      if (b == '\n') {
        int last = s.length() - 1;
        return last >= 0 && s.charAt(last) == '\r' ? s.substring(0, last) : s.toString();
      }
      s.append((char) b);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
