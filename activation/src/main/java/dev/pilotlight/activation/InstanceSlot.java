package dev.pilotlight.activation;

import dev.pilotlight.model.Instance;
import java.time.Instant;

/**
 * One ready instance in a {@link PoolState} and how busy it is. Its fields belong to the state and
 * change only in its transitions; outside it, only {@link #instance()} is read.
 */
public final class InstanceSlot {
  final Instance instance;
  /** Started by the keep-alive policy before an expected call, not for a request. */
  final boolean prewarmed;
  int inFlight;
  Instant lastUsed;
  boolean draining;
  boolean served;
  boolean memoryReturned;

  InstanceSlot(Instance instance, boolean prewarmed, Instant now) {
    this.instance = instance;
    this.prewarmed = prewarmed;
    this.lastUsed = now;
  }

  public Instance instance() {
    return instance;
  }

  int memoryMb() {
    return instance.deployment().spec().memoryMb();
  }
}
