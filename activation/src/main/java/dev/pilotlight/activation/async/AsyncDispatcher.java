package dev.pilotlight.activation.async;

import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.Destination;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs accepted asynchronous invocations at least once. An event is stored before it is
 * acknowledged ({@link #accept}); a tick claims the events that are due, runs each through the
 * daemon's invoke path and applies {@link RetryPolicy}'s decision to the queue. Claimed events a
 * previous run never finished are queued again on {@link #start}. All queue work happens on the
 * dispatcher's one thread (SQLite is blocking; completions arrive on event loops and hop over).
 */
public final class AsyncDispatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AsyncDispatcher.class.getName());


  /**
   * Daemon-wide settings; a function's own {@code retryDelay} wins over this one.
   *
   * @param retryDelay wait before the first retry after a function error (default 1 min, as Lambda)
   * @param throttleDelay wait before trying again an event that could not run (default 1 s)
   * @param pollInterval how often due events are looked for while there are some; a quiet queue is polled less, down to
   *     once per {@link #IDLE_POLL_MAX}; a new event is started at once (default 100 ms)
   * @param maxInFlight events running at once over all functions (default 64)
   * @param paused store and acknowledge events but run none (default false)
   */
  public record Settings(Duration retryDelay, Duration throttleDelay, Duration pollInterval, int maxInFlight, boolean paused) {
    public Settings {
      if (retryDelay == null || retryDelay.isNegative() || retryDelay.isZero()) {
        throw new IllegalArgumentException("retryDelay: " + retryDelay + " (expected: > 0)");
      }
      if (throttleDelay == null || throttleDelay.isNegative() || throttleDelay.isZero()) {
        throw new IllegalArgumentException("throttleDelay: " + throttleDelay + " (expected: > 0)");
      }
      if (pollInterval == null || pollInterval.toMillis() < 1) {
        throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: >= 1ms)");
      }
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
      }
    }

    public static Settings defaults() {
      return new Settings(Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(100), 64, false);
    }

    public Settings withRetryDelay(Duration d) {
      return new Settings(d, throttleDelay, pollInterval, maxInFlight, paused);
    }

    public Settings withPaused(boolean p) {
      return new Settings(retryDelay, throttleDelay, pollInterval, maxInFlight, p);
    }
  }

  /** The current settings of a function, if it exists. */
  @FunctionalInterface
  public interface Specs {
    Optional<FunctionSpec> find(String function);
  }

  private final EventQueue queue;
  private volatile Destinations destinations = Destinations.NONE;
  private final EventRunner runner;
  private final Specs specs;
  private final EventLog log;
  private final Settings settings;
  private final InstantSource clock;
  private final Executor executor;
  private final ScheduledExecutorService scheduler; // null when driven by hand (tests)
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<Long, AsyncEvent> running = new ConcurrentHashMap<>(); // claimed by this dispatcher, not settled
  private volatile boolean claiming = true;
  private final AtomicBoolean wakePending = new AtomicBoolean();

  AsyncDispatcher(EventQueue queue, EventRunner runner, Specs specs, EventLog log, Settings settings, InstantSource clock,
      Executor executor, ScheduledExecutorService scheduler) {
    this.queue = queue;
    this.runner = runner;
    this.specs = specs;
    this.log = log;
    this.settings = settings;
    this.clock = clock;
    this.executor = executor;
    this.scheduler = scheduler;
  }

  /** Where events' outcomes go when their function names destinations (default {@link Destinations#NONE}); set before {@link #start}. */
  public AsyncDispatcher destinations(Destinations d) {
    this.destinations = d;
    return this;
  }

  /**
   * The longest wait between two polls of a queue that has had nothing due. Events this daemon
   * queues wake it, and a retry's due time is waited for exactly; this bounds only how late it
   * takes up events queued by others (a draining daemon's hand-backs, on a shared database).
   */
  public static final Duration IDLE_POLL_MAX = Duration.ofSeconds(5);

  /** A dispatcher with a thread of its own; call {@link #start} to begin running events. */
  public static AsyncDispatcher create(EventQueue queue, EventRunner runner, Specs specs, EventLog log, Settings settings, InstantSource clock) {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().daemon().name("async-dispatcher").unstarted(r));
    return new AsyncDispatcher(queue, runner, specs, log, settings, clock, thread, thread);
  }

  /** Queues again what a previous run claimed but never finished, then polls for due events (unless paused). */
  public void start() {
    queue.requeueClaimed(clock.instant());
    if (scheduler != null && !settings.paused()) {
      poll(0);
    }
  }

  /**
   * The polling rhythm: every poll interval while events are being claimed or run; while the queue
   * has given nothing, the wait doubles up to {@link #IDLE_POLL_MAX} (an idle daemon then asks its
   * database once every few seconds, not ten times a second), but never past the next queued
   * event's due time (a retry or a throttled event), which is polled for when it comes. A new event
   * never waits for a poll (it wakes the dispatcher).
   */
  private void poll(long delayMs) {
    try {
      scheduler.schedule(() -> {
        long next;
        try {
          int claimed = tickSafely();
          long base = settings.pollInterval().toMillis();
          next = claimed > 0 || inFlight.get() > 0 ? base : idleWait(delayMs, base);
        } catch (RuntimeException e) {
          next = settings.pollInterval().toMillis();
        }
        poll(next);
      }, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // shut down
    }
  }

  /**
   * After a poll that found nothing: twice the last wait, at most {@link #IDLE_POLL_MAX} and until the
   * next due event (while claiming: a draining daemon claims nothing, due or not).
   */
  private long idleWait(long lastMs, long baseMs) {
    long wait = Math.min(Math.max(lastMs, baseMs) * 2, Math.max(baseMs, IDLE_POLL_MAX.toMillis()));
    Instant due = claiming ? queue.nextDue() : null;
    if (due != null) {
      wait = Math.min(wait, Math.max(baseMs, due.toEpochMilli() - clock.millis()));
    }
    return wait;
  }

  /** Stores an event durably (before the caller acknowledges it) and starts it if there is room. */
  public AsyncEvent accept(String function, String requestId, byte[] payload) {
    AsyncEvent e = queue.enqueue(function, requestId, payload, clock.instant());
    wake();
    return e;
  }

  public List<AsyncEvent> failures(String function) {
    return queue.failed(function);
  }

  /** Queues every failed event of {@code function} again; returns how many. */
  public int redrive(String function) {
    int n = queue.redrive(function, clock.instant());
    if (n > 0) {
      wake();
    }
    return n;
  }

  /** Forgets every event of a removed function; returns how many. */
  public int purge(String function) {
    return queue.purge(function);
  }

  /** Events were queued without {@link #accept} (a schedule's ticks): run them now rather than at the next poll. */
  public void queued() {
    wake();
  }

  /** Events claimed and not yet settled. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * A drain begins: no event is claimed from now on (a new one is still stored by {@link #accept}),
   * while those running go on and are settled as usual. For good.
   */
  public void stopClaiming() {
    claiming = false;
  }

  /**
   * The end of a drain: every event still running goes back to the queue, due now, with its
   * attempts and last error as they were (this run does not count as an attempt), so another node
   * or the next start runs it again (at least once). A run that ends after this is not settled by
   * this dispatcher. Returns how many went back.
   */
  public int handBack() {
    Instant now = clock.instant();
    int n = 0;
    for (AsyncEvent e : List.copyOf(running.values())) {
      if (running.remove(e.id()) != null) {
        queue.retry(e.id(), e.attempts(), now, e.lastError());
        log.line(e.function(), e.requestId(), "ASYNC the node shut down before the event finished; queued again");
        n++;
      }
    }
    return n;
  }

  private void wake() {
    if (settings.paused() || !claiming || !wakePending.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(() -> {
        wakePending.set(false);
        tickSafely();
      });
    } catch (RejectedExecutionException closed) {
      wakePending.set(false); // stored already; it runs after the next start
    }
  }

  private int tickSafely() {
    try {
      return tick();
    } catch (RuntimeException e) {
      // The queue is unusable for now (disk full, closed at shutdown); claimed events stay claimed
      // and run after the next start, so nothing is lost by skipping this tick.
      LOG.log(System.Logger.Level.WARNING, "pilotlight: async dispatcher: " + e.getMessage());
      return 0;
    }
  }

  /** Claims the events due now, as many as there is room for, and starts each; returns how many. */
  int tick() {
    int room = settings.maxInFlight() - inFlight.get();
    if (room <= 0 || !claiming) {
      return 0;
    }
    Instant now = clock.instant();
    int claimed = 0;
    for (AsyncEvent e : queue.claimDue(now, room)) {
      inFlight.incrementAndGet();
      running.put(e.id(), e);
      claimed++;
      dispatch(e, now);
    }
    return claimed;
  }

  private void dispatch(AsyncEvent e, Instant now) {
    FunctionSpec spec = specs.find(e.function()).orElse(null);
    if (spec == null) {
      settle(e, new Outcome.Gone("function '" + e.function() + "' does not exist"), limits(null), null);
      return;
    }
    RetryPolicy.Limits limits = limits(spec);
    if (RetryPolicy.expired(e, limits, now)) {
      settle(e, new Outcome.Gone("the event is older than the maximum event age of " + limits.maxEventAge().toMillis()
          + " ms" + (e.lastError() == null ? "" : "; last error: " + e.lastError())), limits, spec);
      return;
    }
    runner.run(e.function(), e.requestId(), e.payload()).whenCompleteAsync((outcome, error) -> settle(e,
        error != null ? new Outcome.Throttled("the invoke path failed: " + error) : outcome, limits, spec), executor);
  }

  private RetryPolicy.Limits limits(FunctionSpec spec) {
    if (spec == null) {
      return new RetryPolicy.Limits(0, FunctionSpec.DEFAULT_MAX_EVENT_AGE, settings.retryDelay(), settings.throttleDelay());
    }
    Duration delay = spec.retryDelay() != null ? spec.retryDelay() : settings.retryDelay();
    return new RetryPolicy.Limits(spec.maxRetries(), spec.maxEventAge(), delay, settings.throttleDelay());
  }

  /** @param spec the function's settings when the event was dispatched; null when it no longer exists */
  private void settle(AsyncEvent e, Outcome outcome, RetryPolicy.Limits limits, FunctionSpec spec) {
    if (running.remove(e.id()) == null) {
      inFlight.decrementAndGet(); // handed back at a drain's end: the queue has it again
      return;
    }
    try {
      Instant now = clock.instant();
      switch (RetryPolicy.decide(e, outcome, limits, now)) {
        case RetryPolicy.Decision.Done d -> {
          List<String> undelivered = send(e, spec, Destinations.Kind.ON_SUCCESS, "Success", e.attempts() + 1, outcome, now);
          if (undelivered.isEmpty()) {
            queue.complete(e.id());
          } else {
            // Nothing acknowledged is lost: kept as a failure; a re-drive runs the function again (at least once).
            String error = "the function succeeded, but " + String.join("; ", undelivered);
            queue.fail(e.id(), e.attempts() + 1, error, now);
            log.line(e.function(), e.requestId(), "ASYNC " + error + "; kept for redrive");
          }
        }
        case RetryPolicy.Decision.RetryAt r -> {
          queue.retry(e.id(), r.attempts(), r.at(), r.error());
          if (r.attempts() > e.attempts()) {
            log.line(e.function(), e.requestId(), "ASYNC attempt " + r.attempts() + " failed, retry at " + r.at() + ": " + r.error());
          }
        }
        case RetryPolicy.Decision.GiveUp g -> giveUp(e, outcome, limits, spec, g, now);
      }
    } catch (RuntimeException storeFailed) {
      // Left claimed: it runs again after the next start (at least once).
      LOG.log(System.Logger.Level.WARNING, "pilotlight: async dispatcher: event " + e.id() + ": " + storeFailed.getMessage());
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * An event given up on goes to its function's on-failure destination and dead-letter target; it
   * leaves the queue only when every one it names has it, else it is kept as a failure (with what
   * could not be sent) for a re-drive, as it is when the function names neither.
   */
  private void giveUp(AsyncEvent e, Outcome outcome, RetryPolicy.Limits limits, FunctionSpec spec, RetryPolicy.Decision.GiveUp g,
      Instant now) {
    String condition = outcome instanceof Outcome.FunctionError && g.attempts() > limits.maxRetries() ? "RetriesExhausted"
        : "EventAgeExceeded";
    int ran = outcome instanceof Outcome.Gone || outcome instanceof Outcome.Throttled ? e.attempts() : g.attempts();
    boolean named = spec != null && (spec.onFailure() != null || spec.deadLetter() != null);
    List<String> undelivered = new ArrayList<>(send(e, spec, Destinations.Kind.ON_FAILURE, condition, ran, outcome, now));
    undelivered.addAll(send(e, spec, Destinations.Kind.DEAD_LETTER, condition, ran, outcome, now));
    if (named && undelivered.isEmpty()) {
      queue.complete(e.id());
      log.line(e.function(), e.requestId(), "ASYNC event failed after " + g.attempts() + " attempt(s) (" + condition + "): " + g.error());
      return;
    }
    String error = undelivered.isEmpty() ? g.error() : g.error() + "; " + String.join("; ", undelivered);
    queue.fail(e.id(), g.attempts(), error, now);
    log.line(e.function(), e.requestId(), "ASYNC event failed after " + g.attempts() + " attempt(s), kept for redrive: " + error);
  }

  /** Sends {@code kind} if the function names it; returns what could not be sent (empty: sent, or nothing named). */
  private List<String> send(AsyncEvent e, FunctionSpec spec, Destinations.Kind kind, String condition, int invokeCount, Outcome outcome,
      Instant now) {
    if (spec == null) {
      return List.of();
    }
    Optional<Destination> to;
    try {
      to = switch (kind) {
        case ON_SUCCESS -> spec.successDestination();
        case ON_FAILURE -> spec.failureDestination();
        case DEAD_LETTER -> spec.deadLetterTarget();
      };
    } catch (RuntimeException invalid) {
      return List.of("its " + kind + " is not valid: " + invalid.getMessage());
    }
    if (to.isEmpty()) {
      return List.of();
    }
    try {
      String where = destinations.send(to.get(), new Destinations.Delivery(kind, e, condition, invokeCount, outcome, now));
      log.line(e.function(), e.requestId(), "ASYNC " + condition + ": sent to the " + kind + " " + to.get().arn() + " (" + where + ")");
      return List.of();
    } catch (Exception failed) {
      return List.of("its " + kind + " " + to.get().arn() + " did not take it: " + failed.getMessage());
    }
  }

  /** Stops polling; events still running stay claimed and run again after the next start. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
