package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalingLoopTest {
  @Test
  void scalesToZeroAfterTheIdleTimeoutOnAManualClock() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    ManualClock clock = new ManualClock(t0);
    FunctionSpec spec = new FunctionSpec("f", Runtime.JAVA, "a.B::c", null, 128, Duration.ofSeconds(3), 1, 0, 10,
        Duration.ofSeconds(30), Map.of());
    List<String> stopped = new ArrayList<>();
    ScaleTarget target = new ScaleTarget() {
      @Override
      public List<PoolSnapshot> snapshots() {
        return stopped.isEmpty()
            ? List.of(new PoolSnapshot(spec, 1, 0, 0, 0, List.of(new InstanceLoad("f-1", 0, t0, false))))
            : List.of(new PoolSnapshot(spec, 0, 0, 0, 0, List.of()));
      }

      @Override
      public void startInstances(String function, int count) {
        throw new AssertionError("nothing should start");
      }

      @Override
      public boolean stopIfIdle(String function, String instanceId) {
        return stopped.add(instanceId);
      }
    };
    ScalingLoop loop = new ScalingLoop(target, new ScalingDecider(), clock);
    loop.tick();
    assertThat(stopped).isEmpty();
    clock.advance(Duration.ofSeconds(29));
    loop.tick();
    assertThat(stopped).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(stopped).containsExactly("f-1");
    loop.tick();
    assertThat(stopped).containsExactly("f-1");
  }
}
