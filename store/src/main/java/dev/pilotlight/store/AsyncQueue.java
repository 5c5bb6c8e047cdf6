package dev.pilotlight.store;

import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.schedule.ScheduleStore;
import dev.pilotlight.model.source.MappingStore;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The durable queue of asynchronous invocations in SQLite: {@link EventQueue} (whose methods the
 * async dispatcher calls directly) plus opening and closing its database. WAL with
 * {@code synchronous=FULL}, so every change is on disk when its method returns. Failures of the
 * database itself are thrown as {@link StoreException}.
 */
public interface AsyncQueue extends EventQueue, ScheduleStore, MappingStore, AutoCloseable {

  /** Opens (creating or migrating as needed) the queue database at {@code dbFile}. */
  static AsyncQueue open(Path dbFile) {
    return SqlAsyncQueue.open(dbFile);
  }

  /** Opens (creating or migrating as needed) the queue in a PostgreSQL database several daemons share, claiming as {@code node}. */
  static AsyncQueue open(PostgresDatabase database, String node) {
    return SqlAsyncQueue.open(database, node);
  }

  /**
   * Puts the events claimed by the daemons {@code nodes} (gone: stopped, crashed or cut off) back
   * in the queue, due {@code now}, to run again elsewhere (at-least-once).
   *
   * @return how many were requeued
   */
  int requeueClaimsOf(java.util.Collection<String> nodes, Instant now);

  @Override
  void close();
}
