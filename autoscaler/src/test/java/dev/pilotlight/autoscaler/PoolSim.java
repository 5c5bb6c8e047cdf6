package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A closed loop of the decider and an idealised pool on a manual clock: each step is one tick with
 * a given demand (in-flight + queued), and the pool then has exactly the desired instances. What
 * the decider sees is what {@link ScalingLoop} would give it, and the {@link IdleTimeTracker} hears
 * the demand as the activator reports it. By default the decider runs the daemon's keep-alive in
 * its {@code fixed} mode (one instance for the function's {@code idleTimeout}).
 */
final class PoolSim {
  final ManualClock clock = new ManualClock();
  final IdleTimeTracker tracker = new IdleTimeTracker();
  final ScalingDecider decider;
  final FunctionSpec spec;
  final ScalingPolicy policy;
  int ready;
  int starting;
  Instant lastUsed;
  DemandHistory history = DemandHistory.EMPTY;
  ScalingState state = ScalingState.INITIAL;
  final List<ScalingDecision> decisions = new ArrayList<>();

  PoolSim(FunctionSpec spec, Function<IdleTimeTracker, IdlePolicy> idlePolicy) {
    this.spec = spec;
    this.decider = new ScalingDecider(idlePolicy.apply(tracker));
    this.policy = ScalingPolicy.of(spec, ScalingSettings.DEFAULTS);
  }

  PoolSim(FunctionSpec spec) {
    this(spec, tracker -> KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED));
  }

  static FunctionSpec spec(int concurrency, int min, int max, Duration idle, ScalingSettings scaling) {
    return FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B::c").memoryMb(128).timeout(Duration.ofSeconds(3))
        .concurrency(concurrency).minInstances(min).maxInstances(max).idleTimeout(idle).scaling(scaling).build();
  }

  static FunctionSpec spec(int concurrency, int min, int max, Duration idle) {
    return spec(concurrency, min, max, idle, ScalingSettings.UNSET);
  }

  /**
   * One tick of one second with {@code demand} requests in flight or queued throughout: the tracker
   * hears the instances it needs as the second begins (so a function idle from this step on went
   * idle when the last busy step's second ended).
   */
  ScalingDecision step(int demand) {
    tracker.demand(spec.name(), (demand + spec.concurrency() - 1) / spec.concurrency(), clock.instant());
    Instant now = clock.advance(Duration.ofSeconds(1));
    PoolSnapshot s = snapshot(demand, now);
    history = ScalingLoop.observe(history, s, demand, now, policy.historyKept());
    ScalingDecision d = decider.decide(s, history, policy, state, now);
    state = d.state();
    if (d.desired() == 0 && demand == 0) {
      history = DemandHistory.EMPTY; // as ScalingLoop.tick does
    }
    decisions.add(d);
    ready = d.desired();
    return d;
  }

  /** {@code ticks} steps at the same demand; returns the last decision. */
  ScalingDecision run(int demand, int ticks) {
    ScalingDecision d = null;
    for (int i = 0; i < ticks; i++) {
      d = step(demand);
    }
    return d;
  }

  PoolSnapshot snapshot(int demand, Instant now) {
    int capacity = ready * spec.concurrency();
    int inFlight = Math.min(demand, capacity);
    if (demand > 0) {
      lastUsed = now;
    }
    List<InstanceLoad> loads = new ArrayList<>();
    int left = inFlight;
    for (int i = 0; i < ready; i++) {
      int mine = Math.min(left, spec.concurrency());
      left -= mine;
      loads.add(new InstanceLoad("f-" + i, mine, lastUsed == null ? now : lastUsed, false));
    }
    return new PoolSnapshot(spec, ready, starting, inFlight, demand - inFlight, loads);
  }

  /** How often the desired count changed direction (up then down, or down then up) over the decisions from {@code from}. */
  int reversals(int from) {
    int n = 0;
    int lastDirection = 0;
    for (int i = Math.max(1, from); i < decisions.size(); i++) {
      int delta = Integer.signum(decisions.get(i).desired() - decisions.get(i - 1).desired());
      if (delta != 0) {
        if (lastDirection != 0 && delta != lastDirection) {
          n++;
        }
        lastDirection = delta;
      }
    }
    return n;
  }
}
