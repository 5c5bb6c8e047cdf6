package dev.pilotlight.model.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing schedule expressions, and their due times on fixed instants. */
class ScheduleExpressionTest {
  static final ZoneId UTC = ZoneOffset.UTC;
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
  static final Instant ANCHOR = Instant.parse("2026-12-04T10:00:00Z");

  static Instant at(String utc) {
    return Instant.parse(utc);
  }

  /** The local time in {@code zone} as an instant (the earlier one in an overlap). */
  static Instant local(String local, ZoneId zone) {
    return ZonedDateTime.ofLocal(LocalDateTime.parse(local), zone, null).toInstant();
  }

  static Instant next(String expr, String afterUtc) {
    return ScheduleExpression.parse(expr).next(at(afterUtc), UTC, ANCHOR);
  }

  /** The next {@code n} due times after {@code after}, in UTC. */
  static List<Instant> dues(String expr, ZoneId zone, Instant after, int n) {
    ScheduleExpression e = ScheduleExpression.parse(expr);
    List<Instant> out = new ArrayList<>();
    Instant t = after;
    for (int i = 0; i < n; i++) {
      t = e.next(t, zone, ANCHOR);
      out.add(t);
    }
    return out;
  }

  static void rejects(String expr, String... messageParts) {
    assertThatThrownBy(() -> ScheduleExpression.parse(expr)).as(expr).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(messageParts);
  }

  // ---- rate ----

  @Test
  void rateReadsEveryUnitSingularOrPluralInAnyCaseWithSpaces() {
    assertThat(ScheduleExpression.parse("rate(5 minutes)")).isEqualTo(new RateExpression("rate(5 minutes)", Duration.ofMinutes(5)));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(1 minute)")).period()).isEqualTo(Duration.ofMinutes(1));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(1 minutes)")).period()).isEqualTo(Duration.ofMinutes(1));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(2 minute)")).period()).isEqualTo(Duration.ofMinutes(2));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(3 Hours)")).period()).isEqualTo(Duration.ofHours(3));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(1 hour)")).period()).isEqualTo(Duration.ofHours(1));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(7 DAYS)")).period()).isEqualTo(Duration.ofDays(7));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(1 day)")).period()).isEqualTo(Duration.ofDays(1));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(30 seconds)")).period()).isEqualTo(Duration.ofSeconds(30));
    assertThat(((RateExpression) ScheduleExpression.parse("rate(1 second)")).period()).isEqualTo(Duration.ofSeconds(1));
    ScheduleExpression spaced = ScheduleExpression.parse("  RATE ( 010\t Minutes )  ");
    assertThat(spaced.text()).isEqualTo("rate(10 minutes)");
    assertThat(spaced.toString()).isEqualTo("rate(10 minutes)");
    assertThat(ScheduleExpression.parse(spaced.text())).isEqualTo(spaced);
    assertThat(((RateExpression) ScheduleExpression.parse("rate(999999999 days)")).period()).isEqualTo(Duration.ofDays(999_999_999));
  }

  @Test
  void rateRejectsWhatItCannotRead() {
    rejects("rate(0 minutes)", "rate(0 minutes)", "out of range");
    rejects("rate(-1 hours)", "'-1'", "positive whole number");
    rejects("rate(1.5 hours)", "'1.5'", "positive whole number");
    rejects("rate(5)", "expected a value and a unit");
    rejects("rate()", "expected a value and a unit");
    rejects("rate(minutes)", "expected a value and a unit");
    rejects("rate(5 minutes 2)", "expected a value and a unit");
    rejects("rate(5 weeks)", "unknown unit 'weeks'");
    rejects("rate(5 mins)", "unknown unit 'mins'");
    rejects("rate(1000000000 days)", "out of range");
    rejects("rate(99999999999999999999999 seconds)", "out of range");
    rejects("rate(5 minutes", "missing the closing ')'");
    rejects("rate(five minutes)", "'five'");
  }

  @Test
  void rateIsDueAtWholePeriodsFromTheAnchorStrictlyAfter() {
    ScheduleExpression r = ScheduleExpression.parse("rate(5 minutes)");
    assertThat(r.next(ANCHOR, null, ANCHOR)).as("the anchor itself is not due").isEqualTo(ANCHOR.plusSeconds(300));
    assertThat(r.next(ANCHOR.minusSeconds(3600), null, ANCHOR)).as("before the anchor").isEqualTo(ANCHOR.plusSeconds(300));
    assertThat(r.next(ANCHOR.plusSeconds(1), null, ANCHOR)).isEqualTo(ANCHOR.plusSeconds(300));
    assertThat(r.next(ANCHOR.plusSeconds(299), null, ANCHOR)).isEqualTo(ANCHOR.plusSeconds(300));
    assertThat(r.next(ANCHOR.plusSeconds(300), null, ANCHOR)).as("exactly on a due time").isEqualTo(ANCHOR.plusSeconds(600));
    assertThat(r.next(ANCHOR.plusSeconds(300).minusNanos(1), null, ANCHOR)).isEqualTo(ANCHOR.plusSeconds(300));
    assertThat(r.next(ANCHOR.plusSeconds(300).plusNanos(1), null, ANCHOR)).isEqualTo(ANCHOR.plusSeconds(600));
    Instant anchorWithNanos = ANCHOR.plusMillis(250);
    assertThat(r.next(anchorWithNanos.plusSeconds(300), null, anchorWithNanos)).isEqualTo(anchorWithNanos.plusSeconds(600));
    assertThat(r.next(anchorWithNanos.plusSeconds(300).minusNanos(1), null, anchorWithNanos)).isEqualTo(anchorWithNanos.plusSeconds(300));
    // O(1): a thousand years later, the same arithmetic.
    Instant far = ANCHOR.plus(Duration.ofDays(365_000)).plusSeconds(7);
    Instant due = r.next(far, null, ANCHOR);
    assertThat(Duration.between(ANCHOR, due).getSeconds() % 300).isZero();
    assertThat(due).isAfter(far).isBeforeOrEqualTo(far.plusSeconds(300));
    assertThat(ScheduleExpression.parse("rate(999999999 days)").next(Instant.MAX.minusSeconds(10), null, ANCHOR)).as("past the end of time")
        .isNull();
    assertThat(ScheduleExpression.parse("rate(1 day)").next(ANCHOR, ZoneId.of("Asia/Seoul"), ANCHOR)).as("zone plays no part")
        .isEqualTo(ANCHOR.plus(Duration.ofDays(1)));
  }

  @Test
  void rateCatchUpIsTheLatestDueTimeInTheRange() {
    ScheduleExpression r = ScheduleExpression.parse("rate(1 hour)");
    Instant now = ANCHOR.plus(Duration.ofHours(5)).plusSeconds(90);
    assertThat(r.latestAtOrBefore(now, null, ANCHOR, ANCHOR)).isEqualTo(ANCHOR.plus(Duration.ofHours(5)));
    assertThat(r.latestAtOrBefore(ANCHOR.plus(Duration.ofHours(5)), null, ANCHOR, ANCHOR)).as("now inclusive")
        .isEqualTo(ANCHOR.plus(Duration.ofHours(5)));
    assertThat(r.latestAtOrBefore(now, null, ANCHOR, ANCHOR.plus(Duration.ofHours(5)))).as("notBefore inclusive")
        .isEqualTo(ANCHOR.plus(Duration.ofHours(5)));
    assertThat(r.latestAtOrBefore(now, null, ANCHOR, ANCHOR.plus(Duration.ofHours(5)).plusNanos(1))).isNull();
    assertThat(r.latestAtOrBefore(ANCHOR.plusSeconds(3599), null, ANCHOR, ANCHOR.minusSeconds(99_999))).as("none due yet").isNull();
    assertThat(r.latestAtOrBefore(ANCHOR, null, ANCHOR, ANCHOR.minusSeconds(99_999))).as("the anchor is not due").isNull();
    assertThat(r.latestAtOrBefore(ANCHOR.minusSeconds(10), null, ANCHOR, ANCHOR.minusSeconds(99_999))).isNull();
  }

  // ---- parsing: forms, normalisation, rejections ----

  @Test
  void cronFormsAreReadAndNormalised() {
    ScheduleExpression aws = ScheduleExpression.parse(" Cron (  0  12 ? *  mon-fri * ) ");
    assertThat(aws).isInstanceOf(CronExpression.class);
    assertThat(((CronExpression) aws).aws()).isTrue();
    assertThat(aws.text()).isEqualTo("cron(0 12 ? * mon-fri *)");
    assertThat(aws.toString()).isEqualTo(aws.text());
    assertThat(ScheduleExpression.parse(aws.text())).isEqualTo(aws).hasSameHashCodeAs(aws);
    ScheduleExpression unix = ScheduleExpression.parse("\t*/5  *   * * *\n");
    assertThat(((CronExpression) unix).aws()).isFalse();
    assertThat(unix.text()).isEqualTo("*/5 * * * *");
    assertThat(ScheduleExpression.parse("*/5 * * * *")).isEqualTo(unix);
  }

  @Test
  void expressionsThatAreNoneOfTheFormsAreRejected() {
    rejects(null, "empty");
    rejects("", "empty");
    rejects("   ", "empty");
    rejects("x".repeat(257), "257 characters", "at most 256");
    rejects("every 5 minutes", "not a schedule expression");
    rejects("* * * *", "not a schedule expression");
    rejects("* * * * * * *", "not a schedule expression");
    rejects("0 12 * * ? *", "6 fields", "cron(0 12 * * ? *)");
    rejects("cron(0 12 * * ?)", "expected 6 fields", "found 5");
    rejects("cron(0 12 * * ? * *)", "found 7");
    rejects("cron()", "found 0");
    rejects("cron(0 12 * * ? *", "missing the closing ')'");
    rejects("cron(0 12 * * ? *) daily", "missing the closing ')'");
  }

  @Test
  void awsCronNeedsExactlyOneQuestionMark() {
    rejects("cron(0 12 1 * * *)", "cron(0 12 1 * * *)", "exactly one of day-of-month and day-of-week must be '?'");
    rejects("cron(0 12 * * * *)", "exactly one");
    rejects("cron(0 12 ? * ? *)", "exactly one");
    rejects("cron(? 12 1 * ? *)", "minute", "'?' is allowed only");
    rejects("cron(0 12 1 * ? ?)", "year", "'?' is allowed only");
    rejects("cron(0 12 1,? * ? *)", "day-of-month", "'?' is allowed only");
  }

  @Test
  void quartzExtrasAreNotSupportedAndSaySo() {
    rejects("cron(0 12 ? * 2#3 *)", "cron(0 12 ? * 2#3 *): day-of-week: '2#3' is not supported (supported: *, ?, lists, ranges, steps, names)");
    rejects("cron(0 12 15W * ? *)", "day-of-month: '15W' is not supported (supported: *, ?, L, lists, ranges, steps)");
    rejects("cron(0 12 LW * ? *)", "day-of-month: 'LW' is not supported");
    rejects("cron(0 12 L-2 * ? *)", "day-of-month: 'L-2' is not supported");
    rejects("cron(0 12 ? * 6L *)", "day-of-week: '6L' is not supported");
    rejects("cron(0 12 ? * L *)", "day-of-week: 'L' is not supported");
    rejects("cron(0 12 ? * MON#1 *)", "day-of-week: 'MON#1' is not supported");
    rejects("0 12 L * *", "'0 12 L * *': day-of-month: 'L' is not supported (supported: *, lists, ranges, steps)");
    rejects("0 12 * * 5L", "day-of-week: '5L' is not supported");
    rejects("0 12 * * 1#2", "day-of-week: '1#2' is not supported");
    rejects("cron(L 12 1 * ? *)", "minute: 'L' is not supported");
  }

  @Test
  void badValuesNameTheFieldAndTheValue() {
    rejects("cron(60 12 1 * ? *)", "cron(60 12 1 * ? *): minute: '60': 60 is out of range (0-59)");
    rejects("cron(0 24 1 * ? *)", "hour: '24': 24 is out of range (0-23)");
    rejects("cron(0 12 0 * ? *)", "day-of-month: '0': 0 is out of range (1-31)");
    rejects("cron(0 12 32 * ? *)", "day-of-month: '32'");
    rejects("cron(0 12 1 13 ? *)", "month: '13': 13 is out of range (1-12 or JAN-DEC)");
    rejects("cron(0 12 1 0 ? *)", "month: '0'");
    rejects("cron(0 12 ? * 0 *)", "day-of-week: '0': 0 is out of range (1-7 where 1 = SUN, or SUN-SAT)");
    rejects("cron(0 12 ? * 8 *)", "day-of-week: '8'");
    rejects("cron(0 12 1 * ? 1969)", "year: '1969': 1969 is out of range (1970-2199)");
    rejects("cron(0 12 1 * ? 2200)", "year: '2200'");
    rejects("0 12 * * 8", "'0 12 * * 8': day-of-week: '8': 8 is out of range (0-7 where 0 and 7 = SUN, or SUN-SAT)");
    rejects("0 12 * 13 *", "month: '13'");
    rejects("cron(0 12 1 FOO ? *)", "month: 'FOO' is not a valid month (1-12 or JAN-DEC)");
    rejects("cron(0 12 1 MON ? *)", "month: 'MON' is not a valid month");
    rejects("cron(0 12 ? * JAN *)", "day-of-week: 'JAN' is not a valid day-of-week");
    rejects("cron(0 12 ? * MONDAY *)", "day-of-week: 'MONDAY' is not a valid day-of-week");
    rejects("0 noon * * *", "hour: 'noon' is not a valid hour (0-23)");
    rejects("cron(0 12 5-2 * ? *)", "day-of-month: '5-2' is a reversed range (a range goes from low to high, e.g. 2-5)");
    rejects("0 12 * * FRI-MON", "day-of-week: 'FRI-MON' is a reversed range");
    rejects("*/0 * * * *", "minute: '*/0' has a step of 0 (a step must be at least 1)");
    rejects("5/0 * * * *", "step of 0");
    rejects("*/x * * * *", "minute: '*/x' has a step 'x' that is not a whole number");
    rejects("*/ * * * *", "has a step '' that is not a whole number");
    rejects("*/-1 * * * *", "not a whole number");
    rejects("1,,2 * * * *", "minute: '1,,2' has an empty list item");
    rejects("1, * * * *", "empty list item");
    rejects("-5 * * * *", "minute: '-5' is not a valid minute");
    rejects("5- * * * *", "minute: '5-' is not a valid minute");
    rejects("1-2-3 * * * *", "minute: '1-2-3' is not a valid minute");
    rejects("** * * * *", "minute: '**' is not a valid minute");
    rejects("99999999999999999999 * * * *", "out of range");
    rejects("0 4294967296 * * *", "hour: '4294967296': 4294967296 is out of range");
    rejects("*/99999999999999999999 * * * *", "minute: '*/99999999999999999999': the step 99999999999999999999 is out of range (1-59)");
    rejects("*/60 * * * *", "the step 60 is out of range (1-59)");
    rejects("0 */24 * * *", "hour: '*/24': the step 24 is out of range (1-23)");
  }

  @Test
  void stepsRangesListsAndNamesAllowTheRightValues() {
    // each: expression, an instant to look after, the next few due times (UTC)
    assertThat(dues("*/15 * * * *", UTC, at("2026-01-01T10:07:00Z"), 4))
        .containsExactly(at("2026-01-01T10:15:00Z"), at("2026-01-01T10:30:00Z"), at("2026-01-01T10:45:00Z"), at("2026-01-01T11:00:00Z"));
    assertThat(dues("5/20 * * * *", UTC, at("2026-01-01T10:07:00Z"), 4)).as("from 5, every 20")
        .containsExactly(at("2026-01-01T10:25:00Z"), at("2026-01-01T10:45:00Z"), at("2026-01-01T11:05:00Z"), at("2026-01-01T11:25:00Z"));
    assertThat(dues("10-20/5 * * * *", UTC, at("2026-01-01T10:07:00Z"), 4))
        .containsExactly(at("2026-01-01T10:10:00Z"), at("2026-01-01T10:15:00Z"), at("2026-01-01T10:20:00Z"), at("2026-01-01T11:10:00Z"));
    assertThat(dues("0,30 9-10 * * *", UTC, at("2026-01-01T00:00:00Z"), 5)).containsExactly(at("2026-01-01T09:00:00Z"),
        at("2026-01-01T09:30:00Z"), at("2026-01-01T10:00:00Z"), at("2026-01-01T10:30:00Z"), at("2026-01-02T09:00:00Z"));
    assertThat(dues("*/59 * * * *", UTC, at("2026-01-01T10:07:00Z"), 2)).as("the largest step")
        .containsExactly(at("2026-01-01T10:59:00Z"), at("2026-01-01T11:00:00Z"));
    assertThat(dues("0 0 1 jan,Jul *", UTC, at("2026-03-01T00:00:00Z"), 3))
        .containsExactly(at("2026-07-01T00:00:00Z"), at("2027-01-01T00:00:00Z"), at("2027-07-01T00:00:00Z"));
    assertThat(dues("cron(0 0 1 MAR-MAY ? *)", UTC, at("2026-03-01T00:00:00Z"), 3))
        .containsExactly(at("2026-04-01T00:00:00Z"), at("2026-05-01T00:00:00Z"), at("2027-03-01T00:00:00Z"));
    assertThat(dues("cron(0 0 1 */4 ? *)", UTC, at("2026-01-01T00:00:00Z"), 3)).as("months 1, 5, 9")
        .containsExactly(at("2026-05-01T00:00:00Z"), at("2026-09-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
    assertThat(dues("cron(30 8 ? * Mon-Wed,FRI *)", UTC, at("2026-12-04T09:00:00Z"), 5)).as("2026-12-04 is a Friday")
        .containsExactly(at("2026-12-07T08:30:00Z"), at("2026-12-08T08:30:00Z"), at("2026-12-09T08:30:00Z"), at("2026-12-11T08:30:00Z"),
            at("2026-12-14T08:30:00Z"));
  }

  // ---- cron: due times ----

  @Test
  void nextIsStrictlyAfterAndCrossesDayMonthAndYearBoundaries() {
    assertThat(next("0 12 * * *", "2026-12-04T12:00:00Z")).as("exactly on a due time").isEqualTo(at("2026-12-05T12:00:00Z"));
    assertThat(next("0 12 * * *", "2026-12-04T11:59:59.999Z")).isEqualTo(at("2026-12-04T12:00:00Z"));
    assertThat(next("0 12 * * *", "2026-12-04T12:00:00.001Z")).isEqualTo(at("2026-12-05T12:00:00Z"));
    assertThat(next("* * * * *", "2026-12-04T12:00:30Z")).isEqualTo(at("2026-12-04T12:01:00Z"));
    assertThat(next("59 23 31 12 *", "2026-12-31T23:59:00Z")).isEqualTo(at("2027-12-31T23:59:00Z"));
    assertThat(next("0 0 * * *", "2026-12-31T23:59:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
    assertThat(next("0 0 31 * *", "2026-01-31T00:00:00Z")).as("skips months without a 31st").isEqualTo(at("2026-03-31T00:00:00Z"));
    assertThat(next("cron(15 10 ? * 6 2027)", "2026-12-04T00:00:00Z")).as("first Friday of 2027 (AWS 6 = FRI)")
        .isEqualTo(at("2027-01-01T10:15:00Z"));
    assertThat(next("cron(0 0 1 1 ? 2030-2032/2)", "2030-01-01T00:00:00Z")).isEqualTo(at("2032-01-01T00:00:00Z"));
    assertThat(next("cron(0 0 1 1 ? 2030-2032/2)", "2032-01-01T00:00:00Z")).as("its last year is past").isNull();
  }

  @Test
  void lastDayOfTheMonthFollowsTheCalendarIncludingLeapYears() {
    assertThat(dues("cron(0 18 L * ? *)", UTC, at("2027-12-15T00:00:00Z"), 4)).containsExactly(at("2027-12-31T18:00:00Z"),
        at("2028-01-31T18:00:00Z"), at("2028-02-29T18:00:00Z"), at("2028-03-31T18:00:00Z"));
    assertThat(dues("cron(0 18 L 2 ? *)", UTC, at("2026-03-01T00:00:00Z"), 3)).containsExactly(at("2027-02-28T18:00:00Z"),
        at("2028-02-29T18:00:00Z"), at("2029-02-28T18:00:00Z"));
    assertThat(dues("cron(0 0 1,15,L 4 ? *)", UTC, at("2026-01-01T00:00:00Z"), 3)).as("L in a list")
        .containsExactly(at("2026-04-01T00:00:00Z"), at("2026-04-15T00:00:00Z"), at("2026-04-30T00:00:00Z"));
    assertThat(dues("0 0 29 2 *", UTC, at("2026-01-01T00:00:00Z"), 2)).containsExactly(at("2028-02-29T00:00:00Z"), at("2032-02-29T00:00:00Z"));
    assertThat(next("0 0 29 2 *", "2096-03-01T00:00:00Z")).as("2100 is not a leap year").isEqualTo(at("2104-02-29T00:00:00Z"));
  }

  @Test
  void awsNumbersDaysFromSundayAndUnixFromSundayAsZeroOrSeven() {
    Instant friday = at("2026-12-04T13:00:00Z"); // a Friday, after noon
    assertThat(next("cron(0 12 ? * 1 *)", friday.toString())).as("AWS 1 = SUN").isEqualTo(at("2026-12-06T12:00:00Z"));
    assertThat(next("cron(0 12 ? * 2 *)", friday.toString())).as("AWS 2 = MON").isEqualTo(at("2026-12-07T12:00:00Z"));
    assertThat(next("cron(0 12 ? * 7 *)", friday.toString())).as("AWS 7 = SAT").isEqualTo(at("2026-12-05T12:00:00Z"));
    assertThat(next("cron(0 12 ? * SUN *)", friday.toString())).isEqualTo(at("2026-12-06T12:00:00Z"));
    assertThat(next("0 12 * * 0", friday.toString())).as("Unix 0 = SUN").isEqualTo(at("2026-12-06T12:00:00Z"));
    assertThat(next("0 12 * * 7", friday.toString())).as("Unix 7 = SUN").isEqualTo(at("2026-12-06T12:00:00Z"));
    assertThat(next("0 12 * * 1", friday.toString())).as("Unix 1 = MON").isEqualTo(at("2026-12-07T12:00:00Z"));
    assertThat(next("0 12 * * 6", friday.toString())).as("Unix 6 = SAT").isEqualTo(at("2026-12-05T12:00:00Z"));
    assertThat(next("0 12 * * sun", friday.toString())).isEqualTo(at("2026-12-06T12:00:00Z"));
    assertThat(dues("0 12 * * 5-7", UTC, friday, 4)).as("FRI to SUN")
        .containsExactly(at("2026-12-05T12:00:00Z"), at("2026-12-06T12:00:00Z"), at("2026-12-11T12:00:00Z"), at("2026-12-12T12:00:00Z"));
    assertThat(dues("cron(0 12 ? * 6-7 *)", UTC, friday, 3)).as("AWS FRI to SAT")
        .containsExactly(at("2026-12-05T12:00:00Z"), at("2026-12-11T12:00:00Z"), at("2026-12-12T12:00:00Z"));
    assertThat(dues("0 12 * * SUN-SAT", UTC, friday, 7)).hasSize(7).doesNotHaveDuplicates().last().isEqualTo(at("2026-12-11T12:00:00Z"));
  }

  @Test
  void unixDaysMatchEitherFieldWhenBothRestrictAwsUsesTheFieldThatIsNotAQuestionMark() {
    Instant start = at("2026-12-01T00:00:00Z"); // a Tuesday
    // Vixie: the 13th OR any Friday.
    assertThat(dues("0 0 13 * 5", UTC, start, 4)).containsExactly(at("2026-12-04T00:00:00Z"), at("2026-12-11T00:00:00Z"),
        at("2026-12-13T00:00:00Z"), at("2026-12-18T00:00:00Z"));
    // One field *: the other alone.
    assertThat(dues("0 0 13 * *", UTC, start, 2)).containsExactly(at("2026-12-13T00:00:00Z"), at("2027-01-13T00:00:00Z"));
    assertThat(dues("0 0 * * 5", UTC, start, 2)).containsExactly(at("2026-12-04T00:00:00Z"), at("2026-12-11T00:00:00Z"));
    assertThat(dues("0 0 ? * 5", UTC, start, 1)).as("? read as *").containsExactly(at("2026-12-04T00:00:00Z"));
    // As in cron, a field that begins with * does not count as restricting: both must hold.
    assertThat(dues("0 0 */2 * 5", UTC, start, 2)).as("odd days that are Fridays")
        .containsExactly(at("2026-12-11T00:00:00Z"), at("2026-12-25T00:00:00Z"));
    // AWS: the field that is not ?.
    assertThat(dues("cron(0 0 13 * ? *)", UTC, start, 1)).containsExactly(at("2026-12-13T00:00:00Z"));
    assertThat(dues("cron(0 0 ? * 6 *)", UTC, start, 1)).containsExactly(at("2026-12-04T00:00:00Z"));
    assertThat(dues("cron(0 0 * * ? *)", UTC, start, 2)).as("every day").containsExactly(at("2026-12-02T00:00:00Z"), at("2026-12-03T00:00:00Z"));
    assertThat(dues("cron(0 0 ? * * *)", UTC, start, 1)).as("every day").containsExactly(at("2026-12-02T00:00:00Z"));
  }

  @Test
  void expressionsThatNeverMatchGiveNullQuickly() {
    for (String never : new String[] {"cron(0 0 30 2 ? *)", "cron(0 0 31 4,6,9,11 ? *)", "0 0 30 2 *", "0 0 31 2,4 *",
        "cron(0 0 1 1 ? 2020)", "cron(0 0 29 2 ? 2027)", "cron(* * L * ? 1970-2025)"}) {
      for (ZoneId zone : new ZoneId[] {UTC, NEW_YORK}) {
        assertThat(ScheduleExpression.parse(never).next(at("2026-06-01T00:00:00Z"), zone, ANCHOR)).as(never).isNull();
        assertThat(ScheduleExpression.parse(never).latestAtOrBefore(at("2026-06-01T00:00:00Z"), zone, ANCHOR, at("2026-02-01T00:00:00Z")))
            .as(never).isNull();
      }
    }
    assertThat(next("cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00Z")).isNull();
    assertThat(next("cron(0 0 1 1 ? *)", "2198-06-01T00:00:00Z")).isEqualTo(at("2199-01-01T00:00:00Z"));
    assertThat(next("* * * * *", "9999-12-31T00:00:00Z")).as("past the year 9999").isNull();
    assertThat(next("* * * * *", Instant.MAX.toString())).isNull();
    assertThat(next("cron(0 0 1 1 ? *)", "1900-01-01T00:00:00Z")).isEqualTo(at("1970-01-01T00:00:00Z"));
  }

  @Test
  void cronIsReadInTheZoneSeoulHasNoDaylightSaving() {
    ScheduleExpression e = ScheduleExpression.parse("cron(0 9 ? * MON-FRI *)");
    assertThat(e.next(at("2026-12-04T00:00:00Z"), SEOUL, null)).as("09:00 KST is 00:00 UTC").isEqualTo(at("2026-12-07T00:00:00Z"));
    assertThat(e.next(at("2026-12-03T23:59:00Z"), SEOUL, null)).isEqualTo(at("2026-12-04T00:00:00Z"));
    assertThat(ScheduleExpression.parse("0 2 * * *").next(at("2026-03-07T18:00:00Z"), SEOUL, null)).isEqualTo(at("2026-03-07T17:00:00Z").plus(Duration.ofDays(1)));
    assertThat(dues("30 2 * * *", SEOUL, at("2026-03-06T00:00:00Z"), 3)).as("every day the same, no gap")
        .containsExactly(local("2026-03-07T02:30", SEOUL), local("2026-03-08T02:30", SEOUL), local("2026-03-09T02:30", SEOUL));
    assertThat(Duration.between(local("2026-03-08T02:30", SEOUL), local("2026-03-09T02:30", SEOUL))).isEqualTo(Duration.ofDays(1));
    assertThat(ScheduleExpression.parse("0 0 * * *").next(at("2026-12-04T00:00:00Z"), ZoneId.of("+05:30"), null))
        .isEqualTo(at("2026-12-04T18:30:00Z"));
  }

  @Test
  void aLocalTimeInASpringForwardGapIsDueOnceShiftedForward() {
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:00-02:59 never happens.
    assertThat(dues("30 2 * * *", NEW_YORK, at("2026-03-07T12:00:00Z"), 3)).containsExactly(at("2026-03-08T07:30:00Z"), // 02:30 EST → 03:30 EDT
        local("2026-03-09T02:30", NEW_YORK), local("2026-03-10T02:30", NEW_YORK));
    assertThat(at("2026-03-08T07:30:00Z").atZone(NEW_YORK).toLocalTime()).hasToString("03:30");
    // Every 20 minutes: 01:40 EST, then 02:00 and 02:20 and 02:40 (shifted to 03:00, 03:20, 03:40 EDT) coincide with
    // 03:00, 03:20, 03:40 EDT themselves, and each is due once.
    assertThat(dues("*/20 * * * *", NEW_YORK, local("2026-03-08T01:30", NEW_YORK), 5)).containsExactly(local("2026-03-08T01:40", NEW_YORK),
        local("2026-03-08T03:00", NEW_YORK), local("2026-03-08T03:20", NEW_YORK), local("2026-03-08T03:40", NEW_YORK),
        local("2026-03-08T04:00", NEW_YORK));
    // 02:45 daily shifts to 03:45.
    assertThat(dues("45 2 * * *", NEW_YORK, local("2026-03-08T01:00", NEW_YORK), 1))
        .containsExactly(local("2026-03-08T03:45", NEW_YORK));
    assertThat(dues("10,45 2-3 * * *", NEW_YORK, local("2026-03-08T01:00", NEW_YORK), 4)).as("02:10→03:10 and 03:10 coincide")
        .containsExactly(local("2026-03-08T03:10", NEW_YORK), local("2026-03-08T03:45", NEW_YORK), local("2026-03-09T02:10", NEW_YORK),
            local("2026-03-09T02:45", NEW_YORK));
    // Looking from inside the hour after the gap: 02:50 (→ 03:50) is still ahead at 03:20 EDT.
    assertThat(ScheduleExpression.parse("50 2 * * *").next(local("2026-03-08T03:20", NEW_YORK), NEW_YORK, null))
        .isEqualTo(local("2026-03-08T03:50", NEW_YORK));
    assertThat(ScheduleExpression.parse("50 2 * * *").next(local("2026-03-08T03:50", NEW_YORK), NEW_YORK, null))
        .isEqualTo(local("2026-03-09T02:50", NEW_YORK));
    assertThat(ScheduleExpression.parse("cron(30 2 8 3 ? 2026)").next(at("2026-01-01T00:00:00Z"), NEW_YORK, null))
        .isEqualTo(at("2026-03-08T07:30:00Z"));
  }

  @Test
  void aLocalTimeInAFallBackOverlapIsDueOnceAtItsFirstOccurrence() {
    // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:00-01:59 happens twice.
    Instant first = at("2026-11-01T05:30:00Z"); // 01:30 EDT
    Instant second = at("2026-11-01T06:30:00Z"); // 01:30 EST
    assertThat(first.atZone(NEW_YORK).toLocalTime()).isEqualTo(second.atZone(NEW_YORK).toLocalTime());
    assertThat(dues("30 1 * * *", NEW_YORK, at("2026-10-31T12:00:00Z"), 2)).containsExactly(first, local("2026-11-02T01:30", NEW_YORK));
    assertThat(ScheduleExpression.parse("30 1 * * *").next(first, NEW_YORK, null)).as("not again at 01:30 EST")
        .isEqualTo(local("2026-11-02T01:30", NEW_YORK));
    assertThat(ScheduleExpression.parse("30 1 * * *").next(second.minusSeconds(60), NEW_YORK, null)).isEqualTo(local("2026-11-02T01:30", NEW_YORK));
    // Every 30 minutes through the night: 01:00 and 01:30 once each, then 02:00 EST an hour and a half later.
    assertThat(dues("*/30 * * * *", NEW_YORK, at("2026-11-01T04:00:00Z"), 4)).containsExactly(at("2026-11-01T04:30:00Z"),
        at("2026-11-01T05:00:00Z"), at("2026-11-01T05:30:00Z"), at("2026-11-01T07:00:00Z"));
    assertThat(ScheduleExpression.parse("*/30 * * * *").next(at("2026-11-01T06:10:00Z"), NEW_YORK, null)).as("from inside the repeat")
        .isEqualTo(at("2026-11-01T07:00:00Z"));
  }

  @Test
  void cronCatchUpIsTheLatestDueTimeInTheRange() {
    ScheduleExpression hourly = ScheduleExpression.parse("cron(15 * * * ? *)");
    Instant now = at("2026-12-04T10:20:00Z");
    assertThat(hourly.latestAtOrBefore(now, UTC, null, at("2026-12-01T00:00:00Z"))).isEqualTo(at("2026-12-04T10:15:00Z"));
    assertThat(hourly.latestAtOrBefore(at("2026-12-04T10:15:00Z"), UTC, null, at("2026-12-01T00:00:00Z"))).as("now inclusive")
        .isEqualTo(at("2026-12-04T10:15:00Z"));
    assertThat(hourly.latestAtOrBefore(at("2026-12-04T10:14:59Z"), UTC, null, at("2026-12-01T00:00:00Z")))
        .isEqualTo(at("2026-12-04T09:15:00Z"));
    assertThat(hourly.latestAtOrBefore(now, UTC, null, at("2026-12-04T10:15:00Z"))).as("notBefore inclusive").isEqualTo(at("2026-12-04T10:15:00Z"));
    assertThat(hourly.latestAtOrBefore(now, UTC, null, at("2026-12-04T10:15:00.001Z"))).isNull();
    assertThat(hourly.latestAtOrBefore(now, UTC, null, now.plusSeconds(1))).as("an empty range").isNull();
    // Down for years: still bounded work.
    ScheduleExpression minutely = ScheduleExpression.parse("* * * * *");
    assertThat(minutely.latestAtOrBefore(at("2026-12-04T10:20:30Z"), UTC, null, at("1970-01-01T00:00:00Z"))).isEqualTo(at("2026-12-04T10:20:00Z"));
    ScheduleExpression yearly = ScheduleExpression.parse("cron(0 0 1 1 ? *)");
    assertThat(yearly.latestAtOrBefore(at("2026-12-04T10:20:30Z"), UTC, null, at("1970-01-01T00:00:00Z"))).isEqualTo(at("2026-01-01T00:00:00Z"));
    assertThat(ScheduleExpression.parse("0 9 1 * *").latestAtOrBefore(at("2026-12-04T10:20:30Z"), SEOUL, null, at("2000-01-01T00:00:00Z")))
        .isEqualTo(local("2026-12-01T09:00", SEOUL));
    // In the repeated hour: 01:30 fired at its first occurrence.
    assertThat(ScheduleExpression.parse("30 1 * * *").latestAtOrBefore(at("2026-11-01T06:45:00Z"), NEW_YORK, null, at("2026-10-01T00:00:00Z")))
        .isEqualTo(at("2026-11-01T05:30:00Z"));
  }

  @Test
  void zonesAreIanaNamesUtcOrOffsets() {
    assertThat(ScheduleExpression.zone("Asia/Seoul")).isEqualTo(SEOUL);
    assertThat(ScheduleExpression.zone(" America/New_York ")).isEqualTo(NEW_YORK);
    assertThat(ScheduleExpression.zone("UTC").getRules().getOffset(ANCHOR)).isEqualTo(ZoneOffset.UTC);
    assertThat(ScheduleExpression.zone("+09:00")).isEqualTo(ZoneOffset.ofHours(9));
    assertThat(ScheduleExpression.zone(null)).isEqualTo(ZoneOffset.UTC);
    assertThat(ScheduleExpression.zone("  ")).isEqualTo(ZoneOffset.UTC);
    for (String bad : new String[] {"Mars/Olympus", "KST", "+25:00", "Asia/Seoul/x", "asia seoul"}) {
      assertThatThrownBy(() -> ScheduleExpression.zone(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("unknown time zone '" + bad + "' (expected an IANA name such as Asia/Seoul, or UTC)");
    }
  }
}
