package dev.pilotlight.model.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.BitSet;
import java.util.Objects;

/**
 * A cron expression, due at each local minute (second 0) its fields allow, read in the schedule's zone.
 *
 * <p>Two forms:
 *
 * <ul>
 *   <li>AWS EventBridge's {@code cron(minute hour day-of-month month day-of-week year)}. Exactly one
 *       of day-of-month and day-of-week is {@code ?}, and the other alone chooses the days.
 *       Day-of-week is 1-7 with 1 = SUN (or SUN-SAT); month 1-12 or JAN-DEC; year 1970-2199.
 *       Day-of-month may be (or list) {@code L}, the last day of the month.
 *   <li>A plain Unix (Vixie) cron line {@code minute hour day-of-month month day-of-week}, no
 *       year. Day-of-week is 0-7 with 0 and 7 = SUN, 1 = MON (or SUN-SAT). As in Vixie cron and
 *       cronie, when day-of-month and day-of-week both restrict the days — neither begins with
 *       {@code *} — a day is due if <em>either</em> allows it; otherwise it must satisfy both (so
 *       {@code *}{@code /2} counts as unrestricted here, as in cron itself). {@code ?} is read as {@code *}.
 * </ul>
 *
 * <p>Every field takes {@code *}, lists {@code a,b}, ranges {@code a-b}, and steps {@code *}{@code /n},
 * {@code a/n} (from a to the field's end, every n) and {@code a-b/n}; month and day-of-week take
 * names (any case). Quartz's {@code W}, {@code #}, {@code nL} and anything else is rejected.
 *
 * <p>Daylight saving time: a local time that does not exist (skipped by a spring-forward gap) is due
 * once, at the instant {@link ZonedDateTime#ofLocal} maps it to: later by the length of the gap
 * (02:30 on a day New York skips 02:00-03:00 is due at 03:30 EDT). A local time that occurs twice
 * (a fall-back overlap) is due once, at its first occurrence (the earlier offset). Due times that
 * coincide count once.
 *
 * <p>Searches skip whole years, months, days and hours that cannot match, and stop at the end of
 * the year field (2199) for AWS expressions, or 10 years ahead for Unix ones (every Unix expression
 * that can ever match does so at least every 8 years), and past the year 9999; so {@link #next}
 * returns null, quickly, for expressions that never match, such as {@code cron(0 0 30 2 ? *)}.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class CronExpression implements ScheduleExpression {
  static final int FIRST_YEAR = 1970;
  static final int LAST_YEAR = 2199;
  private static final int UNIX_HORIZON_YEARS = 10;
  private static final Instant EARLIEST = Instant.parse("1969-12-30T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-30T00:00:00Z");

  /** How the day-of-month and day-of-week sets combine. */
  private enum DayRule {
    MONTH_ONLY, WEEK_ONLY, BOTH, EITHER
  }

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  /** 1-31, and {@link CronField#LAST} for {@code L}. */
  private final BitSet daysOfMonth;
  private final BitSet months;
  /** ISO numbering: 1 = Monday … 7 = Sunday. */
  private final BitSet daysOfWeek;
  /** Null for Unix expressions: any year. */
  private final BitSet years;
  private final DayRule dayRule;

  private CronExpression(String text, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek, BitSet years,
      DayRule dayRule) {
    this.text = text;
    this.minutes = minutes;
    this.hours = hours;
    this.daysOfMonth = daysOfMonth;
    this.months = months;
    this.daysOfWeek = daysOfWeek;
    this.years = years;
    this.dayRule = dayRule;
  }

  static CronExpression parseAws(String inner) {
    String[] f = inner.strip().split("\\s+");
    String text = "cron(" + String.join(" ", f) + ")";
    if (inner.isBlank() || f.length != 6) {
      throw new IllegalArgumentException(text + ": expected 6 fields (minute hour day-of-month month day-of-week year), found "
          + (inner.isBlank() ? 0 : f.length));
    }
    boolean domAny = f[2].equals("?");
    boolean dowAny = f[4].equals("?");
    if (domAny == dowAny) {
      throw new IllegalArgumentException(text + ": exactly one of day-of-month and day-of-week must be '?' (e.g. cron(0 12 1 * ? *)"
          + " for the 1st of each month, cron(0 12 ? * MON-FRI *) for weekdays)");
    }
    BitSet dom = domAny ? new BitSet() : CronField.AWS_DAY_OF_MONTH.parse(text, f[2]);
    BitSet dow = dowAny ? new BitSet() : isoDays(CronField.AWS_DAY_OF_WEEK.parse(text, f[4]), 1);
    return new CronExpression(text, CronField.MINUTE.parse(text, f[0]), CronField.HOUR.parse(text, f[1]), dom,
        CronField.MONTH.parse(text, f[3]), dow, CronField.YEAR.parse(text, f[5]), domAny ? DayRule.WEEK_ONLY : DayRule.MONTH_ONLY);
  }

  static CronExpression parseUnix(String[] f) {
    String text = String.join(" ", f);
    String shown = "'" + text + "'";
    boolean domStar = f[2].startsWith("*") || f[2].equals("?");
    boolean dowStar = f[4].startsWith("*") || f[4].equals("?");
    BitSet dom = CronField.UNIX_DAY_OF_MONTH.parse(shown, f[2].equals("?") ? "*" : f[2]);
    BitSet dow = isoDays(CronField.UNIX_DAY_OF_WEEK.parse(shown, f[4].equals("?") ? "*" : f[4]), 0);
    return new CronExpression(text, CronField.MINUTE.parse(shown, f[0]), CronField.HOUR.parse(shown, f[1]), dom,
        CronField.MONTH.parse(shown, f[3]), dow, null, domStar || dowStar ? DayRule.BOTH : DayRule.EITHER);
  }

  /** Days of the week numbered with SUN = {@code sunday} (and 7 = SUN for Unix), renumbered ISO (MON = 1 … SUN = 7). */
  private static BitSet isoDays(BitSet days, int sunday) {
    BitSet iso = new BitSet();
    for (int d = days.nextSetBit(0); d >= 0; d = days.nextSetBit(d + 1)) {
      iso.set(DayOfWeek.SUNDAY.plus(d - sunday).getValue()); // plus wraps: Unix 7 is SUN again
    }
    return iso;
  }

  @Override
  public String text() {
    return text;
  }

  /** Whether this is AWS's 6-field {@code cron(…)} form rather than a plain Unix line. */
  public boolean aws() {
    return years != null;
  }

  /** {@inheritDoc} {@code anchor} is ignored and may be null. */
  @Override
  public Instant next(Instant after, ZoneId zone, Instant anchor) {
    Objects.requireNonNull(zone, "zone");
    if (!after.isBefore(LATEST)) {
      return null;
    }
    if (after.isBefore(EARLIEST)) {
      after = EARLIEST;
    }
    ZoneRules rules = zone.getRules();
    LocalDateTime localAfter = LocalDateTime.ofInstant(after, zone);
    LocalDateTime cursor = minuteAfter(localAfter);
    // Just after a spring-forward gap, the gap's local times (due later by the gap's length) map to
    // instants after `after` though they read earlier than its local time: look from there.
    ZoneOffsetTransition previous = rules.previousTransition(after.plusSeconds(1));
    if (previous != null && previous.isGap() && after.isBefore(previous.getInstant().plus(previous.getDuration()))) {
      LocalDateTime inGap = minuteAfter(LocalDateTime.ofInstant(after, previous.getOffsetBefore()));
      if (inGap.isBefore(cursor)) {
        cursor = inGap;
      }
    }
    int lastYear = years != null ? years.length() - 1 : Math.min(cursor.getYear() + UNIX_HORIZON_YEARS, 10_000);
    Instant best = null;
    LocalDateTime bestLocal = null; // the local time `best` reads as (a gap's times read later than written)
    while (true) {
      LocalDateTime local = nextLocal(cursor, lastYear);
      if (local == null || (bestLocal != null && !local.isBefore(bestLocal))) {
        return best; // no later local time can be due sooner
      }
      ZonedDateTime due = ZonedDateTime.ofLocal(local, zone, null);
      Instant instant = due.toInstant();
      ZoneOffsetTransition transition = rules.getTransition(local); // non-null in a gap or overlap
      if (instant.isAfter(after)) {
        if (best == null || instant.isBefore(best)) {
          best = instant;
          bestLocal = due.toLocalDateTime();
        }
        // The rest of a gap is due later still: go on from its end.
        cursor = transition != null && transition.isGap() ? max(local.plusMinutes(1), transition.getDateTimeAfter()) : local.plusMinutes(1);
      } else if (transition != null && transition.isOverlap()) {
        cursor = max(local.plusMinutes(1), transition.getDateTimeBefore()); // its first occurrence is past: on to the overlap's end
      } else {
        cursor = max(local.plusMinutes(1), minuteAfter(localAfter)); // read before `after` (the look back into a gap)
      }
    }
  }

  /**
   * {@inheritDoc} {@code anchor} is ignored and may be null. A binary search over {@link #next}:
   * some 35 calls at most, however long the range.
   */
  @Override
  public Instant latestAtOrBefore(Instant now, ZoneId zone, Instant anchor, Instant notBefore) {
    if (notBefore.isAfter(now)) {
      return null;
    }
    if (notBefore.isBefore(EARLIEST)) {
      notBefore = EARLIEST;
    }
    Instant first = next(notBefore.minusNanos(1), zone, anchor);
    if (first == null || first.isAfter(now)) {
      return null;
    }
    Instant second = next(first, zone, anchor);
    if (second == null || second.isAfter(now)) {
      return first;
    }
    // Due times are whole seconds. Invariant: some due time lies in (lo, now], none in (hi, now].
    long lo = second.getEpochSecond() - 1;
    long hi = now.getEpochSecond();
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      Instant n = next(Instant.ofEpochSecond(mid), zone, anchor);
      if (n != null && !n.isAfter(now)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return next(Instant.ofEpochSecond(lo), zone, anchor);
  }

  /** Whether the fields allow this local minute (its seconds are ignored). */
  boolean matches(LocalDateTime t) {
    return (years == null || years.get(t.getYear())) && months.get(t.getMonthValue()) && dayMatches(t.toLocalDate())
        && hours.get(t.getHour()) && minutes.get(t.getMinute());
  }

  private boolean dayMatches(LocalDate date) {
    boolean dom = daysOfMonth.get(date.getDayOfMonth()) || (daysOfMonth.get(CronField.LAST) && date.getDayOfMonth() == date.lengthOfMonth());
    boolean dow = daysOfWeek.get(date.getDayOfWeek().getValue());
    return switch (dayRule) {
      case MONTH_ONLY -> dom;
      case WEEK_ONLY -> dow;
      case BOTH -> dom && dow;
      case EITHER -> dom || dow;
    };
  }

  /** The first local minute at or after {@code from} (a whole minute) that the fields allow, in a year up to {@code lastYear}; or null. */
  private LocalDateTime nextLocal(LocalDateTime from, int lastYear) {
    LocalDate date = from.toLocalDate();
    int hour = from.getHour();
    int minute = from.getMinute();
    while (date.getYear() <= lastYear) {
      int year = date.getYear();
      if (years != null && !years.get(year)) {
        int y = years.nextSetBit(year + 1);
        if (y < 0) {
          return null;
        }
        date = LocalDate.of(y, 1, 1);
        hour = minute = 0;
        continue;
      }
      if (!months.get(date.getMonthValue())) {
        int m = months.nextSetBit(date.getMonthValue() + 1);
        date = m < 0 ? LocalDate.of(year + 1, 1, 1) : LocalDate.of(year, m, 1);
        hour = minute = 0;
        continue;
      }
      if (dayMatches(date)) {
        int h = hours.nextSetBit(hour);
        if (h == hour) {
          int m = minutes.nextSetBit(minute);
          if (m >= 0) {
            return date.atTime(h, m);
          }
          h = hours.nextSetBit(hour + 1);
        }
        if (h >= 0) {
          return date.atTime(h, minutes.nextSetBit(0));
        }
      }
      date = date.plusDays(1);
      hour = minute = 0;
    }
    return null;
  }

  /** The first whole minute strictly after {@code t}. */
  private static LocalDateTime minuteAfter(LocalDateTime t) {
    return t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
  }

  private static LocalDateTime max(LocalDateTime a, LocalDateTime b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronExpression c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
