package dev.pilotlight.autoscaler;

import dev.pilotlight.model.PoolSnapshot;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Applies {@link ScalingDecider} to every pool once per tick: keeps minInstances up and stops
 * instances that have been idle past their function's idle timeout (scale to zero). Scale-up for
 * queued requests does not wait for a tick; the activator does it the moment a request queues.
 */
public final class ScalingLoop implements AutoCloseable {
  /** Default tick (1 s): idle timeouts are honoured to within this much. */
  public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);

  private final ScaleTarget target;
  private final ScalingDecider decider;
  private final InstantSource clock;
  private ScheduledExecutorService scheduler;

  public ScalingLoop(ScaleTarget target, ScalingDecider decider, InstantSource clock) {
    this.target = target;
    this.decider = decider;
    this.clock = clock;
  }

  /** One pass over every pool; public so tests drive it with a manual clock instead of waiting. */
  public void tick() {
    for (PoolSnapshot s : target.snapshots()) {
      for (String id : decider.instancesToStop(s, clock.instant())) {
        target.stopIfIdle(s.function(), id);
      }
      if (s.queued() == 0) {
        int start = decider.instancesToStart(s);
        if (start > 0) {
          target.startInstances(s.function(), start);
        }
      }
    }
  }

  public synchronized void start(Duration every) {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("scaling-loop").factory());
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        tick();
      } catch (RuntimeException e) {
        System.err.println("scaling loop: " + e);
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
