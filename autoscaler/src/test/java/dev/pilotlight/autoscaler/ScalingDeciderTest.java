package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScalingDeciderTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final ScalingDecider decider = new ScalingDecider();

  static FunctionSpec spec(int concurrency, int min, int max) {
    return new FunctionSpec("f", Runtime.JAVA, "a.B::c", null, 128, Duration.ofSeconds(3), concurrency, min, max,
        Duration.ofMinutes(5), Map.of());
  }

  static Stream<Arguments> scaleUp() {
    return Stream.of(
        // concurrency, min, max, ready, starting, inFlight, queued -> start
        Arguments.of(1, 0, 10, 0, 0, 0, 1, 1),   // first request at zero
        Arguments.of(1, 0, 10, 0, 1, 0, 2, 1),   // second queued while one starts
        Arguments.of(1, 0, 3, 0, 0, 0, 100, 3),  // burst capped at max
        Arguments.of(10, 0, 10, 1, 0, 5, 0, 0),  // one instance has room
        Arguments.of(10, 0, 10, 1, 0, 10, 1, 1), // full instance, one more needed
        Arguments.of(4, 0, 10, 0, 0, 0, 9, 3),   // ceil(9/4)
        Arguments.of(1, 2, 10, 0, 0, 0, 0, 2),   // min instances kept up with no demand
        Arguments.of(1, 2, 10, 2, 0, 0, 0, 0),   // min satisfied
        Arguments.of(1, 0, 10, 5, 0, 0, 0, 0));  // never negative
  }

  @ParameterizedTest
  @MethodSource
  void scaleUp(int concurrency, int min, int max, int ready, int starting, int inFlight, int queued, int expected) {
    PoolSnapshot s = new PoolSnapshot(spec(concurrency, min, max), ready, starting, inFlight, queued, List.of());
    assertThat(decider.instancesToStart(s)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void stopsOnlyInstancesIdlePastTheTimeoutOldestFirstKeepingMin() {
    FunctionSpec spec = spec(1, 1, 10);
    List<InstanceLoad> loads = List.of(
        new InstanceLoad("busy", 1, T0.minusSeconds(3600), false),
        new InstanceLoad("old", 0, T0.minusSeconds(600), false),
        new InstanceLoad("older", 0, T0.minusSeconds(900), false),
        new InstanceLoad("recent", 0, T0.minusSeconds(10), false),
        new InstanceLoad("draining", 0, T0.minusSeconds(3600), true));
    PoolSnapshot s = new PoolSnapshot(spec, 4, 0, 1, 0, loads);
    // 4 ready, min 1 -> at most 3 removable; only 2 are idle long enough.
    assertThat(decider.instancesToStop(s, T0)).containsExactly("older", "old");
    // exactly at the timeout counts as idle
    PoolSnapshot edge = new PoolSnapshot(spec(1, 0, 10), 1, 0, 0, 0, List.of(new InstanceLoad("x", 0, T0.minus(Duration.ofMinutes(5)), false)));
    assertThat(decider.instancesToStop(edge, T0)).containsExactly("x");
    assertThat(decider.instancesToStop(edge, T0.minusMillis(1))).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void neverGoesBelowMinInstances() {
    PoolSnapshot s = new PoolSnapshot(spec(1, 2, 10), 2, 0, 0, 0, List.of(
        new InstanceLoad("a", 0, T0.minusSeconds(3600), false),
        new InstanceLoad("b", 0, T0.minusSeconds(3600), false)));
    assertThat(decider.instancesToStop(s, T0)).isEmpty();
  }
}
