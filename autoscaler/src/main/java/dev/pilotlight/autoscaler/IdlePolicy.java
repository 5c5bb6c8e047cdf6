package dev.pilotlight.autoscaler;

import dev.pilotlight.model.PoolSnapshot;
import java.time.Instant;
import java.util.List;

/**
 * The keep-alive question the {@link ScalingDecider} asks of a function with nothing in flight or
 * queued: how many instances to keep (or, at zero, to pre-warm), and how many a recurring burst is
 * expected to need. {@code minInstances} and {@code maxInstances} are applied afterwards.
 *
 * <p>The daemon's implementation is {@link KeepAliveIdlePolicy}: each function's {@code keepAlive}
 * mode ({@code histogram}, the learned keep-alive; {@code fixed}, the {@code idleTimeout};
 * {@code off}) as a {@link KeepAlivePolicy} window over the {@link IdleTimeTracker}. Tests run the
 * fixed keep-alive as the daemon does: {@code KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED)}.
 *
 * <p>"Idle since" is the tracker's {@link IdleTimeTracker#idleSince}: when the activator reported
 * that the function's last request in flight or queued ended. Not the instances' last use, because
 * a pre-warmed instance that has served nothing must not move the window it was started for, and
 * an instance stopped or crashed takes its last use with it; and not a moment the decider
 * remembers, because the tracker's is saved with the function's rhythm and survives a restart, and
 * is the same moment the idle-time histogram measures from, so a learned window lines up with it.
 */
@FunctionalInterface
public interface IdlePolicy {
  /**
   * Instances to keep now: 0 lets the function scale to zero; a positive count keeps (or, at zero,
   * pre-warms) that many.
   *
   * @param snapshot the function's pool now (nothing in flight or queued)
   */
  int instancesWhileIdle(PoolSnapshot snapshot, Instant now);

  /**
   * Instances the policy expects the function to need soon, beyond one: the autoscaler keeps (or
   * pre-warms) at least this many while the function is not scaling to zero. 0 by default: above
   * one instance, only the autoscaler decides.
   */
  default int instancesExpected(PoolSnapshot snapshot, Instant now) {
    return 0;
  }

  /**
   * Every pool, once per tick of the scaling loop, before any is decided: for what a policy sets
   * across functions (the learned keep-alive's shared price, {@link KeepAlivePrice}). Nothing by default.
   */
  default void observe(List<PoolSnapshot> pools, Instant now) {}
}
