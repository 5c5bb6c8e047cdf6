package dev.pilotlight.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterLoopTest {
  /** The shared tables in memory, on a manual clock. */
  static final class Tables implements NodeTable {
    final ManualClock clock = new ManualClock();
    final Map<String, Node> nodes = new HashMap<>();
    final Map<String, Long> changes = new HashMap<>();
    final Map<String, Instant> changedAt = new HashMap<>();

    @Override
    public Beat beat(String id, String address, boolean draining, int inFlight, int memoryPercent) {
      nodes.put(id, new Node(id, address, clock.instant(), draining, inFlight, memoryPercent));
      return new Beat(clock.instant(), new ArrayList<>(nodes.values()));
    }

    @Override
    public Instant now() {
      return clock.instant();
    }

    @Override
    public void forget(Set<String> ids) {
      ids.forEach(nodes::remove);
    }

    @Override
    public Map<String, Long> changedSince(Instant since) {
      Map<String, Long> out = new HashMap<>();
      changes.forEach((f, v) -> {
        if (changedAt.get(f).isAfter(since)) {
          out.put(f, v);
        }
      });
      return out;
    }

    void change(String function) {
      changes.merge(function, 1L, Long::sum);
      changedAt.put(function, clock.instant());
    }
  }

  static final class Told implements ClusterLoop.Peers {
    final List<Set<String>> gone = new ArrayList<>();
    final List<Set<String>> changed = new ArrayList<>();

    @Override
    public void gone(Set<String> nodes) {
      gone.add(nodes);
    }

    @Override
    public void changed(Set<String> functions) {
      changed.add(functions);
    }
  }

  @Test
  void aNodeWhoseHeartbeatStopsIsGoneAfterTheTimeoutAndItsClaimsAreHandedBack() {
    Tables t = new Tables();
    Told told = new Told();
    ClusterLoop a = new ClusterLoop("a", () -> "10.0.0.1:8080", t, new Membership(Membership.DEFAULT_TIMEOUT), told, () -> 0, () -> 0, () -> false);
    ClusterLoop b = new ClusterLoop("b", () -> "10.0.0.2:8080", t, new Membership(Membership.DEFAULT_TIMEOUT), new Told(), () -> 4, () -> 0, () -> false);
    a.tick();
    b.tick();
    a.tick();
    assertThat(a.view().live()).extracting(Node::id).containsExactly("a", "b");
    assertThat(a.view().live().get(1).inFlight()).isEqualTo(4);
    for (int s = 1; s <= 5; s++) { // b stops beating
      t.clock.advance(Duration.ofSeconds(1));
      a.tick();
    }
    assertThat(told.gone).isEmpty(); // exactly 5 s: still alive
    t.clock.advance(Duration.ofMillis(1));
    a.tick();
    assertThat(told.gone).containsExactly(Set.of("b"));
    assertThat(a.view().live()).extracting(Node::id).containsExactly("a");
    b.tick(); // b comes back
    a.tick();
    assertThat(a.view().isLive("b")).isTrue();
  }

  @Test
  void changesMadeBeforeTheFirstStepAreNotReportedLaterOnesAreOnceEach() {
    Tables t = new Tables();
    Told told = new Told();
    ClusterLoop a = new ClusterLoop("a", () -> "a:1", t, new Membership(Membership.DEFAULT_TIMEOUT), told, () -> 0, () -> 0, () -> false);
    t.change("restored");
    a.tick();
    assertThat(told.changed).isEmpty();
    t.clock.advance(Duration.ofSeconds(1));
    t.change("f");
    a.tick();
    t.clock.advance(Duration.ofSeconds(1));
    a.tick(); // f is still within the overlap: read again, not reported again
    t.clock.advance(Duration.ofSeconds(1));
    t.change("f");
    t.change("g");
    a.tick();
    assertThat(told.changed).containsExactly(Set.of("f"), Set.of("f", "g"));
  }

  @Test
  void aSeededLoopReportsWhatChangedBetweenTheSeedAndItsFirstStep() {
    Tables t = new Tables();
    Told told = new Told();
    ClusterLoop a = new ClusterLoop("a", () -> "a:1", t, new Membership(Membership.DEFAULT_TIMEOUT), told, () -> 0, () -> 0, () -> false);
    t.change("before");
    t.clock.advance(Duration.ofMillis(10));
    a.seed(); // the daemon reads the registry now
    t.clock.advance(Duration.ofMillis(10));
    t.change("meanwhile");
    a.tick();
    assertThat(told.changed).containsExactly(Set.of("meanwhile"));
  }
}
