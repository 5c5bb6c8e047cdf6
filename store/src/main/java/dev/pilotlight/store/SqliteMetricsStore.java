package dev.pilotlight.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** {@link MetricsStore} on one SQLite connection, in a file of its own ({@code metrics.db}) so its once-a-second writes never wait on a deploy. */
final class SqliteMetricsStore implements MetricsStore {

  /** Schema migrations, as in {@link SqlRegistry}: append only. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE minutes (
            function TEXT    NOT NULL,
            minute   INTEGER NOT NULL,
            sample   BLOB    NOT NULL,
            PRIMARY KEY (function, minute)
          ) WITHOUT ROWID""",
          "CREATE INDEX minutes_by_minute ON minutes (minute)"));

  private final GuardedConnection db;

  private SqliteMetricsStore(Path dbFile, Connection connection) {
    this.db = new GuardedConnection("metrics store", dbFile, connection);
  }

  static SqliteMetricsStore open(Path dbFile) {
    if (dbFile == null) {
      throw new IllegalArgumentException("dbFile: null (expected: a path such as ~/.pilotlight/metrics.db)");
    }
    Path file = dbFile.toAbsolutePath();
    return new SqliteMetricsStore(file, SqliteDatabase.open(file, MIGRATIONS, "metrics store"));
  }

  @Override
  public Map<String, byte[]> minute(long minute) {
    return db.withConnection("read minute " + minute, c -> {
      Map<String, byte[]> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT function, sample FROM minutes WHERE minute = ?")) {
        ps.setLong(1, minute);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getBytes(2));
          }
        }
      }
      return out;
    });
  }

  @Override
  public void put(Map<String, Map<Long, byte[]>> samples) {
    if (samples.isEmpty()) {
      return;
    }
    db.inTransaction("save minutes", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO minutes (function, minute, sample) VALUES (?, ?, ?) "
          + "ON CONFLICT (function, minute) DO UPDATE SET sample = excluded.sample")) {
        for (var f : samples.entrySet()) {
          for (var m : f.getValue().entrySet()) {
            ps.setString(1, f.getKey());
            ps.setLong(2, m.getKey());
            ps.setBytes(3, m.getValue());
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public NavigableMap<Long, byte[]> range(String function, long from, long to) {
    return db.withConnection("read minutes of " + function, c -> {
      NavigableMap<Long, byte[]> out = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT minute, sample FROM minutes WHERE function = ? AND minute >= ? AND minute < ?")) {
        ps.setString(1, function);
        ps.setLong(2, from);
        ps.setLong(3, to);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getLong(1), rs.getBytes(2));
          }
        }
      }
      return out;
    });
  }

  @Override
  public void forget(String function) {
    db.inTransaction("forget " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM minutes WHERE function = ?")) {
        ps.setString(1, function);
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public int prune(long minute) {
    return db.inTransaction("prune minutes", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM minutes WHERE minute < ?")) {
        ps.setLong(1, minute);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void close() {
    db.close();
  }
}
