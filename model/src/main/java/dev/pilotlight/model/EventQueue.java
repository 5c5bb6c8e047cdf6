package dev.pilotlight.model;

import java.time.Instant;
import java.util.List;

/**
 * The durable queue of asynchronous ({@code Event}) invocations: the contract between the async
 * dispatcher (caller) and the store (implementer), as {@link Instance} is between the gateway and
 * the executor. An event is {@code queued} (due at some instant), {@code claimed} by the
 * dispatcher while it runs, or {@code failed} (kept with its payload and last error until
 * re-driven or its function is removed). Every method that changes state has committed to disk
 * when it returns, so an event acknowledged with a {@code 202} survives a crash. Thread-safe.
 */
public interface EventQueue {
  /** Stores a new event, due at once. */
  AsyncEvent enqueue(String function, String requestId, byte[] payload, Instant now);

  /** Claims up to {@code max} queued events due at or before {@code now}, oldest due first. */
  List<AsyncEvent> claimDue(Instant now, int max);

  /** The earliest due time of a queued event (claimed and failed ones do not count); null when none is queued. */
  Instant nextDue();

  /** A claimed event ran successfully (or is dropped): it is removed. */
  void complete(long id);

  /** A claimed event goes back to the queue, due at {@code dueAt}, with its attempts and last error. */
  void retry(long id, int attempts, Instant dueAt, String error);

  /** A claimed event is given up on: kept as failed with its payload, attempts and error. */
  void fail(long id, int attempts, String error, Instant now);

  /** The failed events of {@code function}, oldest first. */
  List<AsyncEvent> failed(String function);

  /** Queues every failed event of {@code function} again, due now, with no attempts and a fresh age; returns how many. */
  int redrive(String function, Instant now);

  /** Removes every event of {@code function}, whatever its state (the function was removed); returns how many. */
  int purge(String function);

  /**
   * Queues again, due now, every claimed event: on daemon start these are events a previous run
   * took but never finished (it crashed or was stopped), so they run again: at least once.
   */
  int requeueClaimed(Instant now);
}
