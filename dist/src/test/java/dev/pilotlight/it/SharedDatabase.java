package dev.pilotlight.it;

import dev.pilotlight.server.DaemonConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The machine's PostgreSQL ({@code PILOTLIGHT_TEST_DATABASE}, default
 * {@code postgresql://postgres@127.0.0.1:5432/test}) as daemons of one cluster share it: a schema of
 * its own per test, dropped after it, and one secrets key file for every daemon of the test.
 * Register with {@code @RegisterExtension}.
 */
final class SharedDatabase implements BeforeEachCallback, AfterEachCallback {
  static final String BASE = System.getenv().getOrDefault("PILOTLIGHT_TEST_DATABASE", "postgresql://postgres@127.0.0.1:5432/test");
  private String schema;
  private Path keys;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    schema = "it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    sql("CREATE SCHEMA " + schema);
    keys = Files.createTempDirectory("pilotlight-it-keys");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    sql("DROP SCHEMA " + schema + " CASCADE");
    Files.deleteIfExists(keys.resolve("secrets.key"));
    Files.deleteIfExists(keys);
  }

  private static void sql(String statement) throws Exception {
    URI u = URI.create(BASE);
    String user = u.getUserInfo() == null ? null : u.getUserInfo().split(":", 2)[0];
    String password = u.getUserInfo() == null || !u.getUserInfo().contains(":") ? null : u.getUserInfo().split(":", 2)[1];
    try (var c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user, password);
        var s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** The database URL of this test's schema. */
  String url() {
    return BASE + (BASE.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** A daemon of the cluster: its own data dir and node id, this test's schema and the shared secrets key. */
  DaemonConfig config(Path data, String node) throws Exception {
    Path key = keys.resolve("secrets.key");
    if (!Files.exists(key)) {
      Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    }
    return DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0).withScalingTick(Duration.ofMillis(100)).toBuilder()
        .shared(new DaemonConfig.Shared(url(), node)).secretsKey(key).build();
  }

  /** The daemons alive as {@code n} sees them ({@code GET /api/v1/node}'s cluster). */
  static int liveNodes(DaemonFixture n) {
    try {
      return DaemonFixture.JSON.readTree(n.get("/api/v1/node").body()).path("cluster").path("nodes").size();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
