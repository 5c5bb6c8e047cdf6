package dev.pilotlight.model.io;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs one task on a daemon thread of its own, again and again with a fixed pause between the end of
 * one run and the start of the next. A run that throws is logged and the next one comes as usual.
 *
 * <p>Or, started with {@link #startWhileBusy}, only while there is work: after a run it runs again a
 * pause later if its {@code busy} test says so, and otherwise not until {@link #wake} is called. An
 * idle daemon's every wake-up costs CPU (on a virtual machine more than a little), so a task that
 * usually has nothing to do should not tick.
 */
public final class Ticker implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Ticker.class.getName());

  private final String name;
  private final Runnable task;
  private ScheduledExecutorService scheduler; // guarded by this
  private Duration every; // of a ticker started while busy; guarded by this
  private BooleanSupplier busy; // null unless started while busy; guarded by this
  private boolean due; // a run is scheduled; guarded by this

  /** @param name the thread's name and the log lines' prefix */
  public Ticker(String name, Runnable task) {
    this.name = name;
    this.task = task;
  }

  /** Starts the runs, the first after {@code every}; a second call (of either start) does nothing. */
  public synchronized void start(Duration every) {
    if (scheduler != null) {
      return;
    }
    scheduler = newScheduler();
    scheduler.scheduleWithFixedDelay(this::runOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a run {@code every} from now, then one {@code every} after each run for which {@code busy}
   * is true after it; when it is false the ticker waits for {@link #wake}. A second call (of either
   * start) does nothing.
   */
  public synchronized void startWhileBusy(Duration every, BooleanSupplier busy) {
    if (scheduler != null) {
      return;
    }
    scheduler = newScheduler();
    this.every = every;
    this.busy = busy;
    wake();
  }

  /** A ticker started while busy runs {@code every} from now, unless a run is due already; otherwise nothing. */
  public synchronized void wake() {
    if (busy == null || due || scheduler.isShutdown()) {
      return;
    }
    due = true;
    scheduler.schedule(this::runWhileBusy, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void runWhileBusy() {
    BooleanSupplier b;
    synchronized (this) {
      due = false;
      b = busy;
    }
    runOnce();
    if (b.getAsBoolean()) {
      wake();
    }
  }

  private void runOnce() {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, name + ": " + e);
    }
  }

  private ScheduledExecutorService newScheduler() {
    return Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name).factory());
  }

  /** Stops the runs (a run under way is interrupted); a later {@link #wake} does nothing. */
  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow(); // does not wait: holding the lock here blocks no run for long
    }
  }
}
