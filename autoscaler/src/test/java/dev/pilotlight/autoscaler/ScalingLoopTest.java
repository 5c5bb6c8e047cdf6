package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The loop over a fake pool on a manual clock: sampling, applying decisions, forgetting removed functions. */
class ScalingLoopTest {
  final ManualClock clock = new ManualClock();
  final IdleTimeTracker tracker = new IdleTimeTracker();
  final DemandMeter meter = new DemandMeter(tracker);
  final FakeTarget target = new FakeTarget(clock);
  final Map<String, ScalingDecision> decisions = new LinkedHashMap<>();

  /** One function's pool: instances become ready the moment they are started. */
  static final class FakePool {
    final FunctionSpec spec;
    final Map<String, Integer> inFlight = new LinkedHashMap<>();
    final Map<String, Instant> lastUsed = new LinkedHashMap<>();
    int queued;
    int sequence;

    FakePool(FunctionSpec spec) {
      this.spec = spec;
    }

    int demand() {
      return inFlight.values().stream().mapToInt(Integer::intValue).sum() + queued;
    }
  }

  final class FakeTarget implements ScaleTarget {
    final ManualClock clock;
    final Map<String, FakePool> pools = new LinkedHashMap<>();
    final List<String> started = new ArrayList<>();
    final List<String> drained = new ArrayList<>();

    FakeTarget(ManualClock clock) {
      this.clock = clock;
    }

    FakePool add(FunctionSpec spec) {
      FakePool p = new FakePool(spec);
      pools.put(spec.name(), p);
      return p;
    }

    /** Spreads {@code demand} over the instances, least loaded first; the rest queues; reports it as the activator does (the tracker hears it through the meter). */
    void demand(String name, int demand) {
      FakePool p = pools.get(name);
      meter.demand(name, demand, (demand + p.spec.concurrency() - 1) / p.spec.concurrency(), clock.instant());
      p.inFlight.replaceAll((id, n) -> 0);
      p.queued = 0;
      for (int i = 0; i < demand; i++) {
        String free = p.inFlight.entrySet().stream().filter(e -> e.getValue() < p.spec.concurrency())
            .min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (free == null) {
          p.queued++;
        } else {
          p.inFlight.merge(free, 1, Integer::sum);
          p.lastUsed.put(free, clock.instant());
        }
      }
    }

    @Override
    public List<PoolSnapshot> snapshots() {
      List<PoolSnapshot> all = new ArrayList<>();
      for (FakePool p : pools.values()) {
        List<InstanceLoad> loads = new ArrayList<>();
        p.inFlight.forEach((id, n) -> loads.add(new InstanceLoad(id, n, p.lastUsed.get(id), false)));
        int inFlight = p.demand() - p.queued;
        all.add(new PoolSnapshot(p.spec, p.inFlight.size(), 0, inFlight, p.queued, loads));
      }
      return all;
    }

    @Override
    public void startInstances(String function, int count) {
      FakePool p = pools.get(function);
      for (int i = 0; i < count; i++) {
        String id = function + "-" + (++p.sequence);
        p.inFlight.put(id, 0);
        p.lastUsed.put(id, clock.instant());
        started.add(id);
      }
    }

    @Override
    public boolean drain(String function, String instanceId) {
      FakePool p = pools.get(function);
      if (p.queued > 0 || !p.inFlight.containsKey(instanceId)) {
        return false;
      }
      drained.add(instanceId);
      p.inFlight.remove(instanceId);
      p.lastUsed.remove(instanceId);
      return true;
    }

    @Override
    public void decided(String function, ScalingDecision decision) {
      decisions.put(function, decision);
    }
  }

  ScalingLoop loop(ScalingSettings daemon) {
    return new ScalingLoop(target, new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED)), clock, daemon, meter);
  }

  @Test
  void scalesToZeroAfterTheIdleTimeoutOnAManualClock() {
    target.add(PoolSim.spec(1, 0, 10, Duration.ofSeconds(30)));
    target.startInstances("f", 1);
    target.demand("f", 1);
    target.demand("f", 0); // its one request ends now
    ScalingLoop loop = loop(ScalingSettings.DEFAULTS);
    loop.tick();
    assertThat(target.drained).isEmpty();
    clock.advance(Duration.ofSeconds(29));
    loop.tick();
    assertThat(target.drained).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(target.drained).containsExactly("f-1");
    loop.tick();
    assertThat(target.drained).containsExactly("f-1");
    assertThat(decisions.get("f").desired()).isZero();
  }

  @Test
  void aFunctionSettledAtZeroIsNotDecidedAgainUntilSomethingAsksForAnInstance() {
    target.add(PoolSim.spec(1, 0, 10, Duration.ofSeconds(30)));
    ScalingLoop loop = loop(ScalingSettings.DEFAULTS);
    loop.tick();
    assertThat(decisions.get("f").desired()).isZero();
    decisions.clear();
    clock.advance(Duration.ofSeconds(1));
    loop.tick(); // settled: nothing up, nothing asked, nothing expected
    assertThat(decisions).isEmpty();
    target.demand("f", 1); // a request queues (the activator would launch at once; the tick sees it)
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(decisions.get("f").desired()).isEqualTo(1);
    assertThat(target.started).containsExactly("f-1");
    // a spec that now wants an instance always is decided at once
    target.demand("f", 0);
    target.drain("f", "f-1");
    decisions.clear();
    target.pools.get("f").inFlight.clear();
    target.add(PoolSim.spec(1, 1, 10, Duration.ofSeconds(30)));
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(decisions.get("f").desired()).isEqualTo(1);
  }

  @Test
  void aSampleIsTheAverageConcurrencyOverTheTickNotAPointReading() {
    target.add(PoolSim.spec(10, 0, 100, Duration.ofMinutes(5)));
    target.startInstances("f", 10);
    target.demand("f", 1);
    target.demand("f", 0); // called just now: kept, not scaled to zero (which would forget the window)
    ScalingLoop loop = loop(ScalingSettings.DEFAULTS);
    loop.tick();
    target.demand("f", 60);
    clock.advance(Duration.ofMillis(500));
    target.demand("f", 0); // the requests finished before the tick: a point reading would see nothing
    clock.advance(Duration.ofMillis(500));
    loop.tick();
    assertThat(decisions.get("f").panicConcurrency()).isEqualTo(15.0); // (0 + 30) / 2 samples
  }

  @Test
  void averagesDivideByTheTimeIntegratedNotTheTicks() {
    // One steady request at concurrency 1. Under load a pool's transition may read its clock after
    // the tick read its own, and report a little later than the tick (here 30 ms); dividing by the
    // tick's 1 s would make the average 1.03 and ask for 2 instances.
    FunctionSpec spec = PoolSim.spec(1, 0, 10, Duration.ofMinutes(5));
    ScaleTarget steady = new ScaleTarget() {
      @Override
      public List<PoolSnapshot> snapshots() {
        return List.of(new PoolSnapshot(spec, 1, 0, 1, 0, List.of(new InstanceLoad("f-1", 1, clock.instant(), false))));
      }

      @Override
      public void startInstances(String function, int count) {
        throw new AssertionError("one steady request needs no second instance");
      }

      @Override
      public boolean drain(String function, String instanceId) {
        throw new AssertionError("one steady request is not scaled down either");
      }

      @Override
      public void decided(String function, ScalingDecision decision) {
        decisions.put(function, decision);
      }
    };
    ScalingLoop loop = new ScalingLoop(steady, new ScalingDecider(), clock, ScalingSettings.DEFAULTS, meter);
    meter.demand(spec.name(), 1, 1, clock.instant());
    loop.tick();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      meter.demand(spec.name(), 1, 1, clock.instant().plusMillis(30 * (i + 1))); // each report a little later than its tick
      loop.tick();
      assertThat(decisions.get(spec.name()).desired()).isEqualTo(1);
    }
  }

  @Test
  void startsWhatABurstNeedsThenDrainsTheSurplusAfterThePanic() {
    target.add(PoolSim.spec(10, 0, 100, Duration.ofMinutes(5)));
    ScalingLoop loop = loop(ScalingSettings.DEFAULTS);
    target.demand("f", 100); // all queued: nothing is up
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(target.started).hasSize(15);
    assertThat(decisions.get("f").panicking()).isTrue();
    for (int t = 0; t < 10; t++) {
      target.demand("f", 100);
      clock.advance(Duration.ofSeconds(1));
      loop.tick();
    }
    target.demand("f", 0);
    for (int t = 0; t < 120; t++) {
      clock.advance(Duration.ofSeconds(1));
      loop.tick();
    }
    assertThat(target.started).hasSize(15);
    assertThat(target.drained).hasSize(14);
    assertThat(target.pools.get("f").inFlight).hasSize(1);
    assertThat(decisions.get("f").panicking()).isFalse();
  }

  @Test
  void theDaemonsSettingsApplyToFunctionsThatSetNone() {
    target.add(PoolSim.spec(10, 0, 100, Duration.ofMinutes(5)));
    ScalingSettings fullUtilisation = new ScalingSettings(1.0, null, null, null, null, null, null, null, null).over(ScalingSettings.DEFAULTS);
    ScalingLoop loop = loop(fullUtilisation);
    target.demand("f", 100);
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(decisions.get("f").desired()).isEqualTo(10);
  }

  @Test
  void forgetsRemovedFunctions() {
    target.add(PoolSim.spec(10, 0, 100, Duration.ofMinutes(5)));
    ScalingLoop loop = loop(ScalingSettings.DEFAULTS);
    target.demand("f", 100);
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    target.pools.clear();
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    // a function deployed again under the same name starts from a clean state
    target.add(PoolSim.spec(10, 0, 100, Duration.ofMinutes(5)));
    clock.advance(Duration.ofSeconds(1));
    loop.tick();
    assertThat(decisions.get("f").desired()).isZero();
    assertThat(decisions.get("f").panicking()).isFalse();
  }
}
