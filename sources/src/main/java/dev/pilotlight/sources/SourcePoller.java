package dev.pilotlight.sources;

import dev.pilotlight.model.source.EventSourceMapping;

/** One mapping's poller, whatever its broker: a thread of its own, paused, resumed and closed by {@link EventSources}. */
interface SourcePoller extends AutoCloseable {
  EventSourceMapping mapping();

  void start();

  /** Creating, Enabled, Disabled or Problem. */
  String state();

  String lastError();

  void enable(boolean on);

  long batches();

  long messages();

  long failedMessages();

  long filteredMessages();

  /** Messages waiting at the broker when last asked; -1 when the broker does not say. */
  long queueDepth();

  /** Stops for good, the daemon staying up. */
  @Override
  void close();

  /** After {@link #close}, when the mapping is removed: drops what the broker keeps for it (best effort). */
  default void forget() {}
}
