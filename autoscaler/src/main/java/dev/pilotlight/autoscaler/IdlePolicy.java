package dev.pilotlight.autoscaler;

import dev.pilotlight.model.PoolSnapshot;
import java.time.Instant;

/**
 * The scale-to-zero decision: how many instances to keep for a function that has nothing in flight
 * or queued. Kept apart from {@link ScalingDecider} so that another policy (a learned keep-alive or
 * pre-warm policy) can replace the fixed idle timeout; {@code minInstances} is applied afterwards.
 */
@FunctionalInterface
public interface IdlePolicy {
  /**
   * Instances to keep now: 0 lets the function scale to zero; a positive count keeps (or, at zero,
   * starts) that many.
   *
   * @param snapshot the function's pool now (nothing in flight or queued)
   * @param lastActive the last moment it had a request in flight or queued; null if never since the daemon started
   */
  int instancesWhileIdle(PoolSnapshot snapshot, Instant lastActive, Instant now);

  /**
   * Instances the policy expects the function to need soon, beyond one: the autoscaler keeps (or
   * starts) at least this many while the function is not scaling to zero. 0 by default: above one
   * instance, only the autoscaler decides.
   */
  default int instancesExpected(PoolSnapshot snapshot, Instant now) {
    return 0;
  }

  /** The default: keep one instance until the function has been idle for its {@code idleTimeout}, then none. */
  IdlePolicy IDLE_TIMEOUT = (snapshot, lastActive, now) ->
      lastActive != null && now.isBefore(lastActive.plus(snapshot.spec().idleTimeout())) ? 1 : 0;
}
