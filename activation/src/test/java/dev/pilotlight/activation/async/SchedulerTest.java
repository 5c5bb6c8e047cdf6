package dev.pilotlight.activation.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.schedule.Schedule;
import dev.pilotlight.model.schedule.ScheduleExpression;
import dev.pilotlight.model.schedule.ScheduleSpec;
import dev.pilotlight.model.schedule.ScheduleStore;
import dev.pilotlight.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The scheduler's decisions and passes on a manual clock, against a store in memory. */
class SchedulerTest {
  static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z"); // a Monday
  static final ZoneId UTC = ZoneId.of("UTC");

  /** A {@link ScheduleStore} in memory with the same conditional fire as the SQLite one. */
  static final class MemoryStore implements ScheduleStore {
    final Map<String, Schedule> rows = new TreeMap<>();
    final List<String> queued = new ArrayList<>(); // function + " " + payload
    int reads; // of every schedule

    @Override
    public synchronized List<Schedule> schedules() {
      reads++;
      return List.copyOf(rows.values());
    }

    @Override
    public synchronized List<Schedule> schedules(String function) {
      return rows.values().stream().filter(s -> s.function().equals(function)).toList();
    }

    @Override
    public synchronized boolean add(Schedule s) {
      return rows.putIfAbsent(s.function() + "/" + s.id(), s) == null;
    }

    @Override
    public synchronized boolean remove(String function, String id) {
      return rows.remove(function + "/" + id) != null;
    }

    @Override
    public synchronized void replace(String function, List<Schedule> schedules) {
      rows.values().removeIf(s -> s.function().equals(function));
      schedules.forEach(this::add);
    }

    @Override
    public synchronized int removeAll(String function) {
      int before = rows.size();
      rows.values().removeIf(s -> s.function().equals(function));
      return before - rows.size();
    }

    @Override
    public synchronized boolean fire(String function, String id, Instant expectedNextDue, Instant nextDue, List<Tick> ticks, Instant now) {
      Schedule s = rows.get(function + "/" + id);
      if (s == null || !expectedNextDue.equals(s.nextDue())) {
        return false;
      }
      rows.put(function + "/" + id, s.withNextDue(nextDue));
      ticks.forEach(t -> queued.add(function + " " + new String(t.payload(), StandardCharsets.UTF_8)));
      return true;
    }
  }

  final ManualClock clock = new ManualClock(T0);
  final MemoryStore store = new MemoryStore();
  final AtomicInteger wakes = new AtomicInteger();
  final List<String> log = new ArrayList<>();
  final Scheduler scheduler = new Scheduler(store, wakes::incrementAndGet, (f, id, line) -> log.add(f + " " + line), clock);

  static Schedule schedule(String expression, Instant created, Instant nextDue, Schedule.Missed missed) {
    return new Schedule("f", "s", expression, "UTC", null, missed, created, nextDue);
  }

  static Scheduler.Decision decide(Schedule s, Instant now) {
    return Scheduler.decide(s, ScheduleExpression.parse(s.expression()), UTC, now);
  }

  @Test
  void aDueTimeFiresOnceAndTheNextIsThePeriodAfterIt() {
    Schedule s = schedule("rate(5 minutes)", T0, T0.plusSeconds(300), Schedule.Missed.ONCE);
    assertThat(decide(s, T0.plusSeconds(299)).fire()).isEmpty();
    Scheduler.Decision d = decide(s, T0.plusSeconds(301));
    assertThat(d.fire()).containsExactly(T0.plusSeconds(300));
    assertThat(d.nextDue()).isEqualTo(T0.plusSeconds(600));
    assertThat(d.missed()).isFalse();
  }

  @Test
  void dueTimesLessThanAMinuteLateAllFireInOrder() {
    Schedule s = schedule("rate(10 seconds)", T0, T0.plusSeconds(10), Schedule.Missed.SKIP);
    Scheduler.Decision d = decide(s, T0.plusSeconds(45));
    assertThat(d.fire()).containsExactly(T0.plusSeconds(10), T0.plusSeconds(20), T0.plusSeconds(30), T0.plusSeconds(40));
    assertThat(d.nextDue()).isEqualTo(T0.plusSeconds(50));
  }

  @Test
  void missedDueTimesSendOneEventUnderOnceAndNoneUnderSkip() {
    // hourly, the daemon down from 08:30 to 11:20: 09:00, 10:00 and 11:00 were missed
    Instant now = Instant.parse("2026-03-02T11:20:00Z");
    Schedule once = schedule("cron(0 * * * ? *)", T0, Instant.parse("2026-03-02T09:00:00Z"), Schedule.Missed.ONCE);
    Scheduler.Decision d = decide(once, now);
    assertThat(d.fire()).containsExactly(Instant.parse("2026-03-02T11:00:00Z"));
    assertThat(d.nextDue()).isEqualTo(Instant.parse("2026-03-02T12:00:00Z"));
    assertThat(d.missed()).isTrue();

    Scheduler.Decision skip = decide(schedule("cron(0 * * * ? *)", T0, Instant.parse("2026-03-02T09:00:00Z"), Schedule.Missed.SKIP), now);
    assertThat(skip.fire()).isEmpty();
    assertThat(skip.nextDue()).isEqualTo(Instant.parse("2026-03-02T12:00:00Z"));
  }

  @Test
  void underSkipTheLatestDueTimeStillFiresWhenItIsNotItselfMissed() {
    // every 30 s, seen at 08:05:10: 08:00:30 … 08:04:00 were missed; 08:05:00 is 10 s late, not missed
    Schedule s = schedule("rate(30 seconds)", T0, T0.plusSeconds(30), Schedule.Missed.SKIP);
    Scheduler.Decision d = decide(s, T0.plusSeconds(310));
    assertThat(d.fire()).containsExactly(T0.plusSeconds(300));
    assertThat(d.nextDue()).isEqualTo(T0.plusSeconds(330));
  }

  @Test
  void aPassQueuesEachDueTimeOnceAndWakesTheDispatcher() {
    scheduler.add("f", "hourly", "rate(1 hour)", null, null, null);
    scheduler.pass();
    assertThat(store.queued).isEmpty();
    clock.advance(Duration.ofMinutes(60));
    scheduler.pass();
    scheduler.pass(); // the same instant again: nothing more
    assertThat(store.queued).hasSize(1);
    assertThat(store.queued.getFirst()).startsWith("f {\"version\":\"0\",\"id\":\"")
        .contains("\"detail-type\":\"Scheduled Event\"").contains("\"time\":\"2026-03-02T09:00:00Z\"")
        .contains("rule/f-hourly");
    assertThat(wakes).hasValue(1);
    assertThat(log).anyMatch(l -> l.contains("SCHEDULE hourly (rate(1 hour)): due 2026-03-02T09:00:00Z, queued"));
    assertThat(store.schedules("f").getFirst().nextDue()).isEqualTo(T0.plusSeconds(7200));
  }

  @Test
  void aPassWithNothingDueReadsTheStoreOnlyEveryReloadPeriodAndSoSeesAnotherDaemonsSchedule() {
    scheduler.add("f", "hourly", "rate(1 hour)", null, null, null);
    int reads = store.reads;
    for (int i = 0; i < 9; i++) {
      clock.advance(Duration.ofSeconds(1));
      scheduler.pass();
    }
    assertThat(store.reads).as("nine quiet passes").isEqualTo(reads);
    // another daemon on the same database adds one that is due now
    store.add(new Schedule("g", "now", "rate(1 minute)", "UTC", null, Schedule.Missed.ONCE, clock.instant().minusSeconds(60), clock.instant()));
    clock.advance(Duration.ofSeconds(1));
    scheduler.pass(); // RELOAD has passed: read, not fired yet
    assertThat(store.reads).isEqualTo(reads + 1);
    scheduler.pass();
    assertThat(store.queued).hasSize(1);
    assertThat(store.queued.getFirst()).startsWith("g ");
  }

  @Test
  void aPayloadIsSentAsGivenAndARemovedScheduleStops() {
    scheduler.add("f", "p", "rate(1 minute)", "Asia/Seoul", "{\"job\":1}".getBytes(StandardCharsets.UTF_8), Schedule.Missed.SKIP);
    clock.advance(Duration.ofMinutes(1));
    scheduler.pass();
    assertThat(store.queued).containsExactly("f {\"job\":1}");
    assertThat(scheduler.remove("f", "p")).isTrue();
    clock.advance(Duration.ofMinutes(1));
    scheduler.pass();
    assertThat(store.queued).hasSize(1);
  }

  @Test
  void badDeclarationsAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> scheduler.add("f", "bad id!", "rate(1 hour)", null, null, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad id!");
    assertThatThrownBy(() -> scheduler.add("f", "x", "every hour", null, null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> scheduler.add("f", "x", "rate(1 hour)", "Nowhere/Town", null, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Nowhere/Town");
    assertThatThrownBy(() -> scheduler.add("f", "x", "cron(0 0 30 2 ? *)", null, null, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never due");
    scheduler.add("f", "x", "rate(1 hour)", null, null, null);
    assertThatThrownBy(() -> scheduler.add("f", "x", "rate(2 hours)", null, null, null)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void replacingKeepsTheProgressOfAScheduleDeclaredAsBeforeAndDropsTheRest() {
    scheduler.add("f", "a", "rate(1 hour)", null, null, null);
    scheduler.add("f", "b", "rate(1 hour)", null, null, null);
    clock.advance(Duration.ofMinutes(61));
    scheduler.pass(); // a and b fired 09:00; next 10:00
    clock.advance(Duration.ofMinutes(5));
    scheduler.replace("f", List.of(ScheduleSpec.of("a", "rate(1 hour)", null, null, null),
        ScheduleSpec.of("c", "rate(2 hours)", null, null, null)));
    assertThat(store.schedules("f")).extracting(Schedule::id).containsExactly("a", "c");
    Schedule a = store.schedules("f").getFirst();
    assertThat(a.createdAt()).isEqualTo(T0);
    assertThat(a.nextDue()).isEqualTo(T0.plusSeconds(7200));
    Schedule c = store.schedules("f").get(1);
    assertThat(c.createdAt()).isEqualTo(clock.instant());
    assertThat(Arrays.asList(c.nextDue())).containsExactly(clock.instant().plusSeconds(7200));
  }
}
