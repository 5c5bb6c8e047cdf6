package dev.pilotlight.store;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own in the machine's PostgreSQL for one test ({@code PILOTLIGHT_TEST_DATABASE},
 * default {@code postgresql://postgres@127.0.0.1:5432/test}), dropped with everything in it when
 * closed. Every daemon or store opened on {@link #url()} shares it, as a cluster's daemons do.
 */
final class TestDatabase implements AutoCloseable {
  static final String BASE = System.getenv().getOrDefault("PILOTLIGHT_TEST_DATABASE", "postgresql://postgres@127.0.0.1:5432/test");

  private final String schema;
  private final PostgresDatabase database;

  private TestDatabase(String schema, PostgresDatabase database) {
    this.schema = schema;
    this.database = database;
  }

  static TestDatabase create() {
    String schema = "test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    run("CREATE SCHEMA " + schema);
    return new TestDatabase(schema, PostgresDatabase.open(urlOf(schema)));
  }

  private static String urlOf(String schema) {
    return BASE + (BASE.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** The database URL of this schema, as a daemon is given it. */
  String url() {
    return urlOf(schema);
  }

  /** One pool on the schema, for the stores of one test. */
  PostgresDatabase database() {
    return database;
  }

  /** Runs {@code sql} in the schema, as an operator would by hand. */
  void sql(String sql) {
    run("SET search_path TO " + schema + "; " + sql);
  }

  private static void run(String sql) {
    PostgresDatabase.Target t = PostgresDatabase.parse(BASE);
    try (var c = DriverManager.getConnection(t.jdbcUrl(), t.user(), t.password()); var s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + t.where() + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    database.close();
    run("DROP SCHEMA " + schema + " CASCADE");
  }
}
