package dev.pilotlight.model;

import java.time.Duration;
import java.util.Locale;

/** Parses and prints the human durations used in manifests and flags: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or plain seconds. */
public final class Durations {
  private Durations() {}

  /** Parses {@code value}; {@code key} names the setting in the error message. */
  public static Duration parse(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new Failure.InvalidInput(key + ": empty (expected a duration such as 30s, 5m, 1h)");
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
      }
      char unit = v.charAt(v.length() - 1);
      if (Character.isDigit(unit)) {
        return Duration.ofSeconds(Long.parseLong(v));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1).trim());
      return switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new Failure.InvalidInput(key + ": '" + value + "' is not a duration (expected a number with ms, s, m, h or d, e.g. 30s)");
    }
  }

  /** Prints a duration in the largest unit that divides it exactly. */
  public static String format(Duration d) {
    if (Math.abs(d.getSeconds()) >= Long.MAX_VALUE / 1000) { // beyond a long of milliseconds (a user's typo, say): toMillis would throw
      long s = d.getSeconds();
      return s % 3600 == 0 ? s / 3600 + "h" : s + "s";
    }
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }
}
