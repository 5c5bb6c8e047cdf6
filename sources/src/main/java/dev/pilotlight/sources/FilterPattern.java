package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One filter of a mapping's {@code FilterCriteria}, in Lambda's (EventBridge's) pattern syntax: a JSON
 * object whose keys follow the message's structure and whose leaves are arrays of matchers, any of
 * which may match — a literal (string, number, boolean, null), or {@code {"prefix": s}}, {@code
 * {"suffix": s}}, {@code {"equals-ignore-case": s}}, {@code {"anything-but": value or [values]}},
 * {@code {"numeric": [">", 0, "<=", 5]}}, {@code {"exists": true|false}}. A message field that is an
 * array matches when one of its elements does. A RabbitMQ message is matched as {@code {"data": its
 * body, parsed when it is JSON, else a string, "basicProperties": {…}}}, as Lambda does for Amazon MQ.
 */
final class FilterPattern {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Lambda's limit of filters per mapping. */
  static final int MAX_FILTERS = 5;

  private final JsonNode pattern;

  private FilterPattern(JsonNode pattern) {
    this.pattern = pattern;
  }

  /**
   * @throws IllegalArgumentException naming what is wrong with the pattern
   */
  static FilterPattern parse(String text) {
    JsonNode p;
    try {
      p = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("filter: not JSON: " + text);
    }
    if (p == null || !p.isObject() || p.isEmpty()) {
      throw new IllegalArgumentException("filter: " + text + " (expected a JSON object such as {\"data\": {\"kind\": [\"order\"]}})");
    }
    check(p, "");
    return new FilterPattern(p);
  }

  private static void check(JsonNode p, String at) {
    for (Map.Entry<String, JsonNode> e : p.properties()) {
      String where = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        check(v, where);
      } else if (v.isArray() && !v.isEmpty()) {
        for (JsonNode m : v) {
          if (m.isObject()) {
            checkMatcher(m, where);
          } else if (m.isArray()) {
            throw new IllegalArgumentException("filter: " + where + ": a matcher may not be an array");
          }
        }
      } else {
        throw new IllegalArgumentException("filter: " + where + ": expected an array of values or matchers, or an object");
      }
    }
  }

  private static void checkMatcher(JsonNode m, String where) {
    if (m.size() != 1) {
      throw new IllegalArgumentException("filter: " + where + ": a matcher has exactly one key");
    }
    String kind = m.fieldNames().next();
    JsonNode arg = m.get(kind);
    switch (kind) {
      case "prefix", "suffix", "equals-ignore-case" -> {
        if (!arg.isTextual()) {
          throw new IllegalArgumentException("filter: " + where + ": " + kind + " takes a string");
        }
      }
      case "exists" -> {
        if (!arg.isBoolean()) {
          throw new IllegalArgumentException("filter: " + where + ": exists takes true or false");
        }
      }
      case "anything-but" -> {
        if (arg.isObject() || arg.isArray() && arg.isEmpty()) {
          throw new IllegalArgumentException("filter: " + where + ": anything-but takes a value or a list of values");
        }
      }
      case "numeric" -> {
        if (!arg.isArray() || arg.isEmpty() || arg.size() % 2 != 0 || arg.size() > 4) {
          throw new IllegalArgumentException("filter: " + where + ": numeric takes one or two comparisons, e.g. [\">\", 0, \"<=\", 5]");
        }
        for (int i = 0; i < arg.size(); i += 2) {
          if (!List.of("<", "<=", "=", ">=", ">").contains(arg.get(i).asText()) || !arg.get(i + 1).isNumber()) {
            throw new IllegalArgumentException("filter: " + where + ": numeric: '" + arg.get(i).asText() + "' then a number "
                + "(operators: < <= = >= >)");
          }
        }
      }
      default -> throw new IllegalArgumentException("filter: " + where + ": unknown matcher '" + kind
          + "' (known: prefix, suffix, equals-ignore-case, anything-but, numeric, exists)");
    }
  }

  /** Whether {@code message} matches this pattern. */
  boolean matches(JsonNode message) {
    return matchObject(pattern, message);
  }

  private static boolean matchObject(JsonNode pattern, JsonNode value) {
    for (Map.Entry<String, JsonNode> e : pattern.properties()) {
      JsonNode field = value == null || !value.isObject() ? null : value.get(e.getKey());
      JsonNode p = e.getValue();
      if (p.isObject()) {
        if (field == null || !matchObject(p, field)) {
          return false;
        }
      } else if (!matchLeaf(p, field)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchLeaf(JsonNode matchers, JsonNode field) {
    List<JsonNode> values = new ArrayList<>();
    if (field != null && field.isArray()) {
      field.forEach(values::add);
    } else if (field != null) {
      values.add(field);
    }
    for (JsonNode m : matchers) {
      if (m.isObject() && m.has("exists")) {
        if (m.get("exists").asBoolean() == (field != null && !field.isMissingNode())) {
          return true;
        }
        continue;
      }
      for (JsonNode v : values) {
        if (matchOne(m, v)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matchOne(JsonNode m, JsonNode v) {
    if (!m.isObject()) {
      return m.isNumber() && v.isNumber() ? m.asDouble() == v.asDouble() : m.equals(v);
    }
    String kind = m.fieldNames().next();
    JsonNode arg = m.get(kind);
    return switch (kind) {
      case "prefix" -> v.isTextual() && v.asText().startsWith(arg.asText());
      case "suffix" -> v.isTextual() && v.asText().endsWith(arg.asText());
      case "equals-ignore-case" -> v.isTextual() && v.asText().toLowerCase(Locale.ROOT).equals(arg.asText().toLowerCase(Locale.ROOT));
      case "anything-but" -> {
        if (arg.isArray()) {
          for (JsonNode a : arg) {
            if (matchOne(a, v)) {
              yield false;
            }
          }
          yield true;
        }
        yield !matchOne(arg, v);
      }
      case "numeric" -> {
        if (!v.isNumber()) {
          yield false;
        }
        double x = v.asDouble();
        boolean ok = true;
        for (int i = 0; i < arg.size(); i += 2) {
          double y = arg.get(i + 1).asDouble();
          ok &= switch (arg.get(i).asText()) {
            case "<" -> x < y;
            case "<=" -> x <= y;
            case "=" -> x == y;
            case ">=" -> x >= y;
            default -> x > y;
          };
        }
        yield ok;
      }
      default -> false;
    };
  }
}
