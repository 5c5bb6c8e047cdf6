package dev.pilotlight.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The durable per-minute history of each function ({@code metrics.db}): one opaque sample per function and minute (epoch
 * minutes), as the activation's history encodes it. Committed to disk when a method returns. Thread-safe. Failures
 * of the database are thrown as {@link StoreException}.
 */
public interface MetricsStore extends AutoCloseable {

  /** Opens (creating or migrating as needed) the database at {@code dbFile}. */
  static MetricsStore open(Path dbFile) {
    return SqliteMetricsStore.open(dbFile);
  }

  /** Every function's sample of {@code minute}. */
  Map<String, byte[]> minute(long minute);

  /** Stores the samples by function and minute, replacing those stored before, in one transaction. */
  void put(Map<String, Map<Long, byte[]>> samples);

  /** {@code function}'s samples from minute {@code from} to before {@code to}, in order. */
  NavigableMap<Long, byte[]> range(String function, long from, long to);

  /** Drops everything about {@code function} (it was removed). */
  void forget(String function);

  /** Drops every function's samples before {@code minute}; returns how many. */
  int prune(long minute);

  @Override
  void close();
}
