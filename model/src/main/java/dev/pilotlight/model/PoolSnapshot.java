package dev.pilotlight.model;

import java.util.List;

/**
 * One pool's instances and demand at one moment: the input of every scaling decision. Demand over
 * time reaches the autoscaler as the activator's reports (its {@code DemandMeter}), not here.
 *
 * @param pool the pool's name: the function's for the pool of its latest revision, {@code NAME@N}
 *     for the pool of an older revision N that a traffic split, alias or qualifier still calls
 * @param ready instances that can take requests (not draining)
 * @param starting instances being launched
 * @param inFlight requests being served
 * @param queued requests waiting for a free slot
 * @param instances per-instance load, draining ones included
 */
public record PoolSnapshot(String pool, FunctionSpec spec, int ready, int starting, int inFlight, int queued, List<InstanceLoad> instances) {
  public PoolSnapshot {
    instances = List.copyOf(instances);
  }

  /** The pool of the function's latest revision. */
  public PoolSnapshot(FunctionSpec spec, int ready, int starting, int inFlight, int queued, List<InstanceLoad> instances) {
    this(spec.name(), spec, ready, starting, inFlight, queued, instances);
  }

  /**
   * The pool's name, which the autoscaler and keep-alive policy key their state by: the function's
   * name, or {@code NAME@N} for a pinned older revision ({@link #pool}).
   */
  public String function() {
    return pool;
  }

  /** The name of the pool that serves revision {@code revision} of {@code function} when it is not the latest. */
  public static String pinnedPool(String function, long revision) {
    return function + "@" + revision;
  }

  /** Requests in flight or waiting now. */
  public int demand() {
    return inFlight + queued;
  }
}
