package example;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket echo on 127.0.0.1:$PORT with the JDK alone (its HttpServer cannot switch protocols):
 * a request with {@code Upgrade: websocket} gets the RFC 6455 handshake and then every text or
 * binary message back as it came; a close is answered with a close. Any other request gets
 * {@code 200 ok} (readiness probes). One thread per connection; small on purpose: no extensions,
 * messages of at most 16 MiB.
 */
public final class WebSocketEcho {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_PAYLOAD = 16 << 20;

  private WebSocketEcho() {}

  public static void main(String[] args) throws IOException {
    String port = System.getenv("PORT");
    try (ServerSocket server = new ServerSocket(port == null || port.isBlank() ? 8080 : Integer.parseInt(port.trim()), 50,
        InetAddress.getLoopbackAddress())) {
      System.out.println("websocket-echo listening on ws://127.0.0.1:" + server.getLocalPort());
      while (true) {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> serve(s));
      }
    }
  }

  private static void serve(Socket socket) {
    try (socket) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        Map<String, String> headers = new HashMap<>();
        for (String h; !(h = line(in)).isEmpty(); ) {
          int colon = h.indexOf(':');
          headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        if ("websocket".equalsIgnoreCase(headers.get("upgrade")) && headers.containsKey("sec-websocket-key")) {
          out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
              + accept(headers.get("sec-websocket-key")) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          System.out.println("websocket opened: " + requestLine);
          echo(in, out);
          System.out.println("websocket closed");
          return;
        }
        long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
        in.skipNBytes(length);
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException e) {
      System.out.println("connection ended: " + e);
    }
  }

  /** Frames until a close (answered) or the end of the stream; each data frame goes back unmasked, as it came. */
  private static void echo(DataInputStream in, OutputStream out) throws IOException {
    while (true) {
      int b0 = in.read();
      if (b0 < 0) {
        return;
      }
      int b1 = in.readUnsignedByte();
      int opcode = b0 & 0x0F;
      long length = b1 & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      if (length > MAX_PAYLOAD) {
        throw new IOException("frame of " + length + " bytes (at most " + MAX_PAYLOAD + ")");
      }
      byte[] mask = new byte[4];
      if ((b1 & 0x80) != 0) {
        in.readFully(mask);
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
      switch (opcode) {
        case 0x8 -> { // close: answer with the same status, then end
          frame(out, 0x88, payload);
          return;
        }
        case 0x9 -> frame(out, 0x8A, payload); // ping: pong
        case 0xA -> { } // pong: nothing
        default -> frame(out, b0, payload); // text, binary, continuation: back as they came (FIN and opcode kept)
      }
    }
  }

  private static void frame(OutputStream out, int first, byte[] payload) throws IOException {
    out.write(first);
    if (payload.length < 126) {
      out.write(payload.length);
    } else if (payload.length < 65536) {
      out.write(126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    out.write(payload);
    out.flush();
  }

  static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  /** One CRLF-terminated line (without it), or null at the end of the stream before any byte. */
  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        if (sb.isEmpty()) {
          return null;
        }
        throw new EOFException("the connection ended inside a line");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
