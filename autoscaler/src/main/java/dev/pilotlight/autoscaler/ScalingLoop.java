package dev.pilotlight.autoscaler;

import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Applies {@link ScalingDecider#decide} to every pool once per tick: samples each function's
 * observed concurrency, keeps its history and decision state, and starts or drains instances
 * through the {@link ScaleTarget} until the pool has the desired count. Scale-up for queued
 * requests does not wait for a tick; the activator does it the moment a request queues.
 */
public final class ScalingLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ScalingLoop.class.getName());

  /** Default tick (1 s): the sampling interval, and idle timeouts are honoured to within this much. */
  public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);

  /** What the loop remembers per function between ticks. */
  private record Tracked(DemandHistory history, ScalingState state, double demandSeconds, Instant at) {}

  private final ScaleTarget target;
  private final ScalingDecider decider;
  private final InstantSource clock;
  private final ScalingSettings daemonSettings;
  private final Map<String, Tracked> tracked = new HashMap<>();
  private ScheduledExecutorService scheduler;

  /** A loop with the daemon-wide scaling settings at their defaults. */
  public ScalingLoop(ScaleTarget target, ScalingDecider decider, InstantSource clock) {
    this(target, decider, clock, ScalingSettings.DEFAULTS);
  }

  /** @param daemonSettings what a function that sets nothing gets (the {@code serve} flags) */
  public ScalingLoop(ScaleTarget target, ScalingDecider decider, InstantSource clock, ScalingSettings daemonSettings) {
    this.target = target;
    this.decider = decider;
    this.clock = clock;
    this.daemonSettings = daemonSettings;
  }

  /** One pass over every pool; public so tests drive it with a manual clock instead of waiting. */
  public synchronized void tick() {
    Instant now = clock.instant();
    Set<String> seen = new HashSet<>();
    for (PoolSnapshot s : target.snapshots()) {
      String name = s.function();
      seen.add(name);
      ScalingPolicy policy = ScalingPolicy.of(s.spec(), daemonSettings);
      Tracked t = tracked.get(name);
      double sample = sample(t, s, now);
      DemandHistory history = observe(t == null ? DemandHistory.EMPTY : t.history(), s, sample, now, policy.historyKept());
      ScalingDecision d = decider.decide(s, history, policy, t == null ? ScalingState.INITIAL : t.state(), now);
      // Scaled to zero: the load that is over is forgotten now, not only once the pool is seen empty
      // (a new load may arrive before the next tick).
      DemandHistory kept = d.desired() == 0 && s.demand() == 0 ? DemandHistory.EMPTY : history;
      tracked.put(name, new Tracked(kept, d.state(), s.demandSeconds(), integratedUntil(s, now)));
      target.decided(name, d);
      apply(s, d);
    }
    tracked.keySet().retainAll(seen);
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
   * The average concurrency since the previous tick, from the pool's demand integral; on a
   * function's first tick (or if time did not move) what is in flight and queued now.
   */
  private static double sample(Tracked t, PoolSnapshot s, Instant now) {
    if (t == null || !now.isAfter(t.at()) || s.demandSeconds() < t.demandSeconds()) {
      return s.demand();
    }
    Instant until = integratedUntil(s, now);
    if (!until.isAfter(t.at())) {
      return s.demand();
    }
    double seconds = Duration.between(t.at(), until).toNanos() / 1e9;
    return Math.max(0, (s.demandSeconds() - t.demandSeconds()) / seconds);
  }

  /** Where the snapshot's integral ends: its own instant when it says, else this tick's. */
  private static Instant integratedUntil(PoolSnapshot s, Instant now) {
    return s.integratedUntil() != null ? s.integratedUntil() : now;
  }

  private void apply(PoolSnapshot s, ScalingDecision d) {
    int current = s.ready() + s.starting();
    boolean expected = "expected".equals(d.reason()) || "idle".equals(d.reason()) && current == 0 && s.demand() == 0;
    if (d.desired() > current && expected) {
      // The keep-alive policy expects calls that need these: at zero with nothing to do, or a burst
      // at a scale-out level. Each is a pre-warm.
      for (int i = current; i < d.desired(); i++) {
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

  public synchronized void start(Duration every) {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("scaling-loop").factory());
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        tick();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "scaling loop: " + e);
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
    }
    if (s != null) {
      s.shutdownNow();
    }
  }
}
