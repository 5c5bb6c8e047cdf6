package dev.pilotlight.store;

import dev.pilotlight.model.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The durable record of what functions use and of their keep-alive rhythms ({@code usage.db}):
 * per function and hour, the sums of {@link Usage}; per function, its idle-time histogram's bytes
 * and when its last request ended. Committed to disk when a method returns (SQLite, WAL,
 * {@code synchronous=FULL}). Thread-safe. Failures of the database are thrown as {@link StoreException}.
 */
public interface UsageStore extends AutoCloseable {

  /** A function's persisted rhythm. */
  record Rhythm(byte[] histogram, Instant idleSince) {}

  /** Opens (creating or migrating as needed) the database at {@code dbFile}. */
  static UsageStore open(Path dbFile) {
    return SqlUsageStore.open(dbFile);
  }

  /** Opens (creating or migrating as needed) the usage in a PostgreSQL database several daemons share. */
  static UsageStore open(PostgresDatabase database) {
    return SqlUsageStore.open(database);
  }

  /** Adds each function's usage to its hours (keys: the start of the hour, see {@link #hourOf}), in one transaction. */
  void add(Map<String, Map<Instant, Usage>> usageByFunctionAndHour);

  /** {@code function}'s usage in the hours from the one holding {@code since} on; everything when {@code since} is null. */
  Usage total(String function, Instant since);

  /** Every function's persisted rhythm. */
  Map<String, Rhythm> rhythms();

  /** Stores changed rhythms and drops forgotten ones, in one transaction. */
  void saveRhythms(Map<String, Rhythm> changed, Set<String> forgotten);

  /** Drops everything about {@code function} (it was removed). */
  void forget(String function);

  /** The start of the hour holding {@code t}: usage is kept per hour. */
  static Instant hourOf(Instant t) {
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 3600) * 3600);
  }

  @Override
  void close();
}
