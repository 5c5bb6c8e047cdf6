package dev.pilotlight.model;

import java.util.random.RandomGenerator;

/**
 * The X-Ray trace header an invocation carries ({@code Lambda-Runtime-Trace-Id}, a function's
 * {@code _X_AMZN_TRACE_ID}), in X-Ray's format: {@code Root=1-<8 hex digits: epoch
 * seconds>-<24 hex digits>;Parent=<16 hex digits>;Sampled=0}.
 *
 * <p>A caller that sends an {@code X-Amzn-Trace-Id} with a well-formed {@code Root} keeps it, so the
 * function's calls join the caller's trace, as on Lambda; otherwise the root is new. The
 * {@code Parent} (the invocation's own segment) is new each time. Nothing is sampled: no X-Ray
 * daemon receives segments here, and {@code Sampled=0} keeps X-Ray's SDKs from trying to send any.
 * The random digits come from the generator given (a {@code ThreadLocalRandom} on the invoke
 * path, not a {@code SecureRandom}: trace ids are no secret), and the header is built in one
 * 74-character buffer.
 */
public final class TraceHeader {
  private TraceHeader() {}

  /** The length of a root id, {@code 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx}. */
  static final int ROOT_LENGTH = 35;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * The header for one invocation.
   *
   * @param callerHeader the caller's {@code X-Amzn-Trace-Id}, or null; its {@code Root} is kept when
   *     well-formed, anything else in it is ignored
   * @param epochSeconds now, for a new root's time part
   * @param random where the new digits come from
   */
  public static String forInvocation(String callerHeader, long epochSeconds, RandomGenerator random) {
    char[] out = new char[5 + ROOT_LENGTH + 8 + 16 + 10]; // Root= … ;Parent= … ;Sampled=0
    int at = put(out, 0, "Root=");
    int root = rootIndex(callerHeader);
    if (root >= 0) {
      callerHeader.getChars(root, root + ROOT_LENGTH, out, at);
      for (int i = at; i < at + ROOT_LENGTH; i++) {
        out[i] = Character.toLowerCase(out[i]);
      }
      at += ROOT_LENGTH;
    } else {
      at = newRootId(out, at, epochSeconds, random);
    }
    at = put(out, at, ";Parent=");
    at = hex(out, at, random.nextLong(), 16);
    at = put(out, at, ";Sampled=0");
    return new String(out, 0, at);
  }

  /**
   * The {@code Root=1-<8 hex>-<24 hex>} an invocation's header ({@link #forInvocation}) starts with:
   * what a caller's {@code X-Amzn-Trace-Id} says when it starts a trace, as AWS's front ends put it
   * in the events they make.
   */
  public static String rootOf(String invocationHeader) {
    return invocationHeader.substring(0, 5 + ROOT_LENGTH);
  }

  private static int newRootId(char[] out, int at, long epochSeconds, RandomGenerator random) {
    at = put(out, at, "1-");
    at = hex(out, at, epochSeconds & 0xFFFF_FFFFL, 8);
    out[at++] = '-';
    at = hex(out, at, random.nextInt() & 0xFFFF_FFFFL, 8);
    return hex(out, at, random.nextLong(), 16);
  }

  /**
   * Where a well-formed root id starts in {@code header} ({@code Root=1-<8 hex>-<24 hex>}, the key
   * matched without regard to case as X-Ray's SDKs do), or -1 when it has none.
   */
  static int rootIndex(String header) {
    if (header == null) {
      return -1;
    }
    int from = 0;
    while (from < header.length()) {
      int end = header.indexOf(';', from);
      if (end < 0) {
        end = header.length();
      }
      int start = from;
      while (start < end && header.charAt(start) == ' ') {
        start++;
      }
      if (end - start >= 5 + ROOT_LENGTH && header.regionMatches(true, start, "Root=", 0, 5)) {
        int id = start + 5;
        int idEnd = id + ROOT_LENGTH;
        while (idEnd < end && header.charAt(end - 1) == ' ') {
          end--;
        }
        return idEnd == end && wellFormedRoot(header, id) ? id : -1;
      }
      from = end + 1;
    }
    return -1;
  }

  /** {@code 1-<8 hex>-<24 hex>} at {@code at}. */
  private static boolean wellFormedRoot(String s, int at) {
    if (s.charAt(at) != '1' || s.charAt(at + 1) != '-' || s.charAt(at + 10) != '-') {
      return false;
    }
    for (int i = at + 2; i < at + ROOT_LENGTH; i++) {
      if (i != at + 10 && !isHex(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** ASCII hex only: {@link Character#digit} would take other scripts' digits too. */
  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  private static int put(char[] out, int at, String s) {
    s.getChars(0, s.length(), out, at);
    return at + s.length();
  }

  /** The low {@code digits} hex digits of {@code value}, most significant first. */
  private static int hex(char[] out, int at, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
    return at + digits;
  }
}
