package dev.pilotlight.model.io;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one task on a daemon thread of its own, again and again with a fixed pause between the end of
 * one run and the start of the next. A run that throws is logged and the next one comes as usual.
 */
public final class Ticker implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Ticker.class.getName());

  private final String name;
  private final Runnable task;
  private ScheduledExecutorService scheduler;

  /** @param name the thread's name and the log lines' prefix */
  public Ticker(String name, Runnable task) {
    this.name = name;
    this.task = task;
  }

  /** Starts the runs, the first after {@code every}; a second call does nothing. */
  public synchronized void start(Duration every) {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name).factory());
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, name + ": " + e);
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops the runs (a run under way is interrupted). */
  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
    }
    if (s != null) {
      s.shutdownNow();
    }
  }
}
