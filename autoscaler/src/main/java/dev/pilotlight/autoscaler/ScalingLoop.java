package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.model.io.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies {@link ScalingDecider#decide} to every pool once per tick: samples each function's
 * observed concurrency (its average since the last tick, from the {@link DemandMeter} the
 * activator reports to), keeps its history and decision state, and starts or drains instances
 * through the {@link ScaleTarget} until the pool has the desired count. Scale-up for queued
 * requests does not wait for a tick; the activator does it the moment a request queues.
 */
public final class ScalingLoop implements AutoCloseable {

  /** Default tick (1 s): the sampling interval, and idle timeouts are honoured to within this much. */
  public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);

  /**
   * What the loop remembers per function between ticks: its demand history and decision state, the
   * demand integral read last, the spec it was last seen with and the policy made of it (made
   * again only when the spec changes), and the count last decided.
   */
  private record Tracked(DemandHistory history, ScalingState state, double demandSeconds, Instant at, FunctionSpec spec, ScalingPolicy policy,
      int desired) {
    /** At zero and settled: the last decision was none, with no history, no panic, nothing to remember. */
    boolean settledAtZero() {
      return desired == 0 && history == DemandHistory.EMPTY && state.panicSince() == null;
    }
  }

  private final ScaleTarget target;
  private final ScalingDecider decider;
  private final InstantSource clock;
  private final ScalingSettings daemonSettings;
  private final DemandMeter demand;
  private final Map<String, Tracked> tracked = new HashMap<>();
  private final Ticker ticker = new Ticker("scaling-loop", this::tick);

  /** A loop with the daemon-wide scaling settings at their defaults. */
  public ScalingLoop(ScaleTarget target, ScalingDecider decider, InstantSource clock) {
    this(target, decider, clock, ScalingSettings.DEFAULTS);
  }

  /** A loop whose samples are the demand of the moment (no {@link DemandMeter} is fed). */
  public ScalingLoop(ScaleTarget target, ScalingDecider decider, InstantSource clock, ScalingSettings daemonSettings) {
    this(target, decider, clock, daemonSettings, new DemandMeter());
  }

  /**
   * @param daemonSettings what a function that sets nothing gets (the {@code serve} flags)
   * @param demand where the activator reports each function's demand; the samples are its averages
   */
  public ScalingLoop(ScaleTarget target, ScalingDecider decider, InstantSource clock, ScalingSettings daemonSettings, DemandMeter demand) {
    this.target = target;
    this.decider = decider;
    this.clock = clock;
    this.daemonSettings = daemonSettings;
    this.demand = demand;
  }

  /** One pass over every pool; public so tests drive it with a manual clock instead of waiting. */
  public synchronized void tick() {
    Instant now = clock.instant();
    Set<String> seen = new HashSet<>();
    List<PoolSnapshot> pools = target.snapshots();
    decider.observe(pools, now);
    for (PoolSnapshot s : pools) {
      String name = s.function();
      seen.add(name);
      Tracked t = tracked.get(name);
      ScalingPolicy policy = t != null && t.spec() == s.spec() ? t.policy() : ScalingPolicy.of(s.spec(), daemonSettings);
      DemandMeter.Reading reading = demand.read(name, now);
      double sample = sample(t, s, reading, now);
      double demandSeconds = reading == null ? 0 : reading.seconds();
      Instant at = reading == null ? now : reading.until();
      if (t != null && t.settledAtZero() && sample == 0 && s.ready() + s.starting() == 0 && s.demand() == 0 && policy.minInstances() == 0
          && decider.staysAtZero(s, now)) {
        // Nothing up, nothing asked, nothing expected: the decision would be none again, as told last
        // tick. Most functions of a node are here most of the time; this is what an idle node costs.
        tracked.put(name, new Tracked(t.history(), t.state(), demandSeconds, at, s.spec(), policy, 0));
        continue;
      }
      DemandHistory history = observe(t == null ? DemandHistory.EMPTY : t.history(), s, sample, now, policy.historyKept());
      ScalingDecision d = decider.decide(s, history, policy, t == null ? ScalingState.INITIAL : t.state(), now);
      // Scaled to zero: the load that is over is forgotten now, not only once the pool is seen empty
      // (a new load may arrive before the next tick).
      DemandHistory kept = d.desired() == 0 && s.demand() == 0 ? DemandHistory.EMPTY : history;
      tracked.put(name, new Tracked(kept, d.state(), demandSeconds, at, s.spec(), policy, d.desired()));
      target.decided(name, d);
      apply(s, d);
    }
    tracked.keySet().retainAll(seen);
    demand.retainAll(seen);
  }

  /**
   * The history with this tick's sample, except that a function at zero instances with no demand
   * forgets its history (as Knative's windows, which get no data then and start afresh after a
   * gap): the next burst is averaged on its own, neither diluted by a window of zeros before it nor
   * inflated by the burst that came before the scale to zero.
   */
  static DemandHistory observe(DemandHistory history, PoolSnapshot s, double sample, Instant now, Duration keep) {
    if (s.ready() + s.starting() == 0 && s.demand() == 0 && sample == 0) {
      return DemandHistory.EMPTY;
    }
    return history.with(now, sample, keep);
  }

  /**
   * The average concurrency since the previous tick, from the function's demand integral; on a
   * function's first tick, if it never reported demand, or if time did not move, what is in flight
   * and queued now.
   */
  private static double sample(Tracked t, PoolSnapshot s, DemandMeter.Reading r, Instant now) {
    if (t == null || r == null || !now.isAfter(t.at()) || r.seconds() < t.demandSeconds() || !r.until().isAfter(t.at())) {
      return s.demand();
    }
    double seconds = Duration.between(t.at(), r.until()).toNanos() / 1e9;
    return Math.max(0, (r.seconds() - t.demandSeconds()) / seconds);
  }

  private void apply(PoolSnapshot s, ScalingDecision d) {
    int current = s.ready() + s.starting();
    if (d.prewarms() > 0) {
      for (int i = 0; i < d.prewarms(); i++) {
        target.prewarm(s.function());
      }
    } else if (d.desired() > current) {
      target.startInstances(s.function(), d.desired() - current);
    } else if (d.desired() < s.ready()) {
      for (String id : decider.instancesToStop(s, s.ready() - d.desired())) {
        target.drain(s.function(), id);
      }
    }
  }

  public void start(Duration every) {
    ticker.start(every);
  }

  @Override
  public void close() {
    ticker.close();
  }
}
