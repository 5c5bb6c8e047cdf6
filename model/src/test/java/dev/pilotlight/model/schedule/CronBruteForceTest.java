package dev.pilotlight.model.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link CronExpression#next} and {@code latestAtOrBefore} against the definition, computed the slow
 * way: every local minute of a window, each one its fields allow mapped to its instant by
 * {@link ZonedDateTime#ofLocal} (gaps shifted forward, overlaps at the earlier offset). Windows at
 * daylight-saving changes (New York's hour, Lord Howe's half hour) and at random (fixed seed).
 */
class CronBruteForceTest {
  static final String[] EXPRESSIONS = {"* * * * *", "*/7 * * * *", "30 2 * * *", "0,15,30,45 1-3 * * *", "5/20 */3 * * *", "0 0 13 * 5",
      "0 0 */2 * 5", "0 12 * * 1-5", "15 10 1,15 * *", "0 0 29 2 *", "30 1 * * 0,7", "0 */2 * * SUN-TUE", "cron(0/10 1-2 ? * * *)",
      "cron(45 1,2 L * ? *)", "cron(0 12 ? * 2-6 *)", "cron(*/5 0-3 1-7 * ? *)", "cron(0 0 1 JAN,APR,JUL,OCT ? *)",
      "cron(30 2 ? * SUN 2026-2030)", "cron(0 9 31 * ? *)", "cron(59 23 L 2 ? *)", "cron(0 0 ? * 1 2031)"};
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe");
  static final ZoneId[] ZONES = {ZoneOffset.UTC, NEW_YORK, ZoneId.of("Asia/Seoul"), LORD_HOWE, ZoneId.of("Asia/Kathmandu"),
      ZoneId.of("Europe/London")};
  static final Duration WINDOW = Duration.ofDays(40);

  record Window(ZoneId zone, Instant start) {}

  @Test
  void nextAndLatestAgreeWithAMinuteByMinuteScan() {
    Random random = new Random(16);
    List<Window> windows = new ArrayList<>(List.of(new Window(NEW_YORK, Instant.parse("2026-02-25T00:00:00Z")),
        new Window(NEW_YORK, Instant.parse("2026-10-20T00:00:00Z")), new Window(LORD_HOWE, Instant.parse("2026-03-25T00:00:00Z")),
        new Window(LORD_HOWE, Instant.parse("2026-09-25T00:00:00Z"))));
    for (int i = 0; i < 3; i++) {
      Instant start = Instant.parse("2020-01-01T00:00:00Z").plusSeconds(random.nextLong(20L * 365 * 86_400));
      windows.add(new Window(ZONES[random.nextInt(ZONES.length)], start));
    }
    int checked = 0;
    for (String text : EXPRESSIONS) {
      CronExpression expr = (CronExpression) ScheduleExpression.parse(text);
      for (Window w : windows) {
        TreeSet<Instant> due = scan(expr, w.zone(), w.start().minus(Duration.ofDays(2)), w.start().plus(WINDOW).plus(Duration.ofDays(2)));
        Instant end = w.start().plus(WINDOW);
        for (int i = 0; i < 60; i++) {
          Instant after = w.start().plusSeconds(random.nextLong(WINDOW.getSeconds()));
          if (i % 3 == 0) {
            after = after.truncatedTo(ChronoUnit.MINUTES); // on whole minutes too, often exactly on a due time
          }
          if (i % 5 == 0 && due.higher(after) != null) {
            after = due.higher(after); // exactly on a due time
          }
          Instant expected = due.higher(after);
          Instant actual = expr.next(after, w.zone(), null);
          String what = text + " in " + w.zone() + " after " + after;
          if (expected != null && expected.isBefore(end.plus(Duration.ofDays(1)))) {
            assertThat(actual).as(what).isEqualTo(expected);
          } else {
            assertThat(actual == null || !actual.isBefore(end.plus(Duration.ofDays(1)))).as(what + ": " + actual).isTrue();
          }
          Instant notBefore = after.minusSeconds(random.nextLong(Duration.ofDays(20).getSeconds()));
          if (notBefore.isBefore(w.start())) {
            notBefore = w.start();
          }
          Instant floor = due.floor(after);
          Instant latest = floor == null || floor.isBefore(notBefore) ? null : floor;
          assertThat(expr.latestAtOrBefore(after, w.zone(), null, notBefore)).as("latest " + what + " not before " + notBefore)
              .isEqualTo(latest);
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(EXPRESSIONS.length * windows.size() * 60);
  }

  @Test
  void nextAgreesWithTheScanFromEveryMinuteAroundDaylightSavingChanges() {
    // New York's hour forward and back; Lord Howe's half hour back and forward; London's hour forward; Samoa's day.
    Window[] changes = {new Window(NEW_YORK, Instant.parse("2026-03-08T07:00:00Z")), new Window(NEW_YORK, Instant.parse("2026-11-01T06:00:00Z")),
        new Window(LORD_HOWE, Instant.parse("2026-04-04T15:00:00Z")), new Window(LORD_HOWE, Instant.parse("2026-10-03T15:30:00Z")),
        new Window(ZoneId.of("Europe/London"), Instant.parse("2026-03-29T01:00:00Z")),
        new Window(ZoneId.of("Pacific/Apia"), Instant.parse("2011-12-30T10:00:00Z"))}; // Samoa skipped the whole of 2011-12-30
    for (Window change : changes) {
      assertThat(change.zone().getRules().nextTransition(change.start().minusSeconds(1)).getInstant()).as("a change at " + change)
          .isEqualTo(change.start());
    }
    for (String text : EXPRESSIONS) {
      CronExpression expr = (CronExpression) ScheduleExpression.parse(text);
      for (Window change : changes) {
        TreeSet<Instant> due = scan(expr, change.zone(), change.start().minus(Duration.ofDays(3)), change.start().plus(Duration.ofDays(40)));
        for (Instant after = change.start().minus(Duration.ofHours(3)); after.isBefore(change.start().plus(Duration.ofHours(3)));
            after = after.plusSeconds(30)) {
          Instant expected = due.higher(after);
          if (expected == null || expected.isAfter(change.start().plus(Duration.ofDays(35)))) {
            expected = null; // beyond the scan: only check that nothing sooner was skipped
            Instant actual = expr.next(after, change.zone(), null);
            assertThat(actual == null || actual.isAfter(change.start().plus(Duration.ofDays(35)))).as(text + " after " + after).isTrue();
          } else {
            assertThat(expr.next(after, change.zone(), null)).as(text + " in " + change.zone() + " after " + after).isEqualTo(expected);
          }
          Instant floor = due.floor(after);
          Instant notBefore = change.start().minus(Duration.ofDays(2));
          assertThat(expr.latestAtOrBefore(after, change.zone(), null, notBefore)).as("latest " + text + " at " + after)
              .isEqualTo(floor == null || floor.isBefore(notBefore) ? null : floor);
        }
      }
    }
  }

  /** Every due instant from local times between {@code from} and {@code to}, found minute by minute. */
  static TreeSet<Instant> scan(CronExpression expr, ZoneId zone, Instant from, Instant to) {
    TreeSet<Instant> due = new TreeSet<>();
    LocalDateTime end = LocalDateTime.ofInstant(to, zone);
    for (LocalDateTime t = LocalDateTime.ofInstant(from, zone).withSecond(0).withNano(0); t.isBefore(end); t = t.plusMinutes(1)) {
      if (expr.matches(t)) {
        due.add(ZonedDateTime.ofLocal(t, zone, null).toInstant());
      }
    }
    return due;
  }
}
