package dev.pilotlight.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables daemons sharing a PostgreSQL database use to know each other: {@code nodes} (one row
 * per daemon, its heartbeat at the database's clock) and the registry's change feed
 * ({@code registry_changes}, written by {@link SqlRegistry}).
 */
public final class ClusterTables implements AutoCloseable {
  /** The node table, from its first version. Append only. */
  static final List<List<String>> POSTGRES_MIGRATIONS = List.of(
      List.of("""
          CREATE TABLE nodes (
            id           TEXT    PRIMARY KEY,
            address      TEXT    NOT NULL,
            started_at   BIGINT  NOT NULL,
            heartbeat_at BIGINT  NOT NULL,
            draining     INTEGER NOT NULL,
            in_flight    INTEGER NOT NULL,
            memory_pct   INTEGER NOT NULL
          )"""));

  /** One daemon's row: its id, where the others reach it, its last heartbeat (epoch ms, the database's clock), draining, calls in flight. */
  public record Row(String id, String address, long heartbeatAtMs, boolean draining, int inFlight, int memoryPercent) {}

  /** The database's time at a heartbeat (epoch ms) and every row then. */
  public record Beat(long nowMs, List<Row> rows) {}

  private final Database db;

  private ClusterTables(Database db) {
    this.db = db;
  }

  /** Opens (creating or migrating as needed) the node table; the change feed comes with the registry. */
  public static ClusterTables open(PostgresDatabase database) {
    database.migrate("cluster", POSTGRES_MIGRATIONS);
    return new ClusterTables(database.forStore("cluster"));
  }

  /** Writes {@code id}'s heartbeat (inserting its row on its first) and reads every row, in one transaction. */
  public Beat beat(String id, String address, boolean draining, int inFlight, int memoryPercent) {
    return db.inTransaction("heartbeat of " + id, c -> {
      long now;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SqlRegistry.DATABASE_NOW_MS); ResultSet rs = ps.executeQuery()) {
        rs.next();
        now = rs.getLong(1);
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (id, address, started_at, heartbeat_at, draining, in_flight, "
          + "memory_pct) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = "
          + "excluded.heartbeat_at, draining = excluded.draining, in_flight = excluded.in_flight, memory_pct = excluded.memory_pct")) {
        ps.setString(1, id);
        ps.setString(2, address);
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.setInt(5, draining ? 1 : 0);
        ps.setInt(6, inFlight);
        ps.setInt(7, memoryPercent);
        ps.executeUpdate();
      }
      List<Row> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, address, heartbeat_at, draining, in_flight, memory_pct FROM nodes ORDER BY id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4) != 0, rs.getInt(5), rs.getInt(6)));
        }
      }
      return new Beat(now, List.copyOf(rows));
    });
  }

  /** The database's time (epoch ms). */
  public long nowMs() {
    return db.withConnection("read the database's clock", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SqlRegistry.DATABASE_NOW_MS); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** Removes the rows of {@code ids}. */
  public void forget(Set<String> ids) {
    db.withConnection("forget nodes " + ids, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE id = ?")) {
        for (String id : ids) {
          ps.setString(1, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** Each function changed in the registry after {@code sinceMs} (the database's clock), with its change count. */
  public Map<String, Long> changedSince(long sinceMs) {
    return db.withConnection("read the registry's changes", c -> {
      Map<String, Long> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name, changes FROM registry_changes WHERE changed_at > ?")) {
        ps.setLong(1, sinceMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      return out;
    });
  }

  @Override
  public void close() {
    db.close();
  }
}
