package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One level's last {@link KeepAliveDecision}, reused while nothing it depends on changed: the
 * level's histogram (its version), the {@link KeepAlivePolicy} asked (by identity, which is why
 * {@link KeepAlivePolicy}'s modes are shared instances) and its {@link KeepAlivePolicy#epoch} (a
 * shared price moved), the function's {@code idleTimeout} (the fixed policy's window) and its
 * memory (what a priced window weighs). Deciding is a pass over 240 bins, and the scaling loop asks every
 * function every second while its histogram changes only when a call comes.
 *
 * <p>The {@link IdleTimeTracker} holds one per level, under its own lock; not thread-safe itself.
 */
final class KeepAliveDecisionCache {
  private long version = -1;
  private KeepAlivePolicy policy;
  private Duration idleTimeout;
  private int memoryMb;
  private long epoch;
  private KeepAliveDecision decision;

  /** The decision last made (null: none yet): the window in force, whatever changed since. */
  KeepAliveDecision last() {
    return decision;
  }

  /** The policy {@link #last} was asked of (null: none yet). */
  KeepAlivePolicy lastPolicy() {
    return policy;
  }

  /** The decision for histogram {@code version} of the level: the one cached, or {@code decide}'s, then cached. */
  KeepAliveDecision get(long version, FunctionSpec spec, KeepAlivePolicy policy, Supplier<KeepAliveDecision> decide) {
    long e = policy.epoch();
    if (decision == null || this.version != version || this.policy != policy || !spec.idleTimeout().equals(idleTimeout)
        || spec.memoryMb() != memoryMb || e != epoch) {
      decision = decide.get();
      this.version = version;
      this.policy = policy;
      this.idleTimeout = spec.idleTimeout();
      this.memoryMb = spec.memoryMb();
      this.epoch = e;
    }
    return decision;
  }
}
