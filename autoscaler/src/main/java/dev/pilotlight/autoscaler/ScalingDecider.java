package dev.pilotlight.autoscaler;

import dev.pilotlight.autoscaler.ScalingDecision.Reason;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Concurrency-based scaling in the manner of Knative's KPA, as pure functions with no I/O and no
 * clock of their own: every input, the time included, is an argument, and the state a decision
 * leaves for the next is returned, not kept.
 *
 * <p>{@link #decide}, once per tick and function:
 * <ol>
 *   <li>Observed concurrency (in-flight + queued, one sample per tick) is averaged over the stable
 *       window (60 s) and the panic window (6 s). Each average over the target per instance
 *       ({@code concurrency × targetUtilization}, at least 1), rounded up, is a desired instance count, kept
 *       within the rates: at most {@code maxScaleUpRate ×} and at least {@code 1 / maxScaleDownRate}
 *       of the ready instances. A scale-down stops where the remaining instances would run above
 *       90 % of target (hysteresis against an average hovering at a rounding boundary).
 *   <li>Panic mode begins when the panic average reaches {@code panicThreshold ×} (2×) what the
 *       ready instances carry at target, and ends a stable window after it was last reached. While
 *       panicking the larger of the two counts is used and the count never goes down.
 *   <li>Never fewer than what is in flight and queued right now needs at full concurrency (the
 *       averages lag a burst; instances the demand is using are not taken away), and no scale-down
 *       at all while requests are queued or instances are starting.
 *   <li>With nothing in flight or queued, the {@link IdlePolicy} says how many to keep (the
 *       daemon's: the function's keep-alive window, e.g. one instance for {@code idleTimeout}
 *       after its last request ended, then zero).
 *   <li>Never below the scale-down delay's busiest tick's need, and, while not scaling to zero,
 *       never below what the {@link IdlePolicy} expects a recurring burst to need
 *       ({@link IdlePolicy#instancesExpected}); instances up for such a burst also keep the
 *       function from scaling to zero while the burst's window is open.
 *   <li>Finally clamped to {@code [minInstances, maxInstances]}.
 * </ol>
 *
 * <p>{@link #instancesToStart} is the activator's immediate decision when a request queues, so
 * scale-up from zero never waits for a tick.
 */
public final class ScalingDecider {
  /** A scale-down goes only as far as leaves the remaining instances at most this share of their target. */
  static final double SCALE_DOWN_MARGIN = 0.9;

  /** Keeps nothing while idle and expects nothing (what {@code keepAlive: off} decides). */
  private static final IdlePolicy KEEP_NOTHING = (s, now) -> 0;

  private final IdlePolicy idle;

  /**
   * A decider with no keep-alive: an idle function scales to zero at once. For callers that only
   * ask {@link #instancesToStart} or {@link #instancesToStop}; the daemon's passes its
   * {@link KeepAliveIdlePolicy}.
   */
  public ScalingDecider() {
    this(KEEP_NOTHING);
  }

  public ScalingDecider(IdlePolicy idle) {
    this.idle = idle;
  }

  /**
   * How many instances to launch now for this snapshot, when a request has just queued: enough for
   * everything in flight and queued at full concurrency, within [minInstances, maxInstances], minus
   * those ready or starting (0 when they suffice).
   */
  public int instancesToStart(PoolSnapshot s) {
    int desired = ceilDiv(s.demand(), s.spec().concurrency());
    desired = Math.max(desired, s.spec().minInstances());
    desired = Math.min(desired, s.spec().instanceCap()); // maxInstances, or fewer under a reserved concurrency
    return Math.max(0, desired - s.ready() - s.starting());
  }

  /**
   * The instance count {@code s}'s function should have now.
   *
   * @param history observed concurrency, this tick's sample included
   * @param previous the state the previous decision returned ({@link ScalingState#INITIAL} at first)
   */
  public ScalingDecision decide(PoolSnapshot s, DemandHistory history, ScalingPolicy p, ScalingState previous, Instant now) {
    int current = s.ready() + s.starting();
    int readyForRates = Math.max(1, s.ready());
    double target = p.targetPerInstance();
    double stable = history.average(now, p.stableWindow());
    double panic = history.average(now, p.panicWindow());
    int maxUp = (int) Math.ceil(p.maxScaleUpRate() * readyForRates);
    int maxDown = (int) Math.floor(readyForRates / p.maxScaleDownRate());
    int fromStable = (int) Math.ceil(stable / target);
    if (fromStable < current) {
      // Hysteresis: shrink only to a count that carries the average at most SCALE_DOWN_MARGIN of its
      // target, so an average hovering at a rounding boundary does not start and stop an instance
      // every few seconds.
      fromStable = Math.min(current, (int) Math.ceil(stable / (target * SCALE_DOWN_MARGIN)));
    }
    fromStable = clamp(fromStable, maxDown, maxUp);
    int fromPanic = clamp((int) Math.ceil(panic / target), maxDown, maxUp);

    Instant panicSince = previous.panicSince();
    Instant lastOver = previous.lastOverThreshold();
    int panicFloor = previous.panicFloor();
    boolean over = panic > 0 && panic >= p.panicThreshold() * target * readyForRates;
    if (over) {
      if (panicSince == null) {
        panicSince = now;
        panicFloor = current; // what is up or coming when the burst is detected is not taken away
      }
      lastOver = now;
    } else if (panicSince != null && !now.isBefore(lastOver.plus(p.stableWindow()))) {
      // The burst has been in the stable window's average for a whole window: trust it again.
      panicSince = null;
      panicFloor = 0;
    }

    int desired = fromStable;
    Reason reason = Reason.STABLE;
    if (panicSince != null) {
      desired = Math.max(Math.max(fromStable, fromPanic), panicFloor);
      reason = Reason.PANIC;
    }
    int needNow = ceilDiv(s.demand(), p.concurrency());
    if (needNow > desired) {
      desired = needNow;
      reason = Reason.DEMAND;
    }
    if (desired < current && p.scaleDownDelay().isPositive()) {
      // Scale-down delay: not below what the busiest tick of the last delay needed, so that the
      // ups and downs inside a burst do not stop an instance and start another a few seconds later.
      int recent = Math.min(current, (int) Math.ceil(history.max(now, p.scaleDownDelay()) / target));
      if (recent > desired) {
        desired = recent;
        reason = Reason.DELAY;
      }
    }
    if ((s.queued() > 0 || s.starting() > 0) && current > desired) {
      desired = current;
      reason = Reason.STARTING;
    }
    if (panicSince != null) {
      panicFloor = desired;
    }

    int expected = idle.instancesExpected(s, now);
    if (s.demand() == 0) {
      int keep = idle.instancesWhileIdle(s, now);
      if (keep == 0 && expected >= 2) {
        // A burst is expected: what is up for it stays, though the first level's window is closed
        // (starting instances for it is left to a tick where that window is open too).
        keep = Math.min(expected, current);
      }
      if (keep == 0) {
        // Idle past the policy's horizon: whatever the windows still remember of the last burst, it is over.
        desired = 0;
        reason = Reason.SCALE_TO_ZERO;
        panicSince = null;
        lastOver = null;
        panicFloor = 0;
      } else if (keep > desired) {
        desired = keep;
        reason = Reason.KEEP_ALIVE;
      }
    }
    if ((desired > 0 || p.minInstances() > 0) && expected > desired) {
      desired = expected;
      reason = Reason.EXPECTED_BURST;
    }
    if (desired < p.minInstances()) {
      desired = p.minInstances();
      reason = Reason.MIN_INSTANCES;
    }
    if (desired > p.maxInstances()) {
      desired = p.maxInstances();
      if (reason != Reason.EXPECTED_BURST) {
        reason = Reason.MAX_INSTANCES; // an expected burst's instances stay pre-warms, only fewer
      }
      panicFloor = Math.min(panicFloor, desired);
    }
    return new ScalingDecision(desired, prewarms(s, desired, reason), panicSince != null, stable, panic, reason,
        new ScalingState(panicSince, lastOver, panicFloor));
  }

  /**
   * Whether a function with nothing up, starting, in flight or queued (and no {@code minInstances})
   * stays at zero now: {@link #decide} would answer none, because only the keep-alive window can
   * start an instance for an idle function at zero (an expected burst's instances start only while
   * the function is not scaling to zero).
   */
  /** Shows the idle policy every pool before a tick's decisions ({@link IdlePolicy#observe}). */
  public void observe(List<PoolSnapshot> pools, Instant now) {
    idle.observe(pools, now);
  }

  public boolean staysAtZero(PoolSnapshot s, Instant now) {
    return idle.instancesWhileIdle(s, now) == 0;
  }

  /**
   * Which {@code count} instances to stop when scaling down: idle ones first, least recently used
   * first, then the least busy, which drain (finish their requests, take no new ones) before they
   * stop. Draining instances are not counted again.
   */
  public List<String> instancesToStop(PoolSnapshot s, int count) {
    if (count <= 0) {
      return List.of();
    }
    return s.instances().stream()
        .filter(i -> !i.draining())
        .sorted(Comparator.comparingInt(InstanceLoad::inFlight).thenComparing(InstanceLoad::lastUsed))
        .limit(count)
        .map(InstanceLoad::id)
        .toList();
  }

  /**
   * The instances to start that are pre-warms: all of them when the keep-alive policy wants them
   * for a burst it expects, or starts one for a function at zero with nothing to do (its pre-warm
   * window opened); otherwise none, and the starts are ordinary ones for demand.
   */
  private static int prewarms(PoolSnapshot s, int desired, Reason reason) {
    int current = s.ready() + s.starting();
    boolean expected = reason == Reason.EXPECTED_BURST || reason == Reason.KEEP_ALIVE && current == 0 && s.demand() == 0;
    return expected ? Math.max(0, desired - current) : 0;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
