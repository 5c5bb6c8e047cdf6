package dev.pilotlight.bench;

import dev.pilotlight.activation.InstanceSlot;
import dev.pilotlight.activation.PoolEffect;
import dev.pilotlight.activation.PoolState;
import dev.pilotlight.activation.QueueBounds;
import dev.pilotlight.autoscaler.DemandMeter;
import dev.pilotlight.autoscaler.IdleTimeTracker;
import dev.pilotlight.autoscaler.KeepAliveDecision;
import dev.pilotlight.autoscaler.KeepAliveIdlePolicy;
import dev.pilotlight.autoscaler.KeepAlivePolicy;
import dev.pilotlight.autoscaler.ScaleTarget;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.autoscaler.ScalingLoop;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One function of a trace replayed in simulated time through the daemon's own code: its requests go
 * through the activator's {@link PoolState} (the same transitions the daemon's pools run), and a
 * {@link ScalingLoop} with its {@link ScalingDecider}, a {@link KeepAliveIdlePolicy} over an
 * {@link IdleTimeTracker} and the {@link DemandMeter} the pool reports to, built as {@code Wiring} builds them, ticks once a simulated second. This
 * class only plays the world around them: it applies the state's effects as the daemon's shell
 * would, with launches that take {@code init}, requests that take the function's average duration
 * from the trace, and instances that exit the moment they are told to stop.
 *
 * <p>The replayed functions serve one request at a time (concurrency 1, as on Lambda); an instance
 * holds the function's memory from the moment it is ready until it stops. Memory is not limited.
 * Ticks are skipped while the function has no instance, no request and no pre-warm window ahead,
 * when a tick could only decide "none".
 */
final class FunctionReplay implements ScaleTarget {
  private static final long TICK_MS = ScalingLoop.DEFAULT_TICK.toMillis();
  private static final long NEVER = Long.MAX_VALUE;

  /** What one function's replay produced. */
  record Outcome(long invocations, long coldStarts, long coldAtZero, long prewarmHits, long prewarms, long launches, double keepAliveIdleGbSeconds,
      double prewarmIdleGbSeconds, double busyGbSeconds, long rejected) {
    double idleGbSeconds() {
      return keepAliveIdleGbSeconds + prewarmIdleGbSeconds;
    }
  }

  /** A simulated instance: starting until {@code readyAt}, then in the pool as {@code slot}. */
  private static final class SimInstance implements Instance {
    final String id;
    final Deployment deployment;
    final long readyAt;
    final boolean prewarm;
    InstanceSlot slot;
    long busyUntil = NEVER;

    SimInstance(String id, Deployment deployment, long readyAt, boolean prewarm) {
      this.id = id;
      this.deployment = deployment;
      this.readyAt = readyAt;
      this.prewarm = prewarm;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Deployment deployment() {
      return deployment;
    }

    @Override
    public String launchStrategy() {
      return "simulated";
    }

    @Override
    public Duration initDuration() {
      return Duration.ZERO;
    }

    @Override
    public InetSocketAddress httpAddress() {
      return null;
    }

    @Override
    public CompletableFuture<LambdaResponse> invoke(LambdaRequest request) {
      throw new UnsupportedOperationException("a replayed instance runs no code");
    }

    @Override
    public void currentRequest(String requestId) {}

    @Override
    public CompletableFuture<Void> stop() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<String> exited() {
      return new CompletableFuture<>();
    }
  }

  /** A clock the replay moves: {@code base} plus the simulated milliseconds. */
  private static final class SimClock implements InstantSource {
    final Instant base;
    long ms;

    SimClock(Instant base) {
      this.base = base;
    }

    @Override
    public Instant instant() {
      return base.plusMillis(ms);
    }
  }

  private record Deadline(long ticket, long at) {}

  private static final Failure END = new Failure.Unavailable("the trace ended");

  private final FunctionSpec spec;
  private final Deployment deployment;
  private final double memoryGb;
  private final long durationMs;
  private final long initMs;
  private final SimClock clock;
  private final IdleTimeTracker tracker;
  private final KeepAliveIdlePolicy idlePolicy;
  private final PoolState pool;
  private final DemandMeter demand;
  private final ScalingLoop loop;
  /** Launched and not yet stopped, in launch order (which instance a tie goes to). */
  private final List<SimInstance> instances = new ArrayList<>();
  /** Queue-wait ends in the order they fall due: every waiter waits equally long. */
  private final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();
  private long now;
  /** The next arrival to replay. */
  private int next;
  private long lastTick = -1;
  private int sequence;
  private boolean ending;
  private long invocations;
  private long coldStarts;
  private long coldAtZero;
  private long prewarmHits;
  private long prewarms;
  private long launches;
  private long rejected;
  private double keepAliveIdleMs;
  private double prewarmIdleMs;

  FunctionReplay(FunctionSpec spec, KeepAlivePolicy policy, double memoryMb, double durationMs, Duration init, Instant start,
      ScalingSettings daemon) {
    this(spec, policy, new IdleTimeTracker(), memoryMb, durationMs, init, start, daemon);
  }

  /**
   * @param tracker the rhythms, shared by every function of a replay as the daemon's are (functions
   *     under a shared price are priced from it)
   */
  FunctionReplay(FunctionSpec spec, KeepAlivePolicy policy, IdleTimeTracker tracker, double memoryMb, double durationMs, Duration init,
      Instant start, ScalingSettings daemon) {
    if (spec.concurrency() != 1) {
      throw new IllegalArgumentException("concurrency: " + spec.concurrency() + " (expected: 1, one request per instance)");
    }
    this.spec = spec;
    this.deployment = new Deployment(spec, 1, "0".repeat(64), 0, Path.of("trace"), start);
    this.memoryGb = memoryMb / 1024.0;
    this.durationMs = Math.max(1, Math.round(durationMs));
    this.initMs = init.toMillis();
    this.clock = new SimClock(start);
    this.tracker = tracker;
    this.idlePolicy = new KeepAliveIdlePolicy(tracker, s -> policy);
    ScalingDecider decider = new ScalingDecider(idlePolicy);
    this.pool = new PoolState(deployment, new QueueBounds(daemon.maxQueue() != null ? daemon.maxQueue() : ScalingSettings.DEFAULT_MAX_QUEUE,
        daemon.maxQueueWait()), decider::instancesToStart);
    this.demand = new DemandMeter(tracker);
    this.loop = new ScalingLoop(this, decider, clock, daemon, demand);
  }

  /** Replays {@code arrivals} (ms from the start, sorted) up to {@code endMs}. */
  Outcome replay(long[] arrivals, long endMs) {
    advance(arrivals, endMs);
    return finish(endMs);
  }

  /**
   * Replays what happens before {@code untilMs} (exclusive) of {@code arrivals} (ms from the start,
   * sorted; the same array at every call), continuing where the last call stopped: a replay of
   * many functions moves them together, a minute at a time, to update what they share between.
   */
  void advance(long[] arrivals, long untilMs) {
    while (true) {
      long tArrival = next < arrivals.length ? arrivals[next] : NEVER;
      SimInstance readying = null;
      SimInstance finishing = null;
      long tReady = NEVER;
      long tDone = NEVER;
      for (SimInstance i : instances) {
        if (i.slot == null && i.readyAt < tReady) {
          tReady = i.readyAt;
          readying = i;
        } else if (i.busyUntil < tDone) {
          tDone = i.busyUntil;
          finishing = i;
        }
      }
      long tTimeout = deadlines.isEmpty() ? NEVER : deadlines.peekFirst().at();
      long tTick = nextTick();
      long t = Math.min(Math.min(Math.min(tArrival, tTick), Math.min(tReady, tDone)), tTimeout);
      if (t >= untilMs) {
        return;
      }
      now = t;
      clock.ms = t;
      if (t == tReady) {
        apply(pool.launched(readying, readying.prewarm, clock.instant()));
      } else if (t == tDone) {
        finishing.busyUntil = NEVER;
        apply(pool.release(finishing.slot, true, clock.instant()));
      } else if (t == tTimeout) {
        apply(pool.timeout(deadlines.pollFirst().ticket(), clock.instant()));
      } else if (t == tArrival) {
        arrive();
        next++;
      } else {
        lastTick = t;
        loop.tick();
      }
    }
  }

  /** The end at {@code endMs}: every instance stops, and those idle count their idle time until then. */
  Outcome finish(long endMs) {
    now = endMs;
    clock.ms = endMs;
    ending = true;
    apply(pool.remove(END, clock.instant()));
    double busy = invocations * (durationMs / 1000.0) * memoryGb;
    return new Outcome(invocations, coldStarts, coldAtZero, prewarmHits, prewarms, launches, keepAliveIdleMs / 1000 * memoryGb,
        prewarmIdleMs / 1000 * memoryGb, busy, rejected);
  }

  private void arrive() {
    invocations++;
    boolean atZero = pool.atZero();
    List<PoolEffect> effects = pool.acquire(clock.instant());
    if (atZero && effects.stream().anyMatch(e -> e instanceof PoolEffect.Queued)) {
      coldAtZero++;
    }
    apply(effects);
  }

  /**
   * The next tick: each second while the function has an instance or a request; while it has
   * neither, at the opening of a pre-warm window ahead (the only thing a tick could then do), else never.
   */
  private long nextTick() {
    if (!pool.quiet()) {
      return lastTick < 0 ? ceilToTick(now) : Math.max(lastTick + TICK_MS, ceilToTick(now));
    }
    Instant idleSince = tracker.idleSince(spec.name());
    if (idleSince == null) {
      return NEVER;
    }
    KeepAliveDecision d = idlePolicy.decision(spec);
    if (!d.prewarms()) {
      return NEVER;
    }
    long since = Duration.between(clock.base, idleSince).toMillis();
    long open = ceilToTick(Math.max(now, since + d.prewarmAfter().toMillis()));
    if (open <= lastTick) {
      open = lastTick + TICK_MS;
    }
    return open < since + d.keepUntil().toMillis() ? open : NEVER;
  }

  private static long ceilToTick(long ms) {
    return (ms + TICK_MS - 1) / TICK_MS * TICK_MS;
  }

  /** Plays the world's part in the state's effects, as the daemon's shell and executor would, in simulated time. */
  private void apply(List<PoolEffect> effects) {
    for (PoolEffect e : effects) {
      switch (e) {
        case PoolEffect.Grant g -> {
          SimInstance i = (SimInstance) g.slot().instance();
          i.busyUntil = now + durationMs;
          if (g.cold()) {
            coldStarts++;
          } else if (g.prewarmHit()) {
            prewarmHits++;
          }
        }
        case PoolEffect.Queued q -> deadlines.addLast(new Deadline(q.waiter(), now + q.maxWait().toMillis()));
        case PoolEffect.Reject r -> rejected += ending ? 0 : 1;
        case PoolEffect.Launch l -> {
          for (int k = 0; k < l.count(); k++) {
            instances.add(new SimInstance(spec.name() + "-" + (++sequence), l.deployment(), now + initMs, l.prewarm()));
            launches++;
            prewarms += l.prewarm() ? 1 : 0;
          }
        }
        case PoolEffect.Ready r -> ((SimInstance) r.slot().instance()).slot = r.slot();
        case PoolEffect.Stop s -> {
          SimInstance i = (SimInstance) s.instance();
          instances.remove(i);
          if (i.slot != null) {
            apply(pool.gone(i.slot, clock.instant())); // it exits at once
          }
        }
        case PoolEffect.ReportDemand d -> demand.demand(d.function(), d.requests(), d.instances(), d.at());
        case PoolEffect.ReportIdle i -> {
          if (i.prewarm()) {
            prewarmIdleMs += i.idle().toNanos() / 1e6;
          } else {
            keepAliveIdleMs += i.idle().toNanos() / 1e6;
          }
        }
        case PoolEffect.ReturnMemory m -> {} // memory is not limited
        case PoolEffect.Evicted v -> {}
      }
    }
  }

  // ScaleTarget: what the scaling loop asks of the pool.

  @Override
  public List<PoolSnapshot> snapshots() {
    return List.of(pool.snapshot());
  }

  @Override
  public void startInstances(String function, int count) {
    apply(pool.start(count, clock.instant()));
  }

  @Override
  public void prewarm(String function) {
    apply(pool.prewarm(clock.instant()));
  }

  @Override
  public boolean drain(String function, String instanceId) {
    PoolState.Step step = pool.drain(instanceId, clock.instant());
    apply(step.effects());
    return step.done();
  }
}
