package dev.pilotlight.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A PostgreSQL database that several daemons share ({@code serve --database postgresql://…}):
 * one pool of connections, and the schema migrations of every store in one table,
 * {@code schema_versions (component, version)}, run under an advisory lock so that daemons
 * starting together migrate once. Each store works through its own {@link #forStore view}, which
 * names it in errors.
 *
 * <p>Concurrency between daemons is the database's: a store that must serialise a change across
 * the cluster takes an advisory lock for it ({@link Database#lock}); a store that hands out work
 * claims rows with {@code FOR UPDATE SKIP LOCKED} ({@link Database#claimRows}).
 */
public final class PostgresDatabase implements AutoCloseable {
  /** Connections in the pool: the stores' traffic is a few statements per deploy, event or second. */
  static final int POOL_SIZE = 8;
  /** How long a caller waits for a connection (the database down or every connection busy) before its operation fails. */
  static final long CONNECTION_TIMEOUT_MS = 5_000;
  /** The advisory lock key every daemon's migrations take (an arbitrary constant: "pilotlight" in ASCII, truncated). */
  private static final long MIGRATION_LOCK = 0x70696c6f746cL;

  private final HikariDataSource pool;
  private final String where;

  private PostgresDatabase(HikariDataSource pool, String where) {
    this.pool = pool;
    this.where = where;
  }

  /**
   * Connects to {@code url}: {@code postgresql://USER:PASSWORD@HOST:PORT/DATABASE} (or
   * {@code postgres://…}, or a {@code jdbc:postgresql://…} URL), with any of the driver's
   * parameters after {@code ?} ({@code sslmode=verify-full}, {@code currentSchema=pilotlight}, …).
   *
   * @throws IllegalArgumentException the URL is not one of those
   * @throws StoreException the database cannot be reached or refuses the credentials
   */
  public static PostgresDatabase open(String url) {
    Target t = parse(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(t.jdbcUrl());
    if (t.user() != null) {
      config.setUsername(t.user());
    }
    if (t.password() != null) {
      config.setPassword(t.password());
    }
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    config.setPoolName("pilotlight-postgresql");
    // fail at start, with the driver's reason, when the database cannot be reached
    config.setInitializationFailTimeout(CONNECTION_TIMEOUT_MS);
    try {
      return new PostgresDatabase(new HikariDataSource(config), t.where());
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StoreException("database " + t.where() + ": cannot connect: " + cause.getMessage(), e);
    }
  }

  /** Where the database is, for messages: host, port and database name, never the password. */
  public String where() {
    return where;
  }

  record Target(String jdbcUrl, String user, String password, String where) {}

  /**
   * Checks that {@code url} is a database URL {@link #open} takes, without connecting.
   *
   * @return where it points (host, port, database), for messages
   * @throws IllegalArgumentException it is not
   */
  public static String checkUrl(String url) {
    return parse(url).where();
  }

  /** Parses a database URL of {@link #open}'s forms. */
  static Target parse(String url) {
    String expected = " (expected: postgresql://USER:PASSWORD@HOST:PORT/DATABASE)";
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("database URL: empty" + expected);
    }
    String rest = url.startsWith("jdbc:") ? url.substring(5) : url;
    URI uri;
    try {
      uri = new URI(rest);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("database URL: not a URL: " + e.getReason() + expected, e);
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("database URL: scheme '" + uri.getScheme() + "' is not supported" + expected);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("database URL: no host" + expected);
    }
    String path = uri.getRawPath();
    if (path == null || path.length() < 2 || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException("database URL: no database name" + expected);
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    String hostPort = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    String jdbc = "jdbc:postgresql://" + hostPort + path + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
    return new Target(jdbc, user, password, hostPort + path);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /**
   * Brings {@code component}'s tables to {@code migrations.size()}, once across the cluster:
   * under an advisory lock, in one transaction (PostgreSQL's DDL is transactional, so a failed
   * step leaves the version before it).
   *
   * @param migrations {@code migrations.get(i)} takes the component from version i to i+1; append only
   * @throws StoreException the stored version is newer than this daemon knows, or a step failed
   */
  void migrate(String component, List<List<String>> migrations) {
    int target = migrations.size();
    forStore(component).inTransaction("schema migration", c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
        s.executeUpdate("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      }
      int version = 0;
      try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_versions WHERE component = ?")) {
        ps.setString(1, component);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            version = rs.getInt(1);
          }
        }
      }
      if (version > target) {
        throw new StoreException(component + " (database " + where + "): schema version " + version
            + " was written by a newer Pilotlight (this one knows up to " + target + ")");
      }
      if (version == target) {
        return null;
      }
      try (Statement s = c.createStatement()) {
        for (int v = version; v < target; v++) {
          for (String sql : migrations.get(v)) {
            s.executeUpdate(sql);
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_versions (component, version) VALUES (?, ?) "
          + "ON CONFLICT (component) DO UPDATE SET version = excluded.version")) {
        ps.setString(1, component);
        ps.setInt(2, target);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** The schema version {@code component}'s tables are at (0: none yet). */
  int version(String component) {
    return forStore(component).withConnection("schema version", c -> {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_versions WHERE component = ?")) {
        ps.setString(1, component);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getInt(1) : 0;
        }
      }
    });
  }

  /** The database as one store uses it: errors name {@code label}. Closing the view leaves the pool open. */
  Database forStore(String label) {
    return new View(label);
  }

  /** Closes the pool; stores using it fail from then on. Idempotent. */
  @Override
  public void close() {
    pool.close();
  }

  /** SQL states after which a transaction may simply be run again: serialization failure, deadlock. */
  private static boolean retryable(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  private final class View implements Database {
    private final String label;
    private volatile boolean closed;

    View(String label) {
      this.label = label;
    }

    private void checkOpen(String what) {
      if (closed) {
        throw new StoreException(label + " (database " + where + "): " + what + ": the " + label + " is closed");
      }
    }

    @Override
    public <T> T withConnection(String what, Work<T> work) {
      checkOpen(what);
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        throw failure(what, e);
      }
    }

    @Override
    public <T> T inTransaction(String what, Work<T> work) {
      checkOpen(what);
      for (int attempt = 1; ; attempt++) {
        try (Connection c = pool.getConnection()) {
          return Database.transaction(c, work);
        } catch (SQLException e) {
          if (attempt < 3 && retryable(e)) {
            continue; // another daemon's transaction won a conflict; ours saw nothing committed
          }
          throw failure(what, e);
        }
      }
    }

    /**
     * A failure of {@code what}: {@link dev.pilotlight.model.Failure.Unavailable} (answered
     * {@code 503}) when the database cannot be reached, so a client knows to retry and nothing was
     * acknowledged; else a {@link StoreException}.
     */
    private RuntimeException failure(String what, SQLException e) {
      String state = e.getSQLState();
      if (e instanceof java.sql.SQLTransientConnectionException || state != null && state.startsWith("08")) {
        return new dev.pilotlight.model.Failure.Unavailable(label + ": the database " + where + " cannot be reached (" + what + "): "
            + e.getMessage());
      }
      return new StoreException(label + " (database " + where + "): " + what + " failed: " + e.getMessage(), e);
    }

    @Override
    public boolean shared() {
      return true;
    }

    @Override
    public void lock(Connection c, String key) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
        ps.setString(1, key);
        ps.execute();
      }
    }

    @Override
    public String claimRows() {
      return " FOR UPDATE SKIP LOCKED";
    }

    /** Closes this store's use of the database; the pool is its owner's to close. */
    @Override
    public void close() {
      closed = true;
    }
  }
}
