package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every broker's poller does the same way: a thread of its own that (re)connects with backoff
 * and a {@code Problem} state while the broker cannot be read (1 s, doubling to 30 s: never a busy
 * loop), gathers up to {@code batchSize} messages or for {@code batchWindow} after the first, drops
 * what no filter matches, runs the batch on the function and acknowledges it only then (at least
 * once), retries a failed batch after 1 s, 2 s, 4 s… up to {@code maxRetries} times, then gives it up
 * (to the function's failures list unless the broker has a better place) and acknowledges it. A
 * subclass connects, says how a message is acknowledged, shown to filters and put in the event.
 *
 * @param <M> one message as the broker's client delivers it
 */
abstract class BatchPoller<M> implements SourcePoller {
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  final EventSourceMapping mapping;
  final EventInvoker invoker;
  final MappingStore store;
  final InstantSource clock;
  final EventSources.Log log;
  private final List<FilterPattern> filters;
  private final Thread thread;
  volatile boolean closed;
  volatile boolean enabled;
  private volatile String state = "Creating";
  private volatile String lastError;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong failedMessages = new AtomicLong();
  private final AtomicLong filteredMessages = new AtomicLong();
  /** Messages waiting at the broker when last asked; -1: not known (or the broker does not say). */
  volatile long queueDepth = -1;
  /** Batches running on threads of their own (see {@link #maxInFlight}), under its own lock. */
  private final Object flight = new Object();
  private int inFlight;
  private Exception flightFailure;
  /** A batch ended unacknowledged since this connection was made (see {@link Unacknowledged}). */
  private volatile boolean unacknowledged;

  BatchPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    this.mapping = mapping;
    this.invoker = invoker;
    this.store = store;
    this.clock = clock;
    this.log = log;
    this.enabled = mapping.enabled();
    this.filters = mapping.filters().stream().map(FilterPattern::parse).toList();
    this.thread = Thread.ofPlatform().daemon().name("source-" + mapping.uuid().substring(0, 8)).unstarted(this::run);
  }

  // ---- what a broker's poller says --------------------------------------------------------------

  /** The source as shown in logs: never with its password. */
  abstract String shown();

  /** Connects and subscribes, then calls {@link #pump} with where deliveries arrive; throws when the broker is lost. */
  abstract void consume() throws Exception;

  /** Drops the connection, if any; called after {@link #consume} ends, and by {@link #close}. */
  abstract void disconnect();

  /** Throws when the connection is gone. */
  abstract void checkOpen() throws Exception;

  /** Called while no message came for half a second, and after each batch: a chance to ask the queue's depth. */
  void housekeep(boolean afterBatch) throws Exception {}

  /** Called before a failed batch is tried again (a broker that delivers anew what is not acknowledged in time is told to wait). */
  void retrying(List<M> batch) throws Exception {}

  /** Acknowledges {@code all} (a batch, in delivery order). */
  abstract void ack(List<M> all) throws Exception;

  /**
   * Called once the batch {@code all} is done with, acknowledged or not
   * (a pause, a close or a failure can end it before its acknowledgement), on the thread that ran it,
   * before it stops counting as in flight; must not throw.
   */
  void ended(List<M> all) {}

  /**
   * Whether the batch just gathered may still run (asked on the poller's thread before it is
   * dispatched): a poller that lost its messages while gathering them (Kafka: the partition was taken
   * away) says no, and the batch is dropped unacknowledged, for the broker to deliver again.
   */
  boolean stillHeld(List<M> batch) {
    return true;
  }

  /** What a filter pattern is matched against. */
  abstract JsonNode matchView(M m);

  /** The event a batch becomes. */
  abstract byte[] event(List<M> batch);

  /**
   * How many batches may run at once now (asked before each batch): 1, the default, runs them one
   * at a time on the poller's thread, in order; more lets the poller gather the next batch while
   * others run, each on a thread of its own, acknowledged as each ends ({@link #ack} must then take
   * batches out of order).
   */
  int maxInFlight() {
    return 1;
  }

  /** Where a batch given up on goes: by default the function's failures list. */
  void giveUp(List<M> batch, byte[] event, String requestId, String error) throws Exception {
    store.recordFailed(mapping.function(), requestId, event, error, clock.instant());
    log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": a batch of " + batch.size() + " message(s) kept in the failures list "
        + "(request " + requestId + ") after " + (mapping.maxRetries() + 1) + " failed attempt(s)");
  }

  // ---- SourcePoller ----------------------------------------------------------------------------

  @Override
  public EventSourceMapping mapping() {
    return mapping.withEnabled(enabled);
  }

  @Override
  public void start() {
    thread.start();
  }

  @Override
  public String state() {
    return !enabled ? "Disabled" : state;
  }

  @Override
  public String lastError() {
    return lastError;
  }

  @Override
  public long batches() {
    return batches.get();
  }

  @Override
  public long messages() {
    return messages.get();
  }

  @Override
  public long failedMessages() {
    return failedMessages.get();
  }

  @Override
  public long filteredMessages() {
    return filteredMessages.get();
  }

  @Override
  public long queueDepth() {
    return queueDepth;
  }

  /**
   * Pauses or resumes. A pause lets the batch in flight finish (and be acknowledged); then the
   * poller leaves the broker within half a second, and what it had been sent but not acknowledged
   * goes back to it.
   */
  @Override
  public synchronized void enable(boolean on) {
    enabled = on;
    notifyAll();
  }

  /** Waits up to {@code ms} for the poller's thread to end (after {@link #close}); true if it did. */
  boolean awaitStopped(long ms) {
    try {
      thread.join(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    disconnect();
    thread.interrupt();
  }

  // ---- the loop ----------------------------------------------------------------------------------

  private void run() {
    long backoffMs = 1000;
    while (!closed) {
      synchronized (this) {
        while (!enabled && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            if (closed) {
              return;
            }
          }
        }
      }
      if (closed) {
        return;
      }
      try {
        consume();
        backoffMs = 1000;
      } catch (Unacknowledged e) {
        // a batch ended unacknowledged while the poller went on: the connection is dropped (finally)
        // and made anew at once, so the broker delivers that batch again before anything after it
        log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": " + e.getMessage());
      } catch (Exception e) {
        if (closed) {
          return;
        }
        if (!enabled) {
          continue;
        }
        String why = describe(e);
        if (!"Problem".equals(state) || !why.equals(lastError)) {
          log.line(mapping.function(), "SOURCE " + mapping.uuid() + " (" + shown() + "): " + why + "; trying again in " + backoffMs + " ms");
        }
        state = "Problem";
        lastError = why;
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      } finally {
        disconnect();
      }
    }
  }

  /**
   * Thrown by {@link #pump} when a batch ended without being acknowledged (paused, or its connection
   * lost, while it ran) and the poller is going on: acknowledging anything after it would skip it
   * (Kafka's offsets, RabbitMQ's contiguous acknowledgements) or leave it held (NATS), so the poller
   * connects anew and the broker delivers it again.
   */
  static final class Unacknowledged extends Exception {
    Unacknowledged() {
      super("a batch ended unacknowledged (paused or disconnected while it ran); connecting again, so the broker delivers it again");
    }
  }

  /** Where {@link #pump} takes messages from: the next one, waiting up to {@code nanos} (0: only what is there); null if none came. */
  @FunctionalInterface
  interface Next<M> {
    M next(long nanos) throws Exception;
  }

  /** The first pause while a batch fills from a queue the broker's client fills (see {@link #pump(BlockingQueue)}). */
  static final long GATHER_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** The longest such pause, reached while nothing comes. */
  static final long GATHER_PAUSE_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * Called by {@link #consume} once subscribed: batches from {@code inbox} (which the broker's client
   * fills on a thread of its own) until paused, closed or the connection fails (thrown). The first
   * message of a batch is waited for; the rest are taken as they are there, with short pauses between
   * looks (1 ms, doubling up to 20 ms while nothing comes) instead of waiting on the queue for each:
   * a waiting poller makes the client's thread wake it for every message, which on a virtual machine
   * costs more than the message (two context switches each).
   */
  final void pump(BlockingQueue<M> inbox) throws Exception {
    long[] pause = {GATHER_PAUSE_NANOS};
    pump(nanos -> inbox.poll(nanos, TimeUnit.NANOSECONDS), nanos -> {
      M m = inbox.poll();
      if (m != null || nanos <= 0) {
        pause[0] = GATHER_PAUSE_NANOS;
        return m;
      }
      long deadline = System.nanoTime() + nanos;
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return inbox.poll();
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(left, pause[0]));
        m = inbox.poll();
        if (m != null) {
          return m;
        }
        pause[0] = Math.min(pause[0] * 2, GATHER_PAUSE_MAX_NANOS);
      }
    });
  }

  /**
   * As {@link #pump(BlockingQueue)}, for a client that must be read on the poller's own thread (Kafka's
   * consumer): {@code next} fetches when it has nothing buffered.
   */
  final void pump(Next<M> inbox) throws Exception {
    pump(inbox, inbox);
  }

  /**
   * Batches: {@code first} waits for a batch's first message, {@code more} takes the rest until the
   * window ends (a client that decides what may share a batch gives {@code more} its rule).
   */
  final void pump(Next<M> first, Next<M> more) throws Exception {
    if (!"Enabled".equals(state)) {
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + " (" + shown() + "): consuming");
    }
    state = "Enabled";
    lastError = null;
    synchronized (flight) {
      flightFailure = null;
    }
    unacknowledged = false;
    try {
      while (!closed && enabled) {
        checkOpen();
        if (unacknowledged) {
          throw new Unacknowledged();
        }
        M head = first.next(TimeUnit.MILLISECONDS.toNanos(500));
        if (head == null) {
          housekeep(false);
          continue;
        }
        List<M> batch = new ArrayList<>();
        batch.add(head);
        long deadline = System.nanoTime() + mapping.batchWindow().toNanos();
        while (batch.size() < mapping.batchSize()) {
          long left = deadline - System.nanoTime();
          M m = more.next(Math.max(left, 0));
          if (m == null) {
            break;
          }
          batch.add(m);
        }
        if (unacknowledged) {
          throw new Unacknowledged(); // the batch gathered is not run: it is delivered again with the one before
        }
        dispatch(batch);
        housekeep(true);
      }
    } finally {
      // a pause or a close lets the batches in flight end (a pause acknowledges them) before the connection goes
      awaitInFlight();
    }
    synchronized (flight) {
      if (flightFailure != null) {
        throw flightFailure;
      }
    }
  }

  /**
   * Runs {@code batch} here when one batch at a time is allowed and none runs, else on a thread of
   * its own once fewer than {@link #maxInFlight} run; rethrows what a batch on its own thread failed
   * with (the connection lost: its acknowledgement could not be sent).
   */
  private void dispatch(List<M> batch) throws Exception {
    if (!stillHeld(batch)) {
      ended(batch);
      return;
    }
    synchronized (flight) {
      while (inFlight > 0 && inFlight >= Math.max(1, maxInFlight()) && flightFailure == null && !closed) {
        flight.wait(100);
      }
      if (flightFailure != null) {
        throw flightFailure;
      }
      if (inFlight > 0 || maxInFlight() > 1) {
        inFlight++;
        Thread.ofVirtual().name("source-" + mapping.uuid().substring(0, 8) + "-batch").start(() -> {
          try {
            run(batch);
          } catch (Exception e) {
            synchronized (flight) {
              if (flightFailure == null) {
                flightFailure = e;
              }
            }
          } finally {
            synchronized (flight) {
              inFlight--;
              flight.notifyAll();
            }
          }
        });
        return;
      }
    }
    run(batch); // one at a time: here, on the poller's thread
  }

  /** Runs a batch, notes it if it ended unacknowledged (see {@link Unacknowledged}), then tells {@link #ended}. */
  private void run(List<M> batch) throws Exception {
    try {
      if (!process(batch) && !closed) {
        unacknowledged = true;
      }
    } finally {
      ended(batch);
    }
  }

  /** Waits for the batches running on their own threads to end. */
  private void awaitInFlight() {
    synchronized (flight) {
      while (inFlight > 0) {
        try {
          flight.wait(100);
        } catch (InterruptedException e) {
          if (closed) {
            return; // closing: their acknowledgements fail with the connection, and the broker delivers them again
          }
        }
      }
    }
  }

  /** Runs a batch to its end; returns whether it was acknowledged (succeeded, or given up on). */
  private boolean process(List<M> all) throws Exception {
    List<M> batch = all;
    if (!filters.isEmpty()) {
      // messages no filter matches are acknowledged with the batch and dropped, as on Lambda
      batch = all.stream().filter(m -> filters.stream().anyMatch(f -> f.matches(matchView(m)))).toList();
      filteredMessages.addAndGet(all.size() - batch.size());
      if (batch.isEmpty()) {
        ack(all);
        return true;
      }
    }
    byte[] event = event(batch);
    String error = null;
    String requestId = null;
    for (int attempt = 0; attempt <= mapping.maxRetries() && !closed && enabled; attempt++) {
      if (attempt > 0) {
        sleep(Math.min(1000L << Math.min(attempt - 1, 15), MAX_BACKOFF.toMillis()));
        if (closed || !enabled || !open()) {
          return false; // not acknowledged: the broker delivers the batch again
        }
        retrying(all);
      }
      requestId = UUID.randomUUID().toString();
      EventInvoker.Outcome o;
      try {
        o = invoker.invoke(mapping.function(), requestId, event).get();
      } catch (ExecutionException e) {
        o = new EventInvoker.Outcome(String.valueOf(e.getCause()));
      }
      if (o.succeeded()) {
        // counted before the broker hears of it: once the queue shows the batch gone, the counts have it
        batches.incrementAndGet();
        messages.addAndGet(batch.size());
        ack(all);
        return true;
      }
      error = o.error();
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": a batch of " + batch.size() + " failed (attempt " + (attempt + 1) + " of "
          + (mapping.maxRetries() + 1) + "): " + error);
    }
    if (closed || !enabled) {
      return false;
    }
    giveUp(batch, event, requestId, error);
    ack(all);
    batches.incrementAndGet();
    failedMessages.addAndGet(batch.size());
    return true;
  }

  private boolean open() {
    try {
      checkOpen();
      return true;
    } catch (Exception e) {
      return false; // a retry could not be acknowledged on this connection
    }
  }

  /** The root cause of a broker client's failure, in words a user can act on. */
  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) { // the clients wrap the broker's reason in their own exceptions
      t = t.getCause();
    }
    String m = t.getMessage();
    if (m != null && m.contains("ACCESS_REFUSED")) {
      return "the broker refused the credentials";
    }
    if (m != null && m.contains("NOT_FOUND")) {
      return "the queue does not exist: " + m;
    }
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** Waits {@code ms}, or less when closed. */
  void sleep(long ms) {
    synchronized (this) {
      long end = System.currentTimeMillis() + ms;
      long left;
      while (!closed && (left = end - System.currentTimeMillis()) > 0) {
        try {
          wait(left);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
