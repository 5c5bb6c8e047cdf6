package dev.pilotlight.autoscaler;

import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Concurrency-based scaling, as pure functions with no I/O and no clock of their own.
 *
 * <p>Desired instances = ceil((in-flight + queued) / concurrency per instance), clamped to
 * [minInstances, maxInstances]. Scale-down is by idleness: an instance with nothing in flight for
 * the function's idle timeout is stopped, oldest first, never going below minInstances. This is the
 * simple policy of the core slice; the windowed (stable/panic) autoscaler replaces it later behind
 * the same inputs.
 */
public final class ScalingDecider {

  /** How many instances to launch now for this snapshot (0 when enough are ready or starting). */
  public int instancesToStart(PoolSnapshot s) {
    int concurrency = s.spec().concurrency();
    int demand = s.inFlight() + s.queued();
    int desired = (demand + concurrency - 1) / concurrency;
    desired = Math.max(desired, s.spec().minInstances());
    desired = Math.min(desired, s.spec().maxInstances());
    return Math.max(0, desired - s.ready() - s.starting());
  }

  /** Ids of instances idle for at least the idle timeout at {@code now}, oldest first, keeping minInstances. */
  public List<String> instancesToStop(PoolSnapshot s, Instant now) {
    int removable = s.ready() - s.spec().minInstances();
    if (removable <= 0) {
      return List.of();
    }
    Instant idleBefore = now.minus(s.spec().idleTimeout());
    return s.instances().stream()
        .filter(i -> !i.draining() && i.inFlight() == 0 && !i.lastUsed().isAfter(idleBefore))
        .sorted(Comparator.comparing(InstanceLoad::lastUsed))
        .limit(removable)
        .map(InstanceLoad::id)
        .toList();
  }
}
