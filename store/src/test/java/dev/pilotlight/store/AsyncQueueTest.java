package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.AsyncEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncQueueTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  AsyncQueue open() {
    return AsyncQueue.open(dir.resolve("events.db"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anEnqueuedEventSurvivesReopenAndIsClaimedOnceWhenDue() {
    try (AsyncQueue q = open()) {
      AsyncEvent e = q.enqueue("f", "req-1", bytes("{\"a\":1}"), T0);
      assertThat(e.attempts()).isZero();
      assertThat(e.acceptedAt()).isEqualTo(T0);
    }
    try (AsyncQueue q = open()) {
      assertThat(q.claimDue(T0.minusMillis(1), 10)).isEmpty();
      List<AsyncEvent> claimed = q.claimDue(T0, 10);
      assertThat(claimed).singleElement().satisfies(e -> {
        assertThat(e.function()).isEqualTo("f");
        assertThat(e.requestId()).isEqualTo("req-1");
        assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
      });
      assertThat(q.claimDue(T0.plusSeconds(60), 10)).as("a claimed event is not handed out twice").isEmpty();
      q.complete(claimed.getFirst().id());
      assertThat(q.claimDue(T0.plusSeconds(60), 10)).isEmpty();
    }
  }

  @Test
  void claimsTheOldestDueFirstUpToTheLimit() {
    try (AsyncQueue q = open()) {
      q.enqueue("f", "r1", bytes("1"), T0);
      q.enqueue("f", "r2", bytes("2"), T0.plusMillis(1));
      q.enqueue("g", "r3", bytes("3"), T0.plusMillis(2));
      assertThat(q.claimDue(T0.plusSeconds(1), 2)).extracting(AsyncEvent::requestId).containsExactly("r1", "r2");
      assertThat(q.claimDue(T0.plusSeconds(1), 2)).extracting(AsyncEvent::requestId).containsExactly("r3");
    }
  }

  @Test
  void retryQueuesAgainAtItsDueTimeWithAttemptsAndError() {
    try (AsyncQueue q = open()) {
      q.enqueue("f", "r1", bytes("1"), T0);
      long id = q.claimDue(T0, 1).getFirst().id();
      q.retry(id, 1, T0.plusSeconds(60), "Error: boom");
      assertThat(q.claimDue(T0.plusSeconds(59), 1)).isEmpty();
      AsyncEvent again = q.claimDue(T0.plusSeconds(60), 1).getFirst();
      assertThat(again.attempts()).isEqualTo(1);
      assertThat(again.lastError()).isEqualTo("Error: boom");
      assertThat(again.acceptedAt()).as("the age counts from acceptance").isEqualTo(T0);
    }
  }

  @Test
  void theNextDueTimeIsTheEarliestQueuedEventsAndNoneWhenNothingIsQueued() {
    try (AsyncQueue q = open()) {
      assertThat(q.nextDue()).isNull();
      q.enqueue("f", "r1", bytes("1"), T0);
      q.enqueue("f", "r2", bytes("2"), T0.plusSeconds(5));
      assertThat(q.nextDue()).isEqualTo(T0);
      long id = q.claimDue(T0, 1).getFirst().id();
      assertThat(q.nextDue()).as("a claimed event is not waited for").isEqualTo(T0.plusSeconds(5));
      q.retry(id, 1, T0.plusSeconds(2), "Error: boom");
      assertThat(q.nextDue()).isEqualTo(T0.plusSeconds(2));
      q.claimDue(T0.plusSeconds(5), 2).forEach(e -> q.fail(e.id(), 1, "Error: boom", T0.plusSeconds(5)));
      assertThat(q.nextDue()).as("failed events wait for a redrive").isNull();
    }
  }

  @Test
  void failedEventsAreListedWithPayloadAndErrorAndCanBeRedriven() {
    try (AsyncQueue q = open()) {
      q.enqueue("f", "r1", bytes("payload-1"), T0);
      q.enqueue("other", "r2", bytes("x"), T0);
      long id = q.claimDue(T0, 1).getFirst().id();
      q.fail(id, 3, "IllegalStateException: boom", T0.plusSeconds(180));

      assertThat(q.failed("other")).isEmpty();
      AsyncEvent failed = q.failed("f").getFirst();
      assertThat(failed.attempts()).isEqualTo(3);
      assertThat(failed.lastError()).isEqualTo("IllegalStateException: boom");
      assertThat(failed.failedAt()).isEqualTo(T0.plusSeconds(180));
      assertThat(new String(failed.payload(), StandardCharsets.UTF_8)).isEqualTo("payload-1");

      Instant later = T0.plusSeconds(600);
      assertThat(q.redrive("f", later)).isEqualTo(1);
      assertThat(q.failed("f")).isEmpty();
      List<AsyncEvent> due = q.claimDue(later, 10);
      assertThat(due).extracting(AsyncEvent::requestId).containsExactly("r2", "r1");
      AsyncEvent redriven = due.get(1);
      assertThat(redriven.attempts()).isZero();
      assertThat(redriven.acceptedAt()).isEqualTo(later);
      assertThat(redriven.failedAt()).isNull();
    }
  }

  @Test
  void claimedButUnfinishedEventsRunAgainAfterARestart() {
    try (AsyncQueue q = open()) {
      q.enqueue("f", "r1", bytes("1"), T0);
      assertThat(q.claimDue(T0, 1)).hasSize(1);
      // the daemon dies here, before complete/retry/fail
    }
    try (AsyncQueue q = open()) {
      assertThat(q.claimDue(T0.plusSeconds(5), 1)).isEmpty();
      assertThat(q.requeueClaimed(T0.plusSeconds(5))).isEqualTo(1);
      assertThat(q.claimDue(T0.plusSeconds(5), 1)).extracting(AsyncEvent::requestId).containsExactly("r1");
    }
  }

  @Test
  void purgeRemovesEveryStateOfOneFunction() {
    try (AsyncQueue q = open()) {
      q.enqueue("f", "r1", bytes("1"), T0);
      q.enqueue("f", "r2", bytes("2"), T0);
      q.enqueue("g", "r3", bytes("3"), T0);
      long id = q.claimDue(T0, 1).getFirst().id();
      q.fail(id, 1, "e", T0);
      assertThat(q.purge("f")).isEqualTo(2);
      assertThat(q.failed("f")).isEmpty();
      assertThat(q.claimDue(T0, 10)).extracting(AsyncEvent::function).containsExactly("g");
    }
  }

  @Test
  void aClaimOfNothingIsABug() {
    try (AsyncQueue q = open()) {
      assertThatThrownBy(() -> q.claimDue(T0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("max: 0 (expected: >= 1)");
    }
  }
}
