package dev.pilotlight.autoscaler;

import java.time.Instant;

/**
 * What a decision remembers for the next one: panic mode. The decider returns a new state with
 * every decision; it keeps none itself. (When the function went idle is the {@link IdleTimeTracker}'s
 * to know: see {@link IdlePolicy}.)
 *
 * @param panicSince when panic mode began; null when not panicking
 * @param lastOverThreshold the last decision that found the panic window over the threshold; panic
 *     ends a stable window after it
 * @param panicFloor while panicking, the instance count never decreases below this
 */
public record ScalingState(Instant panicSince, Instant lastOverThreshold, int panicFloor) {
  public static final ScalingState INITIAL = new ScalingState(null, null, 0);

  public boolean panicking() {
    return panicSince != null;
  }
}
