package dev.pilotlight.model.schedule;

import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/** One field of a cron expression, read into the set of values it allows. */
enum CronField {
  MINUTE("minute", 0, 59, List.of(), "0-59", "*, lists, ranges, steps"),
  HOUR("hour", 0, 23, List.of(), "0-23", "*, lists, ranges, steps"),
  AWS_DAY_OF_MONTH("day-of-month", 1, 31, List.of(), "1-31", "*, ?, L, lists, ranges, steps"),
  UNIX_DAY_OF_MONTH("day-of-month", 1, 31, List.of(), "1-31", "*, lists, ranges, steps"),
  MONTH("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), "1-12 or JAN-DEC",
      "*, lists, ranges, steps, names"),
  /** AWS numbers the days 1 (SUN) to 7 (SAT). */
  AWS_DAY_OF_WEEK("day-of-week", 1, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), "1-7 where 1 = SUN, or SUN-SAT",
      "*, ?, lists, ranges, steps, names"),
  /** Unix numbers the days 0 (SUN) to 6 (SAT), and 7 is SUN again. */
  UNIX_DAY_OF_WEEK("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
      "0-7 where 0 and 7 = SUN, or SUN-SAT", "*, lists, ranges, steps, names"),
  YEAR("year", CronExpression.FIRST_YEAR, CronExpression.LAST_YEAR, List.of(), "1970-2199", "*, lists, ranges, steps");

  /** The bit that stands for {@code L} (the last day of the month) in a day-of-month set. */
  static final int LAST = 32;

  final String label;
  final int min;
  final int max;
  /** Names for min, min+1, …; empty if the field has none. */
  private final List<String> names;
  private final String range;
  private final String supported;

  CronField(String label, int min, int max, List<String> names, String range, String supported) {
    this.label = label;
    this.min = min;
    this.max = max;
    this.names = names;
    this.range = range;
    this.supported = supported;
  }

  /**
   * The values {@code value} allows, in this field's own numbering ({@link #LAST} for {@code L}).
   *
   * @param expr the whole expression, for messages
   */
  BitSet parse(String expr, String value) {
    BitSet bits = new BitSet();
    for (String item : value.split(",", -1)) {
      if (item.isEmpty()) {
        throw fail(expr, "'" + value + "' has an empty list item");
      }
      String upper = item.toUpperCase(Locale.ROOT);
      if (this == AWS_DAY_OF_MONTH && upper.equals("L")) {
        bits.set(LAST);
        continue;
      }
      if (upper.equals("?")) {
        throw fail(expr, "'?' is allowed only as the whole day-of-month or day-of-week field");
      }
      int slash = upper.indexOf('/');
      String span = slash < 0 ? upper : upper.substring(0, slash);
      int step = 1;
      if (slash >= 0) {
        String s = item.substring(slash + 1);
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
          throw unsupportedOr(expr, item, s, "'" + item + "' has a step '" + s + "' that is not a whole number");
        }
        long n = s.length() > 9 ? Long.MAX_VALUE : Long.parseLong(s);
        if (n < 1) {
          throw fail(expr, "'" + item + "' has a step of 0 (a step must be at least 1)");
        }
        if (n > max) {
          throw fail(expr, "'" + item + "': the step " + s + " is out of range (1-" + max + ")");
        }
        step = (int) n;
      }
      int lo;
      int hi;
      if (span.equals("*")) {
        lo = min;
        hi = max;
      } else {
        int dash = span.indexOf('-', 1);
        if (dash < 0) {
          lo = value(expr, item, span);
          hi = slash < 0 ? lo : max;
        } else {
          lo = value(expr, item, span.substring(0, dash));
          hi = value(expr, item, span.substring(dash + 1));
          if (lo > hi) {
            throw fail(expr, "'" + item + "' is a reversed range (a range goes from low to high, e.g. " + hi + "-" + lo + ")");
          }
        }
      }
      for (long v = lo; v <= hi; v += step) {
        bits.set((int) v);
      }
    }
    return bits;
  }

  private int value(String expr, String item, String token) {
    if (!token.isEmpty() && token.chars().allMatch(c -> c >= '0' && c <= '9')) {
      long v = token.length() > 9 ? Long.MAX_VALUE : Long.parseLong(token);
      if (v < min || v > max) {
        throw fail(expr, "'" + item + "': " + token + " is out of range (" + range + ")");
      }
      return (int) v;
    }
    int index = names.indexOf(token);
    if (index >= 0) {
      return min + index;
    }
    throw unsupportedOr(expr, item, token, "'" + item + "' is not a valid " + label + " (" + range + ")");
  }

  /** The error for a token that is not a number or name: "not supported" if it is Quartz's W, # or L. */
  private IllegalArgumentException unsupportedOr(String expr, String item, String token, String otherwise) {
    String t = token.toUpperCase(Locale.ROOT);
    if (t.contains("#") || t.contains("W") || t.contains("L")) {
      return fail(expr, "'" + item + "' is not supported (supported: " + supported + ")");
    }
    return fail(expr, otherwise);
  }

  IllegalArgumentException fail(String expr, String message) {
    return new IllegalArgumentException(expr + ": " + label + ": " + message);
  }
}
