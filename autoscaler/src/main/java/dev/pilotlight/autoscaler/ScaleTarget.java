package dev.pilotlight.autoscaler;

import dev.pilotlight.model.PoolSnapshot;
import java.util.List;

/** What the scaling loop needs from whoever holds the instances (the activator implements it). */
public interface ScaleTarget {
  /** A snapshot of every function's pool. */
  List<PoolSnapshot> snapshots();

  /** Launches {@code count} more instances of {@code function}. */
  void startInstances(String function, int count);

  /** Stops the instance if it is still idle (a request may have taken it since the snapshot). */
  boolean stopIfIdle(String function, String instanceId);
}
