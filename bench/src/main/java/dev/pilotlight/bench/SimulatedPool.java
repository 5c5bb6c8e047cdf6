package dev.pilotlight.bench;

import dev.pilotlight.autoscaler.IdleTimeTracker;
import dev.pilotlight.autoscaler.KeepAliveDecision;
import dev.pilotlight.autoscaler.KeepAliveIdlePolicy;
import dev.pilotlight.autoscaler.KeepAlivePolicy;
import dev.pilotlight.autoscaler.ScaleTarget;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.autoscaler.ScalingLoop;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One function of a trace replayed in simulated time through the daemon's own scaling code: a
 * {@link ScalingLoop} with its {@link ScalingDecider} and a {@link KeepAliveIdlePolicy} over an
 * {@link IdleTimeTracker} ticks once a simulated second on a simulated clock, exactly as
 * {@code Wiring} builds them. What the activator does is modelled as {@code FunctionPool} does it:
 * a request takes a free instance or waits in a FIFO queue; when it waits, {@link
 * ScalingDecider#instancesToStart} launches instances at once; the first request an instance serves
 * after waiting for it is a cold start; the function turns busy when a request arrives with nothing
 * in flight or queued, and idle when its last request ends.
 *
 * <p>Instances serve one request at a time (concurrency 1, as on Lambda) for the function's average
 * duration from the trace, take {@code init} to start, and hold the function's memory from the
 * moment they are ready until they stop. Memory is not limited. Ticks are skipped while the function
 * has no instance, no request and no pre-warm window ahead, when a tick could only decide "none".
 */
final class SimulatedPool implements ScaleTarget {
  private static final long TICK_MS = ScalingLoop.DEFAULT_TICK.toMillis();
  private static final long NEVER = Long.MAX_VALUE;

  /** What one function's replay produced. */
  record Outcome(long invocations, long coldStarts, long coldAtZero, long prewarmHits, long prewarms, long launches, double keepAliveIdleGbSeconds,
      double prewarmIdleGbSeconds, double busyGbSeconds) {
    double idleGbSeconds() {
      return keepAliveIdleGbSeconds + prewarmIdleGbSeconds;
    }
  }

  private static final class Inst {
    final String id;
    final long readyAt;
    final boolean prewarmed;
    boolean ready;
    boolean draining;
    boolean served;
    int inFlight;
    long busyUntil = NEVER;
    long lastUsed;
    long idleSince;

    Inst(String id, long readyAt, boolean prewarmed) {
      this.id = id;
      this.readyAt = readyAt;
      this.prewarmed = prewarmed;
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

  private final FunctionSpec spec;
  private final double memoryGb;
  private final long durationMs;
  private final long initMs;
  private final SimClock clock;
  private final IdleTimeTracker tracker = new IdleTimeTracker();
  private final KeepAliveIdlePolicy idlePolicy;
  private final ScalingDecider decider;
  private final ScalingLoop loop;
  private final List<Inst> instances = new ArrayList<>();
  private final ArrayDeque<Long> queue = new ArrayDeque<>();
  private long now;
  private long lastTick = -1;
  private int inFlight;
  private int sequence;
  private double demandSeconds;
  private long demandSince;
  private long invocations;
  private long coldStarts;
  private long coldAtZero;
  private long prewarmHits;
  private long prewarms;
  private long launches;
  private double keepAliveIdleMs;
  private double prewarmIdleMs;

  SimulatedPool(FunctionSpec spec, KeepAlivePolicy policy, double memoryMb, double durationMs, Duration init, Instant start,
      ScalingSettings daemon) {
    this.spec = spec;
    this.memoryGb = memoryMb / 1024.0;
    this.durationMs = Math.max(1, Math.round(durationMs));
    this.initMs = init.toMillis();
    this.clock = new SimClock(start);
    this.idlePolicy = new KeepAliveIdlePolicy(tracker, s -> policy);
    this.decider = new ScalingDecider(idlePolicy);
    this.loop = new ScalingLoop(this, decider, clock, daemon);
  }

  /** Replays {@code arrivals} (ms from the start, sorted) up to {@code endMs}. */
  Outcome replay(long[] arrivals, long endMs) {
    int next = 0;
    while (true) {
      long tArrival = next < arrivals.length ? arrivals[next] : NEVER;
      Inst readying = null;
      Inst finishing = null;
      long tReady = NEVER;
      long tDone = NEVER;
      for (Inst i : instances) {
        if (!i.ready && i.readyAt < tReady) {
          tReady = i.readyAt;
          readying = i;
        } else if (i.inFlight > 0 && i.busyUntil < tDone) {
          tDone = i.busyUntil;
          finishing = i;
        }
      }
      long tTick = nextTick();
      long t = Math.min(Math.min(tArrival, tTick), Math.min(tReady, tDone));
      if (t >= endMs) {
        break;
      }
      advance(t);
      if (t == tReady) {
        ready(readying);
      } else if (t == tDone) {
        complete(finishing);
      } else if (t == tArrival) {
        arrive(t);
        next++;
      } else {
        lastTick = t;
        clock.ms = t;
        loop.tick();
      }
    }
    advance(endMs);
    for (Inst i : instances) {
      if (i.ready && i.inFlight == 0 && !i.draining) {
        accrueIdle(i);
      }
    }
    double busy = invocations * (durationMs / 1000.0) * memoryGb;
    return new Outcome(invocations, coldStarts, coldAtZero, prewarmHits, prewarms, launches, keepAliveIdleMs / 1000 * memoryGb,
        prewarmIdleMs / 1000 * memoryGb, busy);
  }

  /**
   * The next tick: each second while the function has an instance or a request; while it has
   * neither, at the opening of a pre-warm window ahead (the only thing a tick could then do), else never.
   */
  private long nextTick() {
    boolean active = !instances.isEmpty() || !queue.isEmpty() || inFlight > 0;
    if (active) {
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

  /** Moves the clock to {@code t}, integrating the demand (in flight + queued) as the pool does. */
  private void advance(long t) {
    demandSeconds += (inFlight + queue.size()) * (t - demandSince) / 1000.0;
    demandSince = t;
    now = t;
    clock.ms = t;
  }

  private void arrive(long t) {
    invocations++;
    Inst free = null;
    for (Inst i : instances) {
      if (i.ready && !i.draining && i.inFlight == 0) {
        free = i;
        break;
      }
    }
    if (free != null && queue.isEmpty()) {
      lease(free, false);
      demandChanged();
      return;
    }
    if (instances.isEmpty()) {
      coldAtZero++;
    }
    queue.addLast(t);
    demandChanged();
    launch(decider.instancesToStart(snapshot()), false);
  }

  /** Tells the tracker the instances in flight and queued requests need now (concurrency 1), as the activator does. */
  private void demandChanged() {
    tracker.demand(spec.name(), inFlight + queue.size(), clock.instant());
  }

  private void lease(Inst i, boolean waited) {
    if (i.inFlight == 0) {
      accrueIdle(i);
    }
    if (waited && !i.served) {
      coldStarts++;
    } else if (!waited && i.prewarmed && !i.served) {
      prewarmHits++;
    }
    i.served = true;
    i.inFlight++;
    inFlight++;
    i.busyUntil = now + durationMs;
  }

  private void accrueIdle(Inst i) {
    long idle = now - i.idleSince;
    if (i.prewarmed && !i.served) {
      prewarmIdleMs += idle;
    } else {
      keepAliveIdleMs += idle;
    }
    i.idleSince = now;
  }

  private void complete(Inst i) {
    i.inFlight--;
    inFlight--;
    i.busyUntil = NEVER;
    i.lastUsed = now;
    i.idleSince = now;
    if (i.draining) {
      instances.remove(i);
    } else if (!queue.isEmpty()) {
      queue.pollFirst();
      lease(i, true);
    }
    demandChanged();
  }

  private void ready(Inst i) {
    i.ready = true;
    i.lastUsed = now;
    i.idleSince = now;
    if (!queue.isEmpty()) {
      queue.pollFirst();
      lease(i, true);
    }
  }

  private void launch(int count, boolean prewarm) {
    for (int k = 0; k < count; k++) {
      instances.add(new Inst(spec.name() + "-" + (++sequence), now + initMs, prewarm));
      launches++;
      if (prewarm) {
        prewarms++;
      }
    }
  }

  private PoolSnapshot snapshot() {
    int ready = 0;
    int starting = 0;
    List<InstanceLoad> loads = new ArrayList<>(instances.size());
    for (Inst i : instances) {
      if (!i.ready) {
        starting++;
        continue;
      }
      if (!i.draining) {
        ready++;
      }
      loads.add(new InstanceLoad(i.id, i.inFlight, clock.base.plusMillis(i.lastUsed), i.draining));
    }
    return new PoolSnapshot(spec, ready, starting, inFlight, queue.size(), loads, demandSeconds);
  }

  // ScaleTarget: what the scaling loop asks of the pool.

  @Override
  public List<PoolSnapshot> snapshots() {
    return List.of(snapshot());
  }

  @Override
  public void startInstances(String function, int count) {
    launch(count, false);
  }

  @Override
  public void prewarm(String function) {
    launch(1, true);
  }

  @Override
  public boolean drain(String function, String instanceId) {
    if (!queue.isEmpty()) {
      return false;
    }
    for (Inst i : instances) {
      if (i.ready && !i.draining && i.id.equals(instanceId)) {
        if (i.inFlight == 0) {
          accrueIdle(i);
          instances.remove(i);
        } else {
          i.draining = true;
        }
        return true;
      }
    }
    return false;
  }

}
