package dev.pilotlight.gateway.async;

import dev.pilotlight.model.AsyncEvent;
import java.time.Instant;
import java.util.List;

/**
 * The durable queue the dispatcher needs (the server plugs in the store's SQLite queue). Every
 * change is on disk when the method returns. Events are queued, claimed while they run, or failed.
 */
public interface EventQueue {
  /** Stores a new event, due at once. */
  AsyncEvent enqueue(String function, String requestId, byte[] payload, Instant now);

  /** Claims up to {@code max} queued events due by {@code now}, oldest due first. */
  List<AsyncEvent> claimDue(Instant now, int max);

  /** Removes a claimed event: it ran. */
  void complete(long id);

  /** Queues a claimed event again, due at {@code dueAt}. */
  void retry(long id, int attempts, Instant dueAt, String error);

  /** Keeps a claimed event as failed, with its payload, attempts and error. */
  void fail(long id, int attempts, String error, Instant now);

  List<AsyncEvent> failed(String function);

  /** Queues every failed event of {@code function} again with a fresh age; returns how many. */
  int redrive(String function, Instant now);

  /** Removes every event of {@code function}; returns how many. */
  int purge(String function);

  /** Queues again every claimed event (a previous run took them and never finished); returns how many. */
  int requeueClaimed(Instant now);
}
