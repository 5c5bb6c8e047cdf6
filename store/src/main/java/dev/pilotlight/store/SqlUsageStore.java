package dev.pilotlight.store;

import dev.pilotlight.model.Usage;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link UsageStore} on one SQLite connection, in a file of its own ({@code usage.db}) so its
 * once-a-second batches never wait on a deploy. Hours and instants are epoch seconds and milliseconds.
 */
final class SqlUsageStore implements UsageStore {

  /** Schema migrations, as in {@link SqlRegistry}: append only. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE usage (
            function              TEXT    NOT NULL,
            hour                  INTEGER NOT NULL,
            invocations           INTEGER NOT NULL,
            cold_starts           INTEGER NOT NULL,
            prewarm_hits          INTEGER NOT NULL,
            prewarms              INTEGER NOT NULL,
            billed_ms             INTEGER NOT NULL,
            used_mb_ms            INTEGER NOT NULL,
            keep_alive_idle_mb_ms INTEGER NOT NULL,
            prewarm_idle_mb_ms    INTEGER NOT NULL,
            init_ms               INTEGER NOT NULL,
            max_memory_used_mb    INTEGER NOT NULL,
            PRIMARY KEY (function, hour)
          )""",
          """
          CREATE TABLE keep_alive (
            function   TEXT PRIMARY KEY,
            histogram  BLOB NOT NULL,
            idle_since INTEGER
          )"""));

  private static final String SUMS = "COALESCE(SUM(invocations), 0), COALESCE(SUM(cold_starts), 0), COALESCE(SUM(prewarm_hits), 0), "
      + "COALESCE(SUM(prewarms), 0), COALESCE(SUM(billed_ms), 0), COALESCE(SUM(used_mb_ms), 0), COALESCE(SUM(keep_alive_idle_mb_ms), 0), "
      + "COALESCE(SUM(prewarm_idle_mb_ms), 0), COALESCE(SUM(init_ms), 0), COALESCE(MAX(max_memory_used_mb), 0)";

  /** The same tables on PostgreSQL, from its first version. Append only. */
  static final List<List<String>> POSTGRES_MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE usage (
            function              TEXT    NOT NULL,
            hour                  BIGINT  NOT NULL,
            invocations           BIGINT  NOT NULL,
            cold_starts           BIGINT  NOT NULL,
            prewarm_hits          BIGINT  NOT NULL,
            prewarms              BIGINT  NOT NULL,
            billed_ms             BIGINT  NOT NULL,
            used_mb_ms            BIGINT  NOT NULL,
            keep_alive_idle_mb_ms BIGINT  NOT NULL,
            prewarm_idle_mb_ms    BIGINT  NOT NULL,
            init_ms               BIGINT  NOT NULL,
            max_memory_used_mb    BIGINT  NOT NULL,
            PRIMARY KEY (function, hour)
          )""",
          """
          CREATE TABLE keep_alive (
            function   TEXT PRIMARY KEY,
            histogram  BYTEA NOT NULL,
            idle_since BIGINT
          )"""));

  private final Database db;

  private SqlUsageStore(Database db) {
    this.db = db;
  }

  /** The usage in a shared PostgreSQL database: each daemon adds its own hours to the same rows. */
  static SqlUsageStore open(PostgresDatabase pg) {
    pg.migrate("usage store", POSTGRES_MIGRATIONS);
    return new SqlUsageStore(pg.forStore("usage store"));
  }

  static SqlUsageStore open(Path dbFile) {
    if (dbFile == null) {
      throw new IllegalArgumentException("dbFile: null (expected: a path such as ~/.pilotlight/usage.db)");
    }
    Path file = dbFile.toAbsolutePath();
    return new SqlUsageStore(new GuardedConnection("usage store", file, SqliteDatabase.open(file, MIGRATIONS, "usage store")));
  }

  @Override
  public void add(Map<String, Map<Instant, Usage>> usage) {
    if (usage.isEmpty()) {
      return;
    }
    db.inTransaction("add usage", c -> {
      try (PreparedStatement ps = c.prepareStatement("""
          INSERT INTO usage (function, hour, invocations, cold_starts, prewarm_hits, prewarms, billed_ms, used_mb_ms,
                             keep_alive_idle_mb_ms, prewarm_idle_mb_ms, init_ms, max_memory_used_mb)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (function, hour) DO UPDATE SET
            invocations = usage.invocations + excluded.invocations,
            cold_starts = usage.cold_starts + excluded.cold_starts,
            prewarm_hits = usage.prewarm_hits + excluded.prewarm_hits,
            prewarms = usage.prewarms + excluded.prewarms,
            billed_ms = usage.billed_ms + excluded.billed_ms,
            used_mb_ms = usage.used_mb_ms + excluded.used_mb_ms,
            keep_alive_idle_mb_ms = usage.keep_alive_idle_mb_ms + excluded.keep_alive_idle_mb_ms,
            prewarm_idle_mb_ms = usage.prewarm_idle_mb_ms + excluded.prewarm_idle_mb_ms,
            init_ms = usage.init_ms + excluded.init_ms,
            max_memory_used_mb = CASE WHEN excluded.max_memory_used_mb > usage.max_memory_used_mb
              THEN excluded.max_memory_used_mb ELSE usage.max_memory_used_mb END""")) {
        for (var f : usage.entrySet()) {
          for (var h : f.getValue().entrySet()) {
            Usage u = h.getValue();
            ps.setString(1, f.getKey());
            ps.setLong(2, UsageStore.hourOf(h.getKey()).getEpochSecond());
            ps.setLong(3, u.invocations());
            ps.setLong(4, u.coldStarts());
            ps.setLong(5, u.prewarmHits());
            ps.setLong(6, u.prewarms());
            ps.setLong(7, u.billedMs());
            ps.setLong(8, u.usedMbMs());
            ps.setLong(9, u.keepAliveIdleMbMs());
            ps.setLong(10, u.prewarmIdleMbMs());
            ps.setLong(11, u.initMs());
            ps.setLong(12, u.maxMemoryUsedMb());
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public Usage total(String function, Instant since) {
    return db.withConnection("usage of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SUMS + " FROM usage WHERE function = ? AND hour >= ?")) {
        ps.setString(1, function);
        ps.setLong(2, since == null ? Long.MIN_VALUE : UsageStore.hourOf(since).getEpochSecond());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Usage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7),
              rs.getLong(8), rs.getLong(9), rs.getLong(10));
        }
      }
    });
  }

  @Override
  public Map<String, Rhythm> rhythms() {
    return db.withConnection("read keep-alive rhythms", c -> {
      Map<String, Rhythm> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT function, histogram, idle_since FROM keep_alive ORDER BY function");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long since = rs.getLong(3);
          out.put(rs.getString(1), new Rhythm(rs.getBytes(2), rs.wasNull() ? null : Instant.ofEpochMilli(since)));
        }
      }
      return out;
    });
  }

  @Override
  public void saveRhythms(Map<String, Rhythm> changed, Set<String> forgotten) {
    if (changed.isEmpty() && forgotten.isEmpty()) {
      return;
    }
    db.inTransaction("save keep-alive rhythms", c -> {
      try (PreparedStatement put = c.prepareStatement("INSERT INTO keep_alive (function, histogram, idle_since) VALUES (?, ?, ?) "
          + "ON CONFLICT (function) DO UPDATE SET histogram = excluded.histogram, idle_since = excluded.idle_since");
          PreparedStatement drop = c.prepareStatement("DELETE FROM keep_alive WHERE function = ?")) {
        for (var e : changed.entrySet()) {
          put.setString(1, e.getKey());
          put.setBytes(2, e.getValue().histogram());
          if (e.getValue().idleSince() == null) {
            put.setNull(3, Types.BIGINT);
          } else {
            put.setLong(3, e.getValue().idleSince().toEpochMilli());
          }
          put.addBatch();
        }
        put.executeBatch();
        for (String f : forgotten) {
          drop.setString(1, f);
          drop.addBatch();
        }
        drop.executeBatch();
      }
      return null;
    });
  }

  @Override
  public void forget(String function) {
    db.inTransaction("forget " + function, c -> {
      for (String table : List.of("usage", "keep_alive")) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE function = ?")) {
          ps.setString(1, function);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public void close() {
    db.close();
  }
}
