package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.AsyncEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every queue test again on PostgreSQL, plus what several daemons sharing one queue need. */
class PostgresAsyncQueueTest extends AsyncQueueTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Override
  AsyncQueue open() {
    return AsyncQueue.open(db.database(), "node-a");
  }

  @Test
  void threeDaemonsClaimingAtOnceNeverClaimOneEventTwice() throws Exception {
    List<PostgresDatabase> pools = List.of(PostgresDatabase.open(db.url()), PostgresDatabase.open(db.url()), PostgresDatabase.open(db.url()));
    List<AsyncQueue> nodes = List.of(AsyncQueue.open(pools.get(0), "n1"), AsyncQueue.open(pools.get(1), "n2"), AsyncQueue.open(pools.get(2), "n3"));
    try (var threads = Executors.newFixedThreadPool(6)) {
      for (int i = 0; i < 300; i++) {
        nodes.get(i % 3).enqueue("f", "r" + i, "{}".getBytes(StandardCharsets.UTF_8), T0);
      }
      List<Callable<List<String>>> claimers = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        AsyncQueue q = nodes.get(t % 3);
        claimers.add(() -> {
          List<String> mine = new ArrayList<>();
          for (List<AsyncEvent> batch = q.claimDue(T0, 7); !batch.isEmpty(); batch = q.claimDue(T0, 7)) {
            for (AsyncEvent e : batch) {
              mine.add(e.requestId());
              q.complete(e.id());
            }
          }
          return mine;
        });
      }
      List<String> all = Collections.synchronizedList(new ArrayList<>());
      for (Future<List<String>> f : threads.invokeAll(claimers)) {
        all.addAll(f.get());
      }
      assertThat(all).hasSize(300).doesNotHaveDuplicates();
    } finally {
      nodes.forEach(AsyncQueue::close);
      pools.forEach(PostgresDatabase::close);
    }
  }

  @Test
  void aRestartedDaemonTakesBackItsOwnClaimsAndTheClaimsOfALostOneAreRequeuedByOthers() {
    try (PostgresDatabase other = PostgresDatabase.open(db.url());
        AsyncQueue a = open();
        AsyncQueue b = AsyncQueue.open(other, "node-b")) {
      a.enqueue("f", "for-a", "1".getBytes(StandardCharsets.UTF_8), T0);
      assertThat(a.claimDue(T0, 1)).extracting(AsyncEvent::requestId).containsExactly("for-a");
      b.enqueue("f", "for-b", "2".getBytes(StandardCharsets.UTF_8), T0);
      assertThat(b.claimDue(T0, 1)).extracting(AsyncEvent::requestId).containsExactly("for-b");

      // node-a restarts: only its own claim goes back
      assertThat(a.requeueClaimed(T0.plusSeconds(1))).isEqualTo(1);
      assertThat(a.claimDue(T0.plusSeconds(1), 10)).extracting(AsyncEvent::requestId).containsExactly("for-a");

      // node-b is lost: node-a puts its claim back, and a retry from the lost node changes nothing
      AsyncEvent bs = b.failed("f").isEmpty() ? null : b.failed("f").getFirst();
      assertThat(bs).isNull();
      assertThat(a.requeueClaimsOf(Set.of("node-b"), T0.plusSeconds(2))).isEqualTo(1);
      List<AsyncEvent> again = a.claimDue(T0.plusSeconds(2), 10);
      assertThat(again).extracting(AsyncEvent::requestId).containsExactly("for-b");
      b.retry(again.getFirst().id(), 1, T0.plusSeconds(60), "late word from a lost node");
      b.fail(again.getFirst().id(), 1, "late word from a lost node", T0.plusSeconds(3));
      a.complete(again.getFirst().id());
      assertThat(a.claimDue(T0.plusSeconds(120), 10)).isEmpty();
      assertThat(a.failed("f")).isEmpty();
    }
  }
}
