package dev.pilotlight.runner;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection, framed by hand over a plain {@link Socket}: {@code
 * java.net.http} would cost hundreds of milliseconds of class loading on every cold start.
 *
 * <p>Requests carry {@code Content-Length}; responses may use {@code Content-Length}, {@code
 * Transfer-Encoding: chunked} or, with {@code Connection: close}, end at end of stream. There is no
 * read timeout: {@code /invocation/next} blocks until an event arrives. Not thread-safe; each poll
 * loop owns one.
 *
 * <p>Reads go through a buffer of its own rather than a {@link java.io.BufferedInputStream}, whose
 * {@code read()} takes a lock per byte: a response head is read a byte at a time, and that lock was
 * a tenth of a warm runner's CPU (docs/performance.md).
 */
final class HttpConnection implements Closeable {
  private static final int MAX_LINE = 64 * 1024;

  /** A response; header names are lower-cased. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String host;
  private final int port;
  private final String hostHeader;
  private Socket socket;
  private InputStream in; // the socket's, unbuffered: buf holds what was read from it and not consumed
  private final byte[] buf = new byte[16 * 1024];
  private int pos;
  private int lim;
  private OutputStream out;
  private int exchangesOnSocket;
  /** The path of a GET written after the last request whose response is not read yet, or null. */
  private String pipelinedPath;

  HttpConnection(String host, int port) {
    this.host = host;
    this.port = port;
    this.hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Sends one request and reads its response. {@code headers} alternates names and values. A
   * reused connection that turns out closed by the server before any response byte arrives is
   * reopened and the request sent once more, as HTTP clients do for idle keep-alive connections.
   */
  Response exchange(String method, String path, byte[] body, String... headers) throws IOException {
    openIfClosed();
    boolean reused = exchangesOnSocket > 0;
    try {
      return attempt(method, path, body, headers);
    } catch (StaleConnectionException e) {
      close();
      if (!reused) {
        throw e;
      }
      openIfClosed();
      try {
        return attempt(method, path, body, headers);
      } catch (IOException retryFailure) {
        close();
        throw retryFailure;
      }
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  /**
   * Like {@link #exchange}, and in the same write a body-less {@code GET nextPath} (HTTP/1.1
   * pipelining): the server reads both at once, so it is woken once for the two. Returns the first
   * request's response; the GET's is read by {@link #awaitPipelined}, which must be called next.
   */
  Response exchangeThenGet(String method, String path, byte[] body, String nextPath, String... headers) throws IOException {
    pipelinedPath = nextPath;
    try {
      return exchange(method, path, body, headers);
    } catch (IOException e) {
      pipelinedPath = null;
      throw e;
    }
  }

  /**
   * The response to the GET sent by {@link #exchangeThenGet}. When the server closed the connection
   * before answering it (after the first response, or before any byte of this one), the GET is sent
   * again on a new connection, as it was never answered.
   */
  Response awaitPipelined() throws IOException {
    String path = pipelinedPath;
    if (path == null) {
      throw new IllegalStateException("no pipelined request to await");
    }
    pipelinedPath = null;
    if (socket == null) {
      return exchange("GET", path, null);
    }
    int first;
    try {
      first = peek();
    } catch (IOException e) {
      first = -1;
    }
    if (first < 0) {
      close();
      return exchange("GET", path, null);
    }
    try {
      return finish(readResponse("GET"));
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private Response attempt(String method, String path, byte[] body, String[] headers) throws IOException {
    exchangesOnSocket++;
    StringBuilder head = new StringBuilder(256);
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
        .append("\r\nUser-Agent: pilotlight-java-runner\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    int first;
    try {
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      if (pipelinedPath != null) {
        out.write(("GET " + pipelinedPath + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: pilotlight-java-runner\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
      first = peek();
    } catch (IOException e) {
      throw new StaleConnectionException(e);
    }
    if (first < 0) {
      throw new StaleConnectionException(new EOFException("connection closed before the response"));
    }
    return finish(readResponse(method));
  }

  private Response finish(Response response) {
    if ("close".equalsIgnoreCase(response.header("connection"))) {
      close();
    }
    return response;
  }

  private Response readResponse(String method) throws IOException {
    while (true) {
      String statusLine = readLine();
      // "HTTP/1.1 200 OK": the code sits between the first two spaces.
      int sp = statusLine.indexOf(' ');
      if (sp < 0 || statusLine.length() < sp + 4 || !statusLine.startsWith("HTTP/")) {
        throw new IOException("malformed HTTP status line: " + statusLine);
      }
      int status;
      try {
        status = Integer.parseInt(statusLine.substring(sp + 1, sp + 4));
      } catch (NumberFormatException e) {
        throw new IOException("malformed HTTP status line: " + statusLine);
      }
      Map<String, String> headers = new HashMap<>();
      for (String line = readLine(); !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
      }
      if (status >= 100 && status < 200) {
        continue; // 100 Continue and friends precede the real response
      }
      return new Response(status, headers, readBody(status, method, headers));
    }
  }

  private byte[] readBody(int status, String method, Map<String, String> headers) throws IOException {
    if (status == 204 || status == 304 || method.equals("HEAD")) {
      return new byte[0];
    }
    String encoding = headers.get("transfer-encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      return readChunked();
    }
    String length = headers.get("content-length");
    if (length != null) {
      int n;
      try {
        n = Integer.parseInt(length);
      } catch (NumberFormatException e) {
        throw new IOException("invalid Content-Length: " + length);
      }
      byte[] body = new byte[n];
      int got = readFully(body);
      if (got != n) {
        throw new EOFException("connection closed after " + got + " of " + n + " body bytes");
      }
      return body;
    }
    byte[] rest = in.readAllBytes(); // no framing: the body ends with the connection
    byte[] body = new byte[lim - pos + rest.length];
    System.arraycopy(buf, pos, body, 0, lim - pos);
    System.arraycopy(rest, 0, body, lim - pos, rest.length);
    pos = lim;
    close();
    return body;
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine();
      int semicolon = sizeLine.indexOf(';'); // chunk extensions are ignored
      String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
      int size;
      try {
        size = Integer.parseInt(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("invalid chunk size: " + sizeLine);
      }
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // trailers are ignored
        }
        return body.toByteArray();
      }
      byte[] chunk = new byte[size];
      if (readFully(chunk) != size) {
        throw new EOFException("connection closed inside a chunk");
      }
      body.write(chunk);
      if (!readLine().isEmpty()) {
        throw new IOException("missing CRLF after chunk");
      }
    }
  }

  /** The next byte without consuming it, or -1 at end of stream; blocks until one arrives. */
  private int peek() throws IOException {
    if (pos == lim && !fill()) {
      return -1;
    }
    return buf[pos] & 0xff;
  }

  private int read() throws IOException {
    if (pos == lim && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  /** Refills the empty buffer with what the socket has (at least a byte); false at end of stream. */
  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    pos = 0;
    lim = Math.max(n, 0);
    return n > 0;
  }

  /** Fills {@code into} from the buffer, then the socket; returns how many bytes it got (fewer only at end of stream). */
  private int readFully(byte[] into) throws IOException {
    int got = Math.min(lim - pos, into.length);
    System.arraycopy(buf, pos, into, 0, got);
    pos += got;
    if (got < into.length) {
      got += in.readNBytes(into, got, into.length - got);
    }
    return got;
  }

  /** Reads one CRLF- (or LF-) terminated line as Latin-1, dropping every CR in it. */
  private String readLine() throws IOException {
    // The common case: the whole line is in the buffer and its only CR ends it.
    for (int i = pos; i < lim; i++) {
      byte c = buf[i];
      if (c == '\n') {
        int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
        String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
        pos = i + 1;
        return line;
      }
      if (c == '\r' && i + 1 < lim && buf[i + 1] != '\n') {
        break; // a CR inside the line: the byte-wise way drops it
      }
    }
    StringBuilder line = new StringBuilder(64);
    int b = read();
    while (b != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed inside the HTTP response head");
      }
      if (b != '\r') {
        if (line.length() >= MAX_LINE) {
          throw new IOException("HTTP response line longer than " + MAX_LINE + " bytes");
        }
        line.append((char) b);
      }
      b = read();
    }
    return line.toString();
  }

  /** Opens the socket unless it is open. */
  void open() throws IOException {
    openIfClosed();
  }

  private void openIfClosed() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(host, port));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    in = s.getInputStream();
    pos = 0;
    lim = 0;
    out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
    exchangesOnSocket = 0;
  }

  @Override
  public void close() {
    Socket s = socket;
    socket = null;
    in = null;
    out = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  /** The failure happened before any response byte arrived, so the request may be retried. */
  private static final class StaleConnectionException extends IOException {
    StaleConnectionException(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
