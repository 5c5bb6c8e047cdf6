package dev.pilotlight.store;

import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.schedule.Schedule;
import dev.pilotlight.model.source.EventSourceMapping;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AsyncQueue} on one SQLite connection guarded by a lock, in a database file of its own so
 * the dispatcher's frequent small writes never wait on a deploy; the schedules whose ticks it
 * queues are kept in the same file, so a tick and its schedule's progress commit together. Instants are stored as epoch
 * milliseconds.
 */
final class SqliteAsyncQueue implements AsyncQueue {

  /** Schema migrations, as in {@link SqliteRegistry}: append only. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE events (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            function    TEXT    NOT NULL,
            request_id  TEXT    NOT NULL,
            payload     BLOB    NOT NULL,
            accepted_at INTEGER NOT NULL,
            due_at      INTEGER NOT NULL,
            attempts    INTEGER NOT NULL,
            state       TEXT    NOT NULL CHECK (state IN ('queued', 'claimed', 'failed')),
            last_error  TEXT,
            failed_at   INTEGER
          )""",
          "CREATE INDEX events_due ON events (state, due_at)",
          "CREATE INDEX events_function ON events (function, state)"),
      // schedules live beside the queue their ticks go to: a tick and its schedule's progress commit together
      List.of(
          """
          CREATE TABLE schedules (
            function    TEXT    NOT NULL,
            id          TEXT    NOT NULL,
            expression  TEXT    NOT NULL,
            zone        TEXT    NOT NULL,
            payload     BLOB,
            missed      TEXT    NOT NULL CHECK (missed IN ('once', 'skip')),
            created_at  INTEGER NOT NULL,
            next_due    INTEGER,
            PRIMARY KEY (function, id)
          )"""),
      // event source mappings: their given-up messages land in the failed events beside them
      List.of(
          """
          CREATE TABLE event_sources (
            uuid         TEXT    PRIMARY KEY,
            function     TEXT    NOT NULL,
            source       TEXT    NOT NULL,
            batch_size   INTEGER NOT NULL,
            window_ms    INTEGER NOT NULL,
            max_retries  INTEGER NOT NULL,
            on_failure   TEXT,
            enabled      INTEGER NOT NULL,
            created_at   INTEGER NOT NULL
          )"""),
      List.of("ALTER TABLE event_sources ADD COLUMN filters TEXT"));

  private static final String SCHEDULE_COLUMNS = "function, id, expression, zone, payload, missed, created_at, next_due";

  private static final String COLUMNS = "id, function, request_id, payload, accepted_at, attempts, last_error, failed_at";

  private final GuardedConnection db;

  private SqliteAsyncQueue(Path dbFile, Connection connection) {
    this.db = new GuardedConnection("event queue", dbFile, connection);
  }

  static SqliteAsyncQueue open(Path dbFile) {
    if (dbFile == null) {
      throw new IllegalArgumentException("dbFile: null (expected: a path such as ~/.pilotlight/events.db)");
    }
    Path file = dbFile.toAbsolutePath();
    return new SqliteAsyncQueue(file, SqliteDatabase.open(file, MIGRATIONS, "event queue"));
  }

  @Override
  public AsyncEvent enqueue(String function, String requestId, byte[] payload, Instant now) {
    if (function == null || requestId == null || payload == null || now == null) {
      throw new IllegalArgumentException("enqueue: function, requestId, payload and now are required");
    }
    return withConnection("enqueue for " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO events "
          + "(function, request_id, payload, accepted_at, due_at, attempts, state) VALUES (?, ?, ?, ?, ?, 0, 'queued')",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, function);
        ps.setString(2, requestId);
        ps.setBytes(3, payload);
        ps.setLong(4, now.toEpochMilli());
        ps.setLong(5, now.toEpochMilli());
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          return new AsyncEvent(keys.getLong(1), function, requestId, payload.clone(), Instant.ofEpochMilli(now.toEpochMilli()), 0, null, null);
        }
      }
    });
  }

  @Override
  public List<AsyncEvent> claimDue(Instant now, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    return inTransaction("claim due events", c -> {
      List<AsyncEvent> due;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM events WHERE state = 'queued' AND due_at <= ? ORDER BY due_at, id LIMIT ?")) {
        ps.setLong(1, now.toEpochMilli());
        ps.setInt(2, max);
        due = readAll(ps);
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE events SET state = 'claimed' WHERE id = ?")) {
        for (AsyncEvent e : due) {
          ps.setLong(1, e.id());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return due;
    });
  }

  @Override
  public void complete(long id) {
    withConnection("complete event " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE id = ?")) {
        ps.setLong(1, id);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void retry(long id, int attempts, Instant dueAt, String error) {
    withConnection("retry event " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE events SET state = 'queued', attempts = ?, due_at = ?, last_error = ? WHERE id = ? AND state = 'claimed'")) {
        ps.setInt(1, attempts);
        ps.setLong(2, dueAt.toEpochMilli());
        setNullableString(ps, 3, error);
        ps.setLong(4, id);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void fail(long id, int attempts, String error, Instant now) {
    withConnection("fail event " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE events SET state = 'failed', attempts = ?, last_error = ?, failed_at = ? WHERE id = ? AND state = 'claimed'")) {
        ps.setInt(1, attempts);
        setNullableString(ps, 2, error);
        ps.setLong(3, now.toEpochMilli());
        ps.setLong(4, id);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<AsyncEvent> failed(String function) {
    return withConnection("list failed events of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM events WHERE (function = ? OR function LIKE ?) AND state = 'failed' ORDER BY failed_at, id")) {
        ps.setString(1, function);
        ps.setString(2, qualified(function));
        return readAll(ps);
      }
    });
  }

  @Override
  public int redrive(String function, Instant now) {
    return withConnection("redrive events of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE events SET state = 'queued', attempts = 0, accepted_at = ?, "
          + "due_at = ?, failed_at = NULL WHERE (function = ? OR function LIKE ?) AND state = 'failed'")) {
        ps.setLong(1, now.toEpochMilli());
        ps.setLong(2, now.toEpochMilli());
        ps.setString(3, function);
        ps.setString(4, qualified(function));
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public int purge(String function) {
    return withConnection("purge events of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE function = ? OR function LIKE ?")) {
        ps.setString(1, function);
        ps.setString(2, qualified(function));
        return ps.executeUpdate();
      }
    });
  }

  /**
   * The LIKE pattern of the events of {@code function} invoked with a qualifier
   * ({@code NAME:QUALIFIER}). Names are lowercase letters, digits and hyphens, so none holds a LIKE
   * wildcard and the pattern matches no other function's events.
   */
  private static String qualified(String function) {
    return function + ":%";
  }

  @Override
  public int requeueClaimed(Instant now) {
    return withConnection("requeue claimed events", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE events SET state = 'queued', due_at = ? WHERE state = 'claimed'")) {
        ps.setLong(1, now.toEpochMilli());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<Schedule> schedules() {
    return withConnection("list schedules", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SCHEDULE_COLUMNS + " FROM schedules ORDER BY function, id")) {
        return readSchedules(ps);
      }
    });
  }

  @Override
  public List<Schedule> schedules(String function) {
    return withConnection("list schedules of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SCHEDULE_COLUMNS + " FROM schedules WHERE function = ? ORDER BY id")) {
        ps.setString(1, function);
        return readSchedules(ps);
      }
    });
  }

  @Override
  public boolean add(Schedule s) {
    return withConnection("add schedule " + s.function() + "/" + s.id(), c -> insertSchedule(c, s));
  }

  private static boolean insertSchedule(Connection c, Schedule s) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO schedules (" + SCHEDULE_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, s.function());
      ps.setString(2, s.id());
      ps.setString(3, s.expression());
      ps.setString(4, s.zone());
      if (s.payload() == null) {
        ps.setNull(5, Types.BLOB);
      } else {
        ps.setBytes(5, s.payload());
      }
      ps.setString(6, s.missed().id());
      ps.setLong(7, s.createdAt().toEpochMilli());
      setNullableInstant(ps, 8, s.nextDue());
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean remove(String function, String id) {
    return withConnection("remove schedule " + function + "/" + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedules WHERE function = ? AND id = ?")) {
        ps.setString(1, function);
        ps.setString(2, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public int removeAll(String function) {
    return withConnection("remove schedules of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedules WHERE function = ?")) {
        ps.setString(1, function);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void replace(String function, List<Schedule> schedules) {
    inTransaction("replace schedules of " + function, c -> {
      StringBuilder keep = new StringBuilder();
      for (Schedule s : schedules) {
        if (!s.function().equals(function)) {
          throw new IllegalArgumentException("schedule " + s.id() + " is " + s.function() + "'s, not " + function + "'s");
        }
        // a row that says the same stays, with its progress (the tick loop may have moved it since it was read)
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedules WHERE function = ? AND id = ? AND NOT "
            + "(expression = ? AND zone = ? AND missed = ? AND payload IS ?)")) {
          ps.setString(1, function);
          ps.setString(2, s.id());
          ps.setString(3, s.expression());
          ps.setString(4, s.zone());
          ps.setString(5, s.missed().id());
          if (s.payload() == null) {
            ps.setNull(6, Types.BLOB);
          } else {
            ps.setBytes(6, s.payload());
          }
          ps.executeUpdate();
        }
        insertSchedule(c, s);
        keep.append(keep.isEmpty() ? "?" : ", ?");
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedules WHERE function = ?"
          + (keep.isEmpty() ? "" : " AND id NOT IN (" + keep + ")"))) {
        ps.setString(1, function);
        for (int i = 0; i < schedules.size(); i++) {
          ps.setString(i + 2, schedules.get(i).id());
        }
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean fire(String function, String id, Instant expectedNextDue, Instant nextDue, List<Tick> ticks, Instant now) {
    return inTransaction("fire schedule " + function + "/" + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE schedules SET next_due = ? WHERE function = ? AND id = ? AND next_due = ?")) {
        setNullableInstant(ps, 1, nextDue);
        ps.setString(2, function);
        ps.setString(3, id);
        ps.setLong(4, expectedNextDue.toEpochMilli());
        if (ps.executeUpdate() != 1) {
          return false;
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO events "
          + "(function, request_id, payload, accepted_at, due_at, attempts, state) VALUES (?, ?, ?, ?, ?, 0, 'queued')")) {
        for (Tick t : ticks) {
          ps.setString(1, function);
          ps.setString(2, t.requestId());
          ps.setBytes(3, t.payload());
          ps.setLong(4, now.toEpochMilli());
          ps.setLong(5, now.toEpochMilli());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return true;
    });
  }

  @Override
  public List<EventSourceMapping> mappings() {
    return withConnection("list event source mappings", c -> {
      List<EventSourceMapping> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT uuid, function, source, batch_size, window_ms, max_retries, on_failure, "
          + "enabled, created_at, filters FROM event_sources ORDER BY created_at, uuid"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new EventSourceMapping(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
              java.time.Duration.ofMillis(rs.getLong(5)), rs.getInt(6), rs.getString(7), filters(rs.getString(10)), rs.getInt(8) != 0,
              Instant.ofEpochMilli(rs.getLong(9))));
        }
      }
      return out;
    });
  }

  @Override
  public void add(EventSourceMapping m) {
    withConnection("add event source mapping " + m.uuid(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_sources (uuid, function, source, batch_size, window_ms, "
          + "max_retries, on_failure, enabled, created_at, filters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, m.uuid());
        ps.setString(2, m.function());
        ps.setString(3, m.source());
        ps.setInt(4, m.batchSize());
        ps.setLong(5, m.batchWindow().toMillis());
        ps.setInt(6, m.maxRetries());
        setNullableString(ps, 7, m.onFailure());
        ps.setInt(8, m.enabled() ? 1 : 0);
        ps.setLong(9, m.createdAt().toEpochMilli());
        setNullableString(ps, 10, m.filters().isEmpty() ? null : FILTERS_JSON.valueToTree(m.filters()).toString());
        return ps.executeUpdate();
      }
    });
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper FILTERS_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** The filter patterns stored as a JSON array of strings; null: none. */
  private static List<String> filters(String stored) throws SQLException {
    if (stored == null) {
      return List.of();
    }
    try {
      return List.of(FILTERS_JSON.readValue(stored, String[].class));
    } catch (java.io.IOException e) {
      throw new SQLException("unreadable filters: " + stored, e);
    }
  }

  @Override
  public boolean update(EventSourceMapping m) {
    return withConnection("update event source mapping " + m.uuid(), c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE event_sources SET batch_size = ?, window_ms = ?, max_retries = ?, "
          + "on_failure = ?, enabled = ?, filters = ? WHERE uuid = ?")) {
        ps.setInt(1, m.batchSize());
        ps.setLong(2, m.batchWindow().toMillis());
        ps.setInt(3, m.maxRetries());
        setNullableString(ps, 4, m.onFailure());
        ps.setInt(5, m.enabled() ? 1 : 0);
        setNullableString(ps, 6, m.filters().isEmpty() ? null : FILTERS_JSON.valueToTree(m.filters()).toString());
        ps.setString(7, m.uuid());
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean removeMapping(String uuid) {
    return withConnection("remove event source mapping " + uuid, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_sources WHERE uuid = ?")) {
        ps.setString(1, uuid);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean setEnabled(String uuid, boolean enabled) {
    return withConnection("pause or resume event source mapping " + uuid, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE event_sources SET enabled = ? WHERE uuid = ?")) {
        ps.setInt(1, enabled ? 1 : 0);
        ps.setString(2, uuid);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public int removeMappings(String function) {
    return withConnection("remove event source mappings of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_sources WHERE function = ?")) {
        ps.setString(1, function);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void recordFailed(String function, String requestId, byte[] payload, String error, Instant now) {
    withConnection("record a failed event of " + function, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (function, request_id, payload, accepted_at, due_at, attempts, "
          + "state, last_error, failed_at) VALUES (?, ?, ?, ?, ?, 0, 'failed', ?, ?)")) {
        ps.setString(1, function);
        ps.setString(2, requestId);
        ps.setBytes(3, payload);
        ps.setLong(4, now.toEpochMilli());
        ps.setLong(5, now.toEpochMilli());
        setNullableString(ps, 6, error);
        ps.setLong(7, now.toEpochMilli());
        return ps.executeUpdate();
      }
    });
  }

  private static void setNullableInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setLong(index, value.toEpochMilli());
    }
  }

  private static List<Schedule> readSchedules(PreparedStatement ps) throws SQLException {
    List<Schedule> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long next = rs.getLong(8);
        boolean never = rs.wasNull();
        out.add(new Schedule(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
            Schedule.Missed.parse(rs.getString(6)), Instant.ofEpochMilli(rs.getLong(7)), never ? null : Instant.ofEpochMilli(next)));
      }
    }
    return out;
  }

  @Override
  public void close() {
    db.close();
  }


  private static void setNullableString(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }

  private static List<AsyncEvent> readAll(PreparedStatement ps) throws SQLException {
    List<AsyncEvent> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long failedAt = rs.getLong(8);
        boolean failed = !rs.wasNull();
        out.add(new AsyncEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4),
            Instant.ofEpochMilli(rs.getLong(5)), rs.getInt(6), rs.getString(7), failed ? Instant.ofEpochMilli(failedAt) : null));
      }
    }
    return out;
  }

  private <T> T withConnection(String what, GuardedConnection.Work<T> work) {
    return db.withConnection(what, work);
  }

  private <T> T inTransaction(String what, GuardedConnection.Work<T> work) {
    return db.inTransaction(what, work);
  }
}
