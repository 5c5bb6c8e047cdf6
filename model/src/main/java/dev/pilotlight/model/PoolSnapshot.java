package dev.pilotlight.model;

import java.util.List;

/**
 * One function's instances and demand at one moment: the input of every scaling decision. Demand
 * over time reaches the autoscaler as the activator's reports (its {@code DemandMeter}), not here.
 *
 * @param ready instances that can take requests (not draining)
 * @param starting instances being launched
 * @param inFlight requests being served
 * @param queued requests waiting for a free slot
 * @param instances per-instance load, draining ones included
 */
public record PoolSnapshot(FunctionSpec spec, int ready, int starting, int inFlight, int queued, List<InstanceLoad> instances) {
  public PoolSnapshot {
    instances = List.copyOf(instances);
  }

  public String function() {
    return spec.name();
  }

  /** Requests in flight or waiting now. */
  public int demand() {
    return inFlight + queued;
  }
}
