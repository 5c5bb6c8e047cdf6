package dev.pilotlight.model.source;

import java.time.Instant;
import java.util.List;

/**
 * Where event source mappings are kept, and where the messages a mapping gives up on go when it
 * names no failure queue: the contract between the pollers and the control API (callers) and the
 * store (implementer). Thread-safe.
 */
public interface MappingStore {
  /** Every mapping, oldest first. */
  List<EventSourceMapping> mappings();

  /** Stores a new mapping. */
  void add(EventSourceMapping mapping);

  /**
   * Replaces a mapping's settings (batch size, window, retries, failure queue, filters, enabled),
   * keeping its id, function, source and creation time; false when there was none.
   */
  boolean update(EventSourceMapping mapping);

  /** Removes one; false when there was none. */
  boolean removeMapping(String uuid);

  /** Pauses or resumes one; false when there was none. */
  boolean setEnabled(String uuid, boolean enabled);

  /** Removes every mapping of {@code function} (it was removed); returns how many. */
  int removeMappings(String function);

  /**
   * Keeps an event the function failed on, after its retries, in the function's failures list (as a
   * failed asynchronous invocation: {@code failures} shows it and {@code redrive} runs it again).
   */
  void recordFailed(String function, String requestId, byte[] payload, String error, Instant now);
}
