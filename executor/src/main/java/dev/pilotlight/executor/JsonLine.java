package dev.pilotlight.executor;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes one flat JSON object of strings, the line that hands a pool runner its function's
 * environment: the only JSON the executor writes, so it needs no JSON library.
 *
 * <p>Quotes, backslashes and every control character are escaped; other characters, non-ASCII
 * included, are written as they are in UTF-8, except a lone surrogate (which UTF-8 cannot encode),
 * written as a {@code \\u} escape so the value arrives unchanged.
 */
final class JsonLine {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonLine() {}

  /** {@code values} as a JSON object in UTF-8, without a line end. */
  static byte[] of(Map<String, String> values) {
    StringBuilder out = new StringBuilder(64 * values.size() + 2);
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      if (e.getKey() == null) {
        throw new IllegalArgumentException("a null name among " + values.size() + " values (expected: names)");
      }
      string(out, e.getKey());
      out.append(':');
      string(out, e.getValue());
    }
    return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void string(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            escape(out, c);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            escape(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void escape(StringBuilder out, char c) {
    out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
  }
}
