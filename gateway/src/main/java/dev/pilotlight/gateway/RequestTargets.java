package dev.pilotlight.gateway;

import io.netty.handler.codec.http.HttpRequest;

/**
 * A request target as it came, made safe to pass on. Netty's decoders (HTTP/1.1's request line,
 * HTTP/2's {@code :path}) read each byte as one character (ISO-8859-1), and the encoders write
 * characters back as UTF-8: a raw non-ASCII byte in a target (which RFC 3986 does not allow, but
 * clients send, e.g. {@code ?q=é} typed into {@code curl}) would reach the app encoded twice. Such
 * bytes are percent-encoded instead, as browsers do before sending: the app and the function's
 * event get the same bytes, in the one form every URI parser reads.
 */
final class RequestTargets {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private RequestTargets() {}

  /** Rewrites {@code req}'s target if it holds raw non-ASCII bytes. */
  static void normalize(HttpRequest req) {
    String uri = req.uri();
    String safe = percentEncodeNonAscii(uri);
    if (safe != uri) {
      req.setUri(safe);
    }
  }

  /** {@code target} with every character from U+0080 on as %XX of its byte; the same instance when there is none. */
  static String percentEncodeNonAscii(String target) {
    int first = -1;
    for (int i = 0; i < target.length(); i++) {
      if (target.charAt(i) >= 0x80) {
        first = i;
        break;
      }
    }
    if (first < 0) {
      return target;
    }
    StringBuilder b = new StringBuilder(target.length() + 16).append(target, 0, first);
    for (int i = first; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x80) {
        b.append(c);
      } else if (c <= 0xFF) {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        // not from a byte-per-character decoder: encode the character's UTF-8 bytes
        for (byte x : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          b.append('%').append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
        }
      }
    }
    return b.toString();
  }
}
