package dev.pilotlight.model.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code rate(value unit)}: due every {@code period}, counted from the schedule's anchor (when it was
 * created), so at {@code anchor + k × period} for k = 1, 2, … — never drifting with when ticks
 * actually ran. The zone plays no part.
 *
 * <p>The value is a whole number from 1 to {@value #MAX_VALUE}; the unit is {@code minute},
 * {@code hour} or {@code day}, singular or plural whatever the value, in any case. As a Pilotlight
 * extension (EventBridge has no such unit) {@code second}/{@code seconds} is accepted too, for tests
 * and fine-grained schedules.
 *
 * @param text the normalised expression, e.g. {@code rate(5 minutes)}
 * @param period the time between due times: positive, whole seconds
 */
public record RateExpression(String text, Duration period) implements ScheduleExpression {
  /** The largest value accepted. */
  public static final long MAX_VALUE = 999_999_999;

  public RateExpression {
    Objects.requireNonNull(text, "text");
    if (period == null || !period.isPositive() || period.getNano() != 0) {
      throw new IllegalArgumentException("a rate's period must be a positive number of whole seconds: " + period);
    }
  }

  static RateExpression parseInner(String inner) {
    String[] tokens = inner.strip().split("\\s+");
    String shown = "rate(" + String.join(" ", tokens) + ")";
    if (inner.isBlank() || tokens.length != 2) {
      throw new IllegalArgumentException(shown + ": expected a value and a unit, e.g. rate(5 minutes)");
    }
    String value = tokens[0];
    if (!value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(shown + ": the value '" + value + "' must be a positive whole number");
    }
    String digits = value.replaceFirst("^0+(?=.)", "");
    long n = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
    if (n < 1 || n > MAX_VALUE) {
      throw new IllegalArgumentException(shown + ": the value " + value + " is out of range (1-" + MAX_VALUE + ")");
    }
    String unit = tokens[1].toLowerCase(Locale.ROOT);
    long seconds = switch (unit) {
      case "second", "seconds" -> 1;
      case "minute", "minutes" -> 60;
      case "hour", "hours" -> 3600;
      case "day", "days" -> 86_400;
      default -> throw new IllegalArgumentException(shown + ": unknown unit '" + tokens[1] + "' (expected minutes, hours, days or seconds)");
    };
    return new RateExpression("rate(" + n + " " + unit + ")", Duration.ofSeconds(n * seconds));
  }

  /** {@inheritDoc} O(1): computed, not counted. {@code anchor} is required; {@code zone} is ignored and may be null. */
  @Override
  public Instant next(Instant after, ZoneId zone, Instant anchor) {
    long p = period.getSeconds();
    long k = Math.max(1, Math.floorDiv(Duration.between(anchor, after).getSeconds(), p) + 1);
    return dueAt(anchor, k);
  }

  /** {@inheritDoc} O(1). {@code anchor} is required; {@code zone} is ignored and may be null. */
  @Override
  public Instant latestAtOrBefore(Instant now, ZoneId zone, Instant anchor, Instant notBefore) {
    long k = Math.floorDiv(Duration.between(anchor, now).getSeconds(), period.getSeconds());
    if (k < 1) {
      return null;
    }
    Instant due = dueAt(anchor, k);
    return due == null || due.isBefore(notBefore) ? null : due;
  }

  /** {@code anchor + k × period}, or null past the end of time. */
  private Instant dueAt(Instant anchor, long k) {
    try {
      return anchor.plusSeconds(Math.multiplyExact(k, period.getSeconds()));
    } catch (ArithmeticException | DateTimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
