package dev.pilotlight.runner;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

/**
 * Writes Java values as JSON: null, strings, numbers, booleans, maps, collections, arrays, records
 * (by component) and other objects through their public getters ({@code getX}/{@code isX}) and
 * public fields.
 *
 * <p>Null properties of records and POJOs are omitted. {@code byte[]} becomes a base64 string and {@code Date} epoch milliseconds, as Jackson does;
 * other value-like JDK types ({@code java.time}, {@code UUID}, {@code URI}…) their {@code
 * toString()}. Non-finite doubles, which JSON cannot express, become {@code null}.
 */
final class JsonWriter {
  /** Far beyond any real response; reaching it almost always means a cyclic object graph. */
  static final int MAX_DEPTH = 256;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StringBuilder out;

  private JsonWriter(StringBuilder out) {
    this.out = out;
  }

  static String write(Object value) {
    StringBuilder sb = new StringBuilder(128);
    new JsonWriter(sb).value(value, 0);
    return sb.toString();
  }

  static byte[] writeUtf8(Object value) {
    return write(value).getBytes(StandardCharsets.UTF_8);
  }

  /** Appends {@code s} as a JSON string literal, quotes included. */
  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < len
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            // A lone surrogate cannot be encoded as UTF-8; the escape keeps the value intact.
            unicodeEscape(sb, c);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u")
        .append(HEX[(c >> 12) & 0xF])
        .append(HEX[(c >> 8) & 0xF])
        .append(HEX[(c >> 4) & 0xF])
        .append(HEX[c & 0xF]);
  }

  private void value(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "JSON output nested deeper than " + MAX_DEPTH + " levels (cyclic object graph?)");
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      quote(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Number n) {
      number(n);
    } else if (value instanceof Map<?, ?> map) {
      map(map, depth);
    } else if (value instanceof Iterable<?> iterable) {
      out.append('[');
      boolean first = true;
      for (Object element : iterable) {
        if (!first) {
          out.append(',');
        }
        first = false;
        value(element, depth + 1);
      }
      out.append(']');
    } else if (value instanceof byte[] bytes) {
      quote(out, Base64.getEncoder().encodeToString(bytes));
    } else if (value.getClass().isArray()) {
      array(value, depth);
    } else if (value instanceof CharSequence || value instanceof Character || value instanceof Enum) {
      quote(out, value instanceof Enum<?> e ? e.name() : value.toString());
    } else if (value instanceof Optional<?> optional) {
      value(optional.orElse(null), depth);
    } else if (value instanceof Date date) {
      out.append(date.getTime());
    } else if (value instanceof Record) {
      record(value, depth);
    } else if (isValueLike(value.getClass())) {
      quote(out, value.toString());
    } else {
      bean(value, depth);
    }
  }

  private void number(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        out.append("null");
        return;
      }
    }
    out.append(n.toString());
  }

  private void map(Map<?, ?> map, int depth) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      Object key = entry.getKey();
      quote(out, key instanceof Enum<?> e ? e.name() : String.valueOf(key));
      out.append(':');
      value(entry.getValue(), depth + 1);
    }
    out.append('}');
  }

  private void array(Object array, int depth) {
    out.append('[');
    int len = Array.getLength(array);
    for (int i = 0; i < len; i++) {
      if (i > 0) {
        out.append(',');
      }
      value(Array.get(array, i), depth + 1);
    }
    out.append(']');
  }

  private void record(Object record, int depth) {
    out.append('{');
    boolean first = true;
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Object componentValue;
      try {
        Method accessor = component.getAccessor();
        accessor.trySetAccessible();
        componentValue = accessor.invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException(
            "cannot read record component " + component.getName() + " of " + record.getClass().getName(), e);
      }
      first = property(component.getName(), componentValue, first, depth);
    }
    out.append('}');
  }

  private void bean(Object bean, int depth) {
    out.append('{');
    boolean first = true;
    for (BeanProperties.Getter getter : BeanProperties.of(bean.getClass()).getters()) {
      first = property(getter.name(), getter.get(bean), first, depth);
    }
    out.append('}');
  }

  /**
   * One property of a record or POJO. Null properties are left out, as AWS's Java runtime
   * serializer does (Jackson's NON_NULL), so an unset {@code cookies} does not become {@code
   * null}; map entries keep their nulls. Returns whether the object is still empty.
   */
  private boolean property(String name, Object value, boolean first, int depth) {
    if (value == null) {
      return first;
    }
    if (!first) {
      out.append(',');
    }
    quote(out, name);
    out.append(':');
    value(value, depth + 1);
    return false;
  }

  /** JDK types whose JSON form is their string form rather than their getters. */
  private static boolean isValueLike(Class<?> type) {
    String name = type.getName();
    return name.startsWith("java.time.")
        || name.equals("java.util.UUID")
        || name.equals("java.net.URI")
        || name.equals("java.net.URL")
        || name.equals("java.io.File")
        || name.startsWith("sun.nio.fs.")
        || name.equals("java.util.Locale")
        || name.equals("java.util.Currency")
        || Class.class == type;
  }
}
