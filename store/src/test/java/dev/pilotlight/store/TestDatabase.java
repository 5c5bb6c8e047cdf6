package dev.pilotlight.store;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A schema of its own in the machine's PostgreSQL for each test ({@code PILOTLIGHT_TEST_DATABASE},
 * default {@code postgresql://postgres@127.0.0.1:5432/test}), made before the test and dropped with
 * everything in it after: {@code @RegisterExtension final TestDatabase db = new TestDatabase();}.
 * Every store opened on {@link #database()} or {@link #url()} shares it, as a cluster's daemons do.
 */
final class TestDatabase implements BeforeEachCallback, AfterEachCallback {
  static final String BASE = System.getenv().getOrDefault("PILOTLIGHT_TEST_DATABASE", "postgresql://postgres@127.0.0.1:5432/test");

  private String schema;
  private PostgresDatabase database;

  @Override
  public void beforeEach(ExtensionContext context) {
    schema = "test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    run("CREATE SCHEMA " + schema);
    database = PostgresDatabase.open(url());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    database.close();
    run("DROP SCHEMA " + schema + " CASCADE");
  }

  /** The database URL of this test's schema, as a daemon is given it. */
  String url() {
    return BASE + (BASE.contains("?") ? "&" : "?") + "currentSchema=" + schema;
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
}
