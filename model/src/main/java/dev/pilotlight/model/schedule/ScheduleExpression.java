package dev.pilotlight.model.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * When a schedule falls due, written as one of:
 *
 * <ul>
 *   <li>{@code rate(5 minutes)}: EventBridge's rate form, due every period counted from the
 *       schedule's anchor (see {@link RateExpression});
 *   <li>{@code cron(0 12 ? * MON-FRI *)}: EventBridge's 6-field cron form, evaluated in a time zone
 *       (see {@link CronExpression});
 *   <li>{@code 0 12 * * 1-5}: a plain 5-field Unix cron line, evaluated in a time zone (see {@link CronExpression}).
 * </ul>
 *
 * <p>Parsing never accepts anything it cannot evaluate: every error is an {@link IllegalArgumentException}
 * whose message names the expression, the field and the value, fit to show a user.
 */
public sealed interface ScheduleExpression permits RateExpression, CronExpression {
  /** The longest expression accepted, in characters. */
  int MAX_LENGTH = 256;

  /** The expression, normalised (single spaces, {@code rate}/{@code cron} lower case); {@link #parse} reads it back as an equal expression. */
  String text();

  /**
   * The first due time strictly after {@code after}, or null if there is none (a cron expression
   * whose days never exist, or whose years are all past). Cron due times are local minutes in {@code zone};
   * across daylight-saving changes a local time skipped by a spring-forward gap is due once, later by
   * the gap's length (as {@link java.time.ZonedDateTime#ofLocal} maps it), and a local time that a
   * fall-back overlap repeats is due once, at its first occurrence.
   *
   * @param after the time to look after
   * @param zone the zone cron fields are read in (ignored by rate expressions)
   * @param anchor when the schedule was created: rate expressions fall due at {@code anchor + k × period}, k ≥ 1
   *     (ignored by cron expressions)
   */
  Instant next(Instant after, ZoneId zone, Instant anchor);

  /**
   * The latest due time in {@code [notBefore, now]}, or null if none falls in it: the one catch-up
   * tick to fire for the ticks missed while the daemon was down. Bounded work however long the range.
   *
   * @param now the end of the range, inclusive
   * @param zone as for {@link #next}
   * @param anchor as for {@link #next}
   * @param notBefore the start of the range, inclusive (e.g. the last tick fired, plus a nanosecond)
   */
  Instant latestAtOrBefore(Instant now, ZoneId zone, Instant anchor, Instant notBefore);

  /**
   * Reads {@code rate(value unit)}, {@code cron(m h dom mon dow year)} or a plain 5-field cron line.
   *
   * @throws IllegalArgumentException if the text is none of them, saying what is wrong
   */
  static ScheduleExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("schedule expression is empty (expected e.g. rate(5 minutes), cron(0 12 * * ? *) or 0 12 * * *)");
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("schedule expression is " + text.length() + " characters long (at most " + MAX_LENGTH + ")");
    }
    String t = text.strip();
    String lower = t.toLowerCase(Locale.ROOT);
    for (String wrapper : new String[] {"rate", "cron"}) {
      if (lower.startsWith(wrapper) && t.substring(wrapper.length()).stripLeading().startsWith("(")) {
        if (!t.endsWith(")")) {
          throw new IllegalArgumentException("'" + t + "': missing the closing ')', or text after it");
        }
        String inner = t.substring(t.indexOf('(') + 1, t.length() - 1);
        return wrapper.equals("rate") ? RateExpression.parseInner(inner) : CronExpression.parseAws(inner);
      }
    }
    String[] fields = t.split("\\s+");
    if (fields.length == 5) {
      return CronExpression.parseUnix(fields);
    }
    if (fields.length == 6) {
      throw new IllegalArgumentException("'" + t + "' has 6 fields: a plain cron line has 5 (minute hour day-of-month month day-of-week);"
          + " write AWS's 6-field form (with a year) as cron(" + String.join(" ", fields) + ")");
    }
    throw new IllegalArgumentException("'" + t + "' is not a schedule expression (expected rate(5 minutes), cron(0 12 * * ? *),"
        + " or a 5-field cron line such as */5 * * * *)");
  }

  /**
   * Reads a time zone: an IANA name ({@code Asia/Seoul}), {@code UTC}, or an offset ({@code +09:00}).
   * Null or blank is UTC.
   *
   * @throws IllegalArgumentException if the zone is unknown
   */
  static ZoneId zone(String tz) {
    if (tz == null || tz.isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(tz.strip());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone '" + tz + "' (expected an IANA name such as Asia/Seoul, or UTC)");
    }
  }
}
