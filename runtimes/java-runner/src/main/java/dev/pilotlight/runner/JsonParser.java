package dev.pilotlight.runner;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict RFC 8259 parser into plain Java values: {@code Map<String,Object>} (insertion order),
 * {@code List<Object>}, {@code String}, {@code Boolean}, {@code null} and numbers.
 *
 * <p>Numbers follow Jackson's defaults so that a function that echoes its event gets the same
 * values back: integers become {@code Integer}, {@code Long} or {@code BigInteger} (the smallest
 * that fits), anything with a fraction or exponent becomes {@code Double} ({@code BigDecimal} when
 * out of double range).
 */
final class JsonParser {
  /** Deep enough for any sane event, shallow enough to fail before the thread stack does. */
  static final int MAX_DEPTH = 512;

  private final String text;
  private int pos;

  private JsonParser(String text) {
    this.text = text;
  }

  /** Parses one JSON value; surrounding whitespace is allowed, anything else is an error. */
  static Object parse(String text) {
    JsonParser parser = new JsonParser(text);
    parser.skipWhitespace();
    Object value = parser.readValue(0);
    parser.skipWhitespace();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected data after the JSON value");
    }
    return value;
  }

  private Object readValue(int depth) {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return readObject(depth + 1);
      case '[':
        return readArray(depth + 1);
      case '"':
        return readString();
      case 't':
        expectWord("true");
        return Boolean.TRUE;
      case 'f':
        expectWord("false");
        return Boolean.FALSE;
      case 'n':
        expectWord("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Map<String, Object> readObject(int depth) {
    checkDepth(depth);
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a string as object key");
      }
      String key = readString();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      map.put(key, readValue(depth));
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}' in object");
      }
    }
  }

  private List<Object> readArray(int depth) {
    checkDepth(depth);
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipWhitespace();
      list.add(readValue(depth));
      skipWhitespace();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']' in array");
      }
    }
  }

  private String readString() {
    pos++; // opening quote
    int start = pos;
    // Fast path: no escapes, the value is a plain substring.
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"') {
        return text.substring(start, pos++);
      }
      if (c == '\\' || c < 0x20) {
        break;
      }
      pos++;
    }
    StringBuilder sb = new StringBuilder(pos - start + 16);
    sb.append(text, start, pos);
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("unescaped control character in string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> sb.append(readHex4());
        default -> {
          pos--;
          throw error("invalid escape '\\" + e + "'");
        }
      }
    }
  }

  /** One UTF-16 unit; surrogate pairs arrive as two escapes and are kept as such. */
  private char readHex4() {
    if (pos + 4 > text.length()) {
      throw error("truncated \\u escape");
    }
    int value = 0;
    for (int i = 0; i < 4; i++) {
      int digit = Character.digit(text.charAt(pos + i), 16);
      if (digit < 0) {
        throw error("invalid hex digit in \\u escape");
      }
      value = (value << 4) | digit;
    }
    pos += 4;
    return (char) value;
  }

  private Object readNumber() {
    int start = pos;
    boolean integral = true;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      skipDigits();
    } else {
      throw error("invalid number");
    }
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("expected a digit after '.'");
      }
      skipDigits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("expected a digit in exponent");
      }
      skipDigits();
    }
    String literal = text.substring(start, pos);
    if (integral) {
      int digits = literal.length() - (literal.charAt(0) == '-' ? 1 : 0);
      if (digits <= 9) {
        return Integer.valueOf(Integer.parseInt(literal));
      }
      if (digits <= 18) {
        long value = Long.parseLong(literal);
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
          return Integer.valueOf((int) value);
        }
        return Long.valueOf(value);
      }
      BigInteger big = new BigInteger(literal);
      return big.bitLength() < 64 ? (Object) Long.valueOf(big.longValue()) : big;
    }
    double value = Double.parseDouble(literal);
    return Double.isInfinite(value) ? new BigDecimal(literal) : Double.valueOf(value);
  }

  private void skipDigits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void expectWord(String word) {
    if (!text.startsWith(word, pos)) {
      throw error("invalid literal, expected '" + word + "'");
    }
    pos += word.length();
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  /** The current character, or NUL at the end (never valid where a real character is needed). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    return text.charAt(pos++);
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException("Invalid JSON at offset " + pos + ": " + message);
  }
}
