package dev.pilotlight.autoscaler;

import dev.pilotlight.model.PoolSnapshot;
import java.util.List;

/** What the scaling loop needs from whoever holds the instances (the activator, over the executor). */
public interface ScaleTarget {
  /** A snapshot of every function's pool. */
  List<PoolSnapshot> snapshots();

  /** Launches {@code count} more instances of {@code function} (fewer if the node's memory budget is in use). */
  void startInstances(String function, int count);

  /**
   * Scales an instance down: it takes no new request, finishes those in flight, then stops. Returns
   * false, doing nothing, if the instance is gone or requests are waiting (a request may have
   * arrived since the snapshot).
   */
  boolean drain(String function, String instanceId);

  /**
   * Starts one instance because the {@link IdlePolicy} expects a call soon, not for demand: called
   * {@link ScalingDecision#prewarms} times (at zero with nothing in flight, or for a recurring burst
   * the policy expects). By default an ordinary start.
   */
  default void prewarm(String function) {
    startInstances(function, 1);
  }

  /** The decision just taken for {@code function}, for status and metrics. */
  default void decided(String function, ScalingDecision decision) {}
}
