package dev.pilotlight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 as bytes on a socket, for tests that write requests and read answers by hand. */
public final class WireText {
  private WireText() {}

  /** One chunk of a chunked body: {@code bytes} letters 'a' with its size line and CRLF. */
  public static String chunk(int bytes) {
    return Integer.toHexString(bytes) + "\r\n" + "a".repeat(bytes) + "\r\n";
  }

  /** Reads until {@code marker} has arrived, the connection ends or the socket times out; returns what came (US-ASCII). */
  public static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!got.toString(StandardCharsets.US_ASCII).contains(marker)) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      got.write(buf, 0, n);
    }
    return got.toString(StandardCharsets.US_ASCII);
  }
}
