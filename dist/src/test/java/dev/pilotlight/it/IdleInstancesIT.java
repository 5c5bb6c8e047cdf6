package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: with a few instances alive and quiet, the management API went on answering only
 * until the JVM's virtual-thread scheduler gave back its spare carriers (~110 s on a 2-core host);
 * after that every management call hung for good, because each idle instance's stdout/stderr
 * readers were virtual threads pinned in pipe reads. The daemon here holds three live instances
 * (java, python, node) idle past that point, then calls every kind of management operation, each
 * with a deadline.
 */
class IdleInstancesIT {
  /** Longer than the ~110 s after which the hang appeared; {@code -Dpilotlight.it.idleSeconds} shortens it for a quick local run. */
  private static final Duration IDLE = Duration.ofSeconds(Long.getLong("pilotlight.it.idleSeconds", 125));
  private static final Duration CALL_LIMIT = Duration.ofSeconds(15);
  private static final List<String> FUNCTIONS = List.of("hello-java", "hello-python", "hello-node");

  @Test
  void managementApiAnswersAfterLiveInstancesSatIdle(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      for (String f : FUNCTIONS) {
        d.deploy(example(f));
        assertThat(d.get("/fn/" + f + "/?name=Ann").body()).contains("Hello, Ann");
      }
      for (String f : FUNCTIONS) {
        assertThat(d.status(f).path("instances").asInt()).as("%s keeps its instance while idle", f).isPositive();
      }

      Thread.sleep(IDLE.toMillis()); // nothing at all reaches the daemon meanwhile

      String lambda = "/2015-03-31/functions";
      assertAnswers(d, "GET", "/api/v1/functions", null, 200);
      assertAnswers(d, "GET", lambda + "/", null, 200);
      assertAnswers(d, "GET", lambda + "/hello-python", null, 200);
      assertAnswers(d, "GET", "/api/v1/functions/hello-java/logs?tail=5", null, 200);
      assertAnswers(d, "DELETE", lambda + "/hello-node", null, 204);
      // a deploy: unzipping, hashing, SQLite writes, all on the management threads
      DaemonFixture.CliResult deploy = d.cli("deploy", example("hello-python"), "--name", "after-idle");
      assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
      assertAnswers(d, "GET", "/api/v1/functions/after-idle", null, 200);
      for (String f : List.of("hello-java", "hello-python")) {
        assertThat(d.status(f).path("instances").asInt()).as("%s's instance was alive all along", f).isPositive();
      }
      assertThat(d.get("/fn/hello-java/?name=Bo").body()).contains("Hello, Bo");
    }
  }

  private static void assertAnswers(DaemonFixture d, String method, String path, String body, int status) {
    HttpRequest req = path.startsWith("/2015-03-31/")
        ? HttpRequest.newBuilder(TestAuth.signed(d.adminKey(), method, URI.create(d.url() + path), body == null ? "" : body, Map.of()),
            (n, v) -> true).timeout(CALL_LIMIT).build()
        : d.authorized(HttpRequest.newBuilder(URI.create(d.url() + path)).timeout(CALL_LIMIT)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    HttpResponse<String> r;
    try {
      r = d.http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new AssertionError(method + " " + path + " got no answer within " + CALL_LIMIT + " after the instances sat idle", e);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    }
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
  }
}
