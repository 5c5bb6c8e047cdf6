package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.schedule.Schedule;
import dev.pilotlight.model.schedule.ScheduleStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules beside the event queue: a tick and the schedule's next due time commit together, once. */
class ScheduleStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  AsyncQueue open() {
    return AsyncQueue.open(dir.resolve("events.db"));
  }

  private static Schedule hourly(String function, String id) {
    return new Schedule(function, id, "rate(1 hour)", "UTC", null, Schedule.Missed.ONCE, T0, T0.plusSeconds(3600));
  }

  @Test
  void schedulesSurviveReopenWithEveryField() {
    try (AsyncQueue q = open()) {
      assertThat(q.add(hourly("f", "a"))).isTrue();
      assertThat(q.add(new Schedule("f", "b", "cron(0 9 ? * MON-FRI *)", "Asia/Seoul", "{\"k\":1}".getBytes(StandardCharsets.UTF_8),
          Schedule.Missed.SKIP, T0, null))).isTrue();
      assertThat(q.add(hourly("f", "a"))).as("an id is taken once per function").isFalse();
      assertThat(q.add(hourly("g", "a"))).as("another function may use it").isTrue();
    }
    try (AsyncQueue q = open()) {
      assertThat(q.schedules()).extracting(s -> s.function() + "/" + s.id()).containsExactly("f/a", "f/b", "g/a");
      Schedule b = q.schedules("f").get(1);
      assertThat(b.expression()).isEqualTo("cron(0 9 ? * MON-FRI *)");
      assertThat(b.zone()).isEqualTo("Asia/Seoul");
      assertThat(new String(b.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"k\":1}");
      assertThat(b.missed()).isEqualTo(Schedule.Missed.SKIP);
      assertThat(b.nextDue()).isNull();
      assertThat(q.schedules("f").getFirst().nextDue()).isEqualTo(T0.plusSeconds(3600));
    }
  }

  @Test
  void aTickQueuesItsEventsAndMovesTheNextDueTimeInOneStepAndOnlyOnce() {
    try (AsyncQueue q = open()) {
      q.add(hourly("f", "a"));
      Instant due = T0.plusSeconds(3600);
      Instant now = due.plusMillis(200);
      List<ScheduleStore.Tick> ticks = List.of(new ScheduleStore.Tick("req-1", "{}".getBytes(StandardCharsets.UTF_8)));
      assertThat(q.fire("f", "a", due, due.plusSeconds(3600), ticks, now)).isTrue();
      assertThat(q.fire("f", "a", due, due.plusSeconds(3600), ticks, now)).as("the same due time again: nothing").isFalse();
      assertThat(q.schedules("f").getFirst().nextDue()).isEqualTo(due.plusSeconds(3600));
      List<AsyncEvent> queued = q.claimDue(now, 10);
      assertThat(queued).singleElement().satisfies(e -> {
        assertThat(e.function()).isEqualTo("f");
        assertThat(e.requestId()).isEqualTo("req-1");
      });
      // a skip moves the schedule on without an event
      assertThat(q.fire("f", "a", due.plusSeconds(3600), due.plusSeconds(7200), List.of(), now)).isTrue();
      assertThat(q.claimDue(now.plusSeconds(1), 10)).isEmpty();
    }
  }

  @Test
  void aRemovedScheduleDoesNotFireAndRemovingAFunctionRemovesItsSchedules() {
    try (AsyncQueue q = open()) {
      q.add(hourly("f", "a"));
      q.add(hourly("f", "b"));
      q.add(hourly("g", "a"));
      assertThat(q.remove("f", "a")).isTrue();
      assertThat(q.remove("f", "a")).isFalse();
      assertThat(q.fire("f", "a", T0.plusSeconds(3600), T0.plusSeconds(7200), List.of(new ScheduleStore.Tick("r", new byte[0])), T0))
          .isFalse();
      assertThat(q.claimDue(T0.plusSeconds(7200), 10)).isEmpty();
      assertThat(q.removeAll("f")).isEqualTo(1);
      assertThat(q.schedules()).extracting(Schedule::function).containsExactly("g");
    }
  }
}
