package dev.pilotlight.activation;

import dev.pilotlight.model.PoolSnapshot;

/** Decides how many instances to launch when a request finds no free slot; the autoscaler provides it. */
@FunctionalInterface
public interface ScaleUpPolicy {
  int instancesToStart(PoolSnapshot snapshot);
}
