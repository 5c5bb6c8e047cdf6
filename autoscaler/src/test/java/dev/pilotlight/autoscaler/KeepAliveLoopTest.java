package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scaling loop with the keep-alive idle policy on a manual clock: it stops early, pre-warms, and stops again. */
class KeepAliveLoopTest {
  final ManualClock clock = new ManualClock();
  final IdleTimeTracker tracker = new IdleTimeTracker();

  /** One idle function's instances (ready at once when started); records what the loop asked. */
  final class Target implements ScaleTarget {
    final FunctionSpec spec;
    final Map<String, Instant> ready = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    int n;

    Target(FunctionSpec spec) {
      this.spec = spec;
    }

    @Override
    public List<PoolSnapshot> snapshots() {
      List<InstanceLoad> loads = new ArrayList<>();
      ready.forEach((id, at) -> loads.add(new InstanceLoad(id, 0, at, false)));
      return List.of(new PoolSnapshot(spec, ready.size(), 0, 0, 0, loads));
    }

    @Override
    public void startInstances(String function, int count) {
      for (int i = 0; i < count; i++) {
        ready.put("f-" + (++n), clock.instant());
        log.add("start");
      }
    }

    @Override
    public void prewarm(String function) {
      ready.put("f-" + (++n), clock.instant());
      log.add("prewarm");
    }

    @Override
    public boolean drain(String function, String instanceId) {
      log.add("drain");
      return ready.remove(instanceId) != null;
    }
  }

  /** Calls of 1 s every 10 minutes; the clock ends at the last one's end with its instance up. */
  Target calledEvery10Minutes(KeepAlive mode) {
    FunctionSpec spec = FunctionSpec.of("f", Runtime.JAVA, "a.B", null).withKeepAlive(mode);
    for (int i = 0; i < 5; i++) {
      if (i > 0) {
        clock.advance(Duration.ofSeconds(599));
      }
      tracker.busy("f", clock.instant());
      clock.advance(Duration.ofSeconds(1));
      tracker.idle("f", clock.instant());
    }
    Target t = new Target(spec);
    t.ready.put("f-0", clock.instant());
    return t;
  }

  List<String> tickAt(ScalingLoop loop, Target t, Instant idleSince, long seconds) {
    clock.set(idleSince.plusSeconds(seconds));
    t.log.clear();
    loop.tick();
    return List.copyOf(t.log);
  }

  @Test
  void histogram_stopsAtOnceThenPreWarmsWhenTheWindowOpensAndStopsWhenItCloses() {
    Target t = calledEvery10Minutes(KeepAlive.HISTOGRAM);
    Instant idle = clock.instant();
    ScalingLoop loop = new ScalingLoop(t, new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED)), clock);
    // idle 9 min 59 s each time (bin 9): wanted from 9 to 10 min after the last call
    assertThat(tickAt(loop, t, idle, 1)).containsExactly("drain");
    assertThat(tickAt(loop, t, idle, 539)).isEmpty();
    assertThat(tickAt(loop, t, idle, 540)).containsExactly("prewarm");
    assertThat(tickAt(loop, t, idle, 590)).isEmpty();
    assertThat(tickAt(loop, t, idle, 600)).containsExactly("drain");
    assertThat(tickAt(loop, t, idle, 650)).isEmpty();
  }

  /** Every 10 minutes, 3 requests at once for 20 s, 5 times; returns the end of the last burst. */
  Instant burstsOfThreeEvery10Minutes() {
    Instant start = clock.instant();
    for (int i = 0; i < 5; i++) {
      clock.set(start.plus(Duration.ofMinutes(10L * i)));
      tracker.demand("f", 3, clock.instant());
      clock.advance(Duration.ofSeconds(20));
      tracker.demand("f", 0, clock.instant());
    }
    return clock.instant();
  }

  @Test
  void histogram_preWarmsAsManyInstancesAsABurstThatRecursNeeded() {
    FunctionSpec spec = FunctionSpec.of("f", Runtime.JAVA, "a.B", null).withKeepAlive(KeepAlive.HISTOGRAM);
    Instant idle = burstsOfThreeEvery10Minutes();
    Target t = new Target(spec);
    ScalingLoop loop = new ScalingLoop(t, new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED)), clock);
    // idle 9 min 40 s at every level (bin 9): all three wanted from 9 to 10 min after the burst
    assertThat(tickAt(loop, t, idle, 539)).isEmpty();
    assertThat(tickAt(loop, t, idle, 540)).containsExactly("prewarm", "prewarm", "prewarm");
    assertThat(tickAt(loop, t, idle, 590)).isEmpty();
    assertThat(tickAt(loop, t, idle, 600)).contains("drain");
  }

  @Test
  void histogram_aBurstCappedByMaxInstancesIsStillPreWarmed() {
    FunctionSpec spec = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").memoryMb(256)
        .timeout(Duration.ofSeconds(30)).concurrency(1).minInstances(0).maxInstances(2).build().withKeepAlive(KeepAlive.HISTOGRAM);
    Instant idle = burstsOfThreeEvery10Minutes();
    Target t = new Target(spec);
    ScalingLoop loop = new ScalingLoop(t, new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED)), clock);
    assertThat(tickAt(loop, t, idle, 540)).containsExactly("prewarm", "prewarm");
  }

  @Test
  void fixed_keepsTheInstanceForTheIdleTimeoutAndNeverPreWarms() {
    Target t = calledEvery10Minutes(null); // the daemon's default, here fixed
    Instant idle = clock.instant();
    ScalingLoop loop = new ScalingLoop(t, new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED)), clock);
    assertThat(tickAt(loop, t, idle, 1)).isEmpty();
    assertThat(tickAt(loop, t, idle, 299)).isEmpty();
    assertThat(tickAt(loop, t, idle, 300)).containsExactly("drain");
    assertThat(tickAt(loop, t, idle, 486)).isEmpty();
  }

  @Test
  void aFunctionThatSetsOnlyAnIdleTimeoutIsKeptFixedWhateverTheDaemonsDefault() {
    FunctionSpec plain = FunctionSpec.of("f", Runtime.JAVA, "a.B", null);
    FunctionSpec ownTimeout = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").idleTimeout(Duration.ofSeconds(1)).build();
    assertThat(KeepAliveIdlePolicy.modeOf(plain, KeepAlive.HISTOGRAM)).isEqualTo(KeepAlive.HISTOGRAM);
    assertThat(KeepAliveIdlePolicy.modeOf(ownTimeout, KeepAlive.HISTOGRAM)).isEqualTo(KeepAlive.FIXED);
    assertThat(KeepAliveIdlePolicy.modeOf(ownTimeout.withKeepAlive(KeepAlive.OFF), KeepAlive.HISTOGRAM)).isEqualTo(KeepAlive.OFF);
  }

  @Test
  void minInstancesStayUpWhateverThePolicySays() {
    Target t = calledEvery10Minutes(KeepAlive.OFF);
    FunctionSpec withMin = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").minInstances(1).build()
        .withKeepAlive(KeepAlive.OFF);
    Target kept = new Target(withMin);
    kept.ready.putAll(t.ready);
    Instant idle = clock.instant();
    ScalingLoop loop = new ScalingLoop(kept, new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.HISTOGRAM)), clock);
    assertThat(tickAt(loop, kept, idle, 1)).isEmpty();
    assertThat(kept.ready).hasSize(1);
  }
}
