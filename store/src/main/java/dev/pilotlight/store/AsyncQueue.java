package dev.pilotlight.store;

import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.schedule.ScheduleStore;
import dev.pilotlight.model.source.MappingStore;
import java.nio.file.Path;

/**
 * The durable queue of asynchronous invocations in SQLite: {@link EventQueue} (whose methods the
 * async dispatcher calls directly) plus opening and closing its database. WAL with
 * {@code synchronous=FULL}, so every change is on disk when its method returns. Failures of the
 * database itself are thrown as {@link StoreException}.
 */
public interface AsyncQueue extends EventQueue, ScheduleStore, MappingStore, AutoCloseable {

  /** Opens (creating or migrating as needed) the queue database at {@code dbFile}. */
  static AsyncQueue open(Path dbFile) {
    return SqliteAsyncQueue.open(dbFile);
  }

  @Override
  void close();
}
