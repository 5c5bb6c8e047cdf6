package dev.pilotlight.autoscaler;

import java.time.Instant;

/**
 * What a decision remembers for the next one: panic mode and when demand was last seen. The
 * decider returns a new state with every decision; it keeps none itself.
 *
 * @param panicSince when panic mode began; null when not panicking
 * @param lastOverThreshold the last decision that found the panic window over the threshold; panic
 *     ends a stable window after it
 * @param panicFloor while panicking, the instance count never decreases below this
 * @param lastActive the last moment the function had a request in flight or queued; null if never
 */
public record ScalingState(Instant panicSince, Instant lastOverThreshold, int panicFloor, Instant lastActive) {
  public static final ScalingState INITIAL = new ScalingState(null, null, 0, null);

  public boolean panicking() {
    return panicSince != null;
  }
}
