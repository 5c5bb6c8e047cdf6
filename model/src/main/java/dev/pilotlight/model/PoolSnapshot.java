package dev.pilotlight.model;

import java.time.Instant;
import java.util.List;

/**
 * One function's instances and demand at one moment: the input of every scaling decision.
 *
 * @param ready instances that can take requests (not draining)
 * @param starting instances being launched
 * @param inFlight requests being served
 * @param queued requests waiting for a free slot
 * @param instances per-instance load, draining ones included
 * @param demandSeconds (in-flight + queued) integrated over time since the pool was created, in
 *     request-seconds: the difference between two snapshots divided by the time between them is the
 *     average concurrency in between, which short requests between two samples still count in
 * @param integratedUntil the instant up to which {@code demandSeconds} is integrated, or null when
 *     unknown; averages must divide by the time between two of these (not by the time between the
 *     readers' own clock reads, which can be shorter than what was integrated and so make one
 *     steady request look like more than one)
 */
public record PoolSnapshot(FunctionSpec spec, int ready, int starting, int inFlight, int queued, List<InstanceLoad> instances,
    double demandSeconds, Instant integratedUntil) {
  public PoolSnapshot {
    instances = List.copyOf(instances);
  }

  /** A snapshot whose integral's end is the reader's own clock. */
  public PoolSnapshot(FunctionSpec spec, int ready, int starting, int inFlight, int queued, List<InstanceLoad> instances,
      double demandSeconds) {
    this(spec, ready, starting, inFlight, queued, instances, demandSeconds, null);
  }

  /** A snapshot without a demand integral (tests and callers that look at one moment only). */
  public PoolSnapshot(FunctionSpec spec, int ready, int starting, int inFlight, int queued, List<InstanceLoad> instances) {
    this(spec, ready, starting, inFlight, queued, instances, 0);
  }

  public String function() {
    return spec.name();
  }

  /** Requests in flight or waiting now. */
  public int demand() {
    return inFlight + queued;
  }
}
