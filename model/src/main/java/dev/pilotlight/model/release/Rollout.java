package dev.pilotlight.model.release;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A progressive rollout of revision {@code canary} over {@code stable}, and the one pure decision it
 * makes each time it is looked at ({@link #next}): start the first share once the new revision has
 * an instance up, step up after each interval while it answers no worse than the stable revision
 * over the step, go back to 0 % at once when it does not, and end at 100 %.
 *
 * @param step -1 while the new revision's first instance starts, else the index of the share in
 *     {@link RolloutPlan#steps} being held
 * @param stepSince when the step (or the warm-up) began
 * @param reason why it ended, for a rollout that failed or was aborted; else empty
 */
public record Rollout(String function, long stable, long canary, RolloutPlan plan, Status status, int step, Instant stepSince,
    Instant startedAt, Instant endedAt, String reason) {
  public enum Status { RUNNING, SUCCEEDED, FAILED, ABORTED }

  /** The tag the new revision has in the traffic split while it rolls out (its URL: {@code /fn/NAME@canary/}). */
  public static final String TAG = "canary";
  /** How long the new revision's first instance may take to start before the rollout fails. */
  public static final Duration WARM_UP_LIMIT = Duration.ofMinutes(5);

  public Rollout {
    reason = reason == null ? "" : reason;
  }

  /** A rollout that begins now: the new revision warms up while the stable one takes every call. */
  public static Rollout start(String function, long stable, long canary, RolloutPlan plan, Instant now) {
    return new Rollout(function, stable, canary, plan, Status.RUNNING, -1, now, now, null, "");
  }

  public boolean running() {
    return status == Status.RUNNING;
  }

  /** The new revision's share now. */
  public int percent() {
    return switch (status) {
      case RUNNING -> step < 0 ? 0 : plan.steps().get(step);
      case SUCCEEDED -> 100;
      case FAILED, ABORTED -> 0;
    };
  }

  /**
   * The traffic split this state asks for: the stable revision and the new one (tagged) in their
   * shares; once it succeeded, every call to the new revision ({@code latest} when it is the latest).
   */
  public Traffic traffic(long latest) {
    List<Traffic.Target> targets = new ArrayList<>();
    if (status == Status.SUCCEEDED) {
      targets.add(new Traffic.Target(canary == latest ? null : canary, 100, null));
      return new Traffic(targets);
    }
    int p = percent();
    targets.add(new Traffic.Target(stable, 100 - p, null));
    targets.add(new Traffic.Target(canary, p, TAG));
    return new Traffic(targets);
  }

  /** What the new revision did in the current step: ready to serve, failed to start, or its calls and the stable one's. */
  public record Observation(boolean canaryReady, String canaryFailure, CallWindow.Snapshot stable, CallWindow.Snapshot canary) {}

  /** The next state at {@code now}; {@code this} when nothing changes. */
  public Rollout next(Observation o, Instant now) {
    if (status != Status.RUNNING) {
      return this;
    }
    if (step < 0) {
      if (o.canaryFailure() != null) {
        return end(Status.FAILED, "revision " + canary + " did not start: " + o.canaryFailure(), now);
      }
      if (o.canaryReady()) {
        return new Rollout(function, stable, canary, plan, Status.RUNNING, 0, now, startedAt, null, "");
      }
      if (!now.isBefore(stepSince.plus(WARM_UP_LIMIT))) {
        return end(Status.FAILED, "revision " + canary + " had no instance ready within " + WARM_UP_LIMIT.toMinutes() + " minutes", now);
      }
      return this;
    }
    String breach = breach(o.stable(), o.canary());
    if (breach != null) {
      return end(Status.FAILED, breach, now);
    }
    if (now.isBefore(stepSince.plus(plan.interval())) || o.canary().calls() < RolloutPlan.MIN_CALLS_PER_STEP) {
      return this; // the step goes on: its time is not up, or the new revision has not answered enough calls to judge it
    }
    if (step + 1 < plan.steps().size()) {
      return new Rollout(function, stable, canary, plan, Status.RUNNING, step + 1, now, startedAt, null, "");
    }
    return end(Status.SUCCEEDED, "", now);
  }

  /**
   * Why the new revision answers worse than the stable one over the step, or null: its error rate
   * above the stable one's by more than the plan allows, or its latency above the stable one's times
   * the plan's ratio (plus {@link RolloutPlan#LATENCY_SLACK_MS}). Judged once it has answered
   * {@link RolloutPlan#MIN_CALLS_PER_STEP} calls in the step; the latency only when the stable one
   * has as many, at the quantile both windows can tell ({@link #judgedQuantile}).
   */
  String breach(CallWindow.Snapshot s, CallWindow.Snapshot c) {
    if (c.calls() < RolloutPlan.MIN_CALLS_PER_STEP) {
      return null;
    }
    double allowedErrors = s.errorRate() + plan.maxErrorIncrease();
    if (c.errorRate() > allowedErrors) {
      return String.format(java.util.Locale.ROOT, "revision %d failed %d of %d calls (%.1f %%), revision %d %.1f %% (allowed: +%.1f points)",
          canary, c.errors(), c.calls(), c.errorRate() * 100, stable, s.errorRate() * 100, plan.maxErrorIncrease() * 100);
    }
    if (s.calls() >= RolloutPlan.MIN_CALLS_PER_STEP) {
      double q = judgedQuantile(Math.min(s.calls(), c.calls()));
      double allowed = s.quantile(q) * plan.maxLatencyRatio() + RolloutPlan.LATENCY_SLACK_MS;
      if (c.quantile(q) > allowed) {
        return String.format(java.util.Locale.ROOT, "revision %d answered with p%s %.0f ms, revision %d %.0f ms (allowed: %.0f ms)", canary,
            percentile(q), c.quantile(q), stable, s.quantile(q), allowed);
      }
    }
    return null;
  }

  /**
   * The latency quantile compared over windows of at least {@code calls} calls each: the p99 once
   * there are enough calls for {@value RolloutPlan#SLOW_CALLS_TO_JUDGE} of them to lie above it
   * (500), else the highest quantile that many lie above — the median at 10 calls, the p90 at 50,
   * the p95 at 100. So one slow call (a garbage collection, the first call a new instance's JIT has
   * not seen) never decides a rollout on its own; several must be slow.
   */
  static double judgedQuantile(long calls) {
    return Math.max(0.5, Math.min(0.99, 1 - (double) RolloutPlan.SLOW_CALLS_TO_JUDGE / calls));
  }

  private static String percentile(double q) {
    double p = q * 100;
    return p == Math.rint(p) ? Long.toString((long) p) : String.format(java.util.Locale.ROOT, "%.1f", p);
  }

  /** Ended by hand: {@code promote} (the new revision takes every call now) or {@code abort} (back to the stable one). */
  public Rollout end(Status how, String why, Instant now) {
    return new Rollout(function, stable, canary, plan, how, step, stepSince, startedAt, now, why);
  }
}
