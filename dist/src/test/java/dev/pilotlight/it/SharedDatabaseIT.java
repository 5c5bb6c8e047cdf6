package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.example;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.server.DaemonConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daemons sharing one PostgreSQL database ({@code serve --database}): what one daemon was given
 * (functions and their code, revisions, tokens, secrets, acknowledged async events) another daemon
 * with a data directory of its own finds there. Uses the machine's PostgreSQL
 * ({@link SharedDatabase}), in a schema of its own per test. The link between the daemons is in
 * {@link SecurityIT}.
 */
class SharedDatabaseIT {
  @RegisterExtension final SharedDatabase db = new SharedDatabase();

  private DaemonConfig config(Path data, String node) throws Exception {
    return db.config(data, node);
  }

  @Test
  void aSecondDaemonWithADataDirOfItsOwnServesWhatTheFirstWasGiven(@TempDir Path a, @TempDir Path b, @TempDir Path tmp) throws Exception {
    try (DaemonFixture first = new DaemonFixture(config(a, "node-a"))) {
      Path value = tmp.resolve("value");
      Files.writeString(value, "s3cret");
      DaemonFixture.CliResult set = first.cli("secrets", "set", "greeting", "--from-file", value.toString());
      assertThat(set.exit()).as(set.err()).isZero();
      first.deploy(example("hello-java"));
      assertThat(first.get("/fn/hello-java/?name=Ann").body()).contains("Hello, Ann");
      assertThat(first.get("/healthz").body()).contains("shared state: postgresql").contains("node node-a");
    }
    try (DaemonFixture second = new DaemonFixture(config(b, "node-b"))) {
      // the first daemon's token works here: credentials are shared
      HttpResponse<String> listed = second.send(HttpRequest.newBuilder(URI.create(second.url() + "/api/v1/functions"))
          .header("Authorization", "Bearer " + TestAuth.adminToken(a)).build());
      assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
      assertThat(listed.body()).contains("hello-java");
      // its code came from the database into this daemon's own data dir
      assertThat(second.get("/fn/hello-java/?name=Bo").body()).contains("Hello, Bo");
      try (var unpacked = Files.list(b.resolve("artifacts/code"))) {
        assertThat(unpacked.count()).isEqualTo(1);
      }
      assertThat(second.cli("secrets", "ls").out()).contains("greeting");
      // revisions go on from the shared registry
      second.deploy(example("hello-java"), "--memory", "256");
      assertThat(second.status("hello-java").path("revision").asInt()).isEqualTo(2);
    }
  }

  @Test
  void eventsAcknowledgedByADaemonRunWhenItComesBackOnAnotherDataDir(@TempDir Path a, @TempDir Path c) throws Exception {
    List<String> ids = new ArrayList<>();
    DaemonConfig paused = config(a, "node-a").withAsync(AsyncDispatcher.Settings.defaults().withPaused(true));
    try (DaemonFixture first = new DaemonFixture(paused)) {
      first.deploy(testFunctions(), "--name", "async-shared", "--runtime", "java", "--handler", "fixtures.Logs::handleRequest");
      for (int i = 0; i < 3; i++) {
        ids.add(AsyncInvokeIT.event(first.url(), a, "async-shared", "{\"n\":" + i + "}"));
      }
    }
    // the same node, replaced with an empty disk (a pod rescheduled): the queue is in the database
    try (DaemonFixture again = new DaemonFixture(config(c, "node-a"))) {
      for (String id : ids) {
        eventually(Duration.ofSeconds(30), "event " + id + " ran", () -> again.logs("async-shared").contains("REPORT RequestId: " + id));
      }
      Thread.sleep(500);
      for (String id : ids) {
        assertThat(AsyncInvokeIT.count(again.logs("async-shared"), "START RequestId: " + id)).as(id).isEqualTo(1);
      }
    }
  }

  @Test
  void threeDaemonsServeAsOneAFunctionsCallsLandWhereItIsWarmAndALostDaemonsFunctionsMove(@TempDir Path a, @TempDir Path b, @TempDir Path c)
      throws Exception {
    List<DaemonFixture> nodes = new ArrayList<>();
    try {
      nodes.add(new DaemonFixture(config(a, "node-a")));
      nodes.add(new DaemonFixture(config(b, "node-b")));
      nodes.add(new DaemonFixture(config(c, "node-c")));
      nodes.getFirst().deploy(example("hello-java"));
      for (DaemonFixture n : nodes) {
        eventually(Duration.ofSeconds(15), n.dataDir + " knows hello-java and the others",
            () -> n.get("/api/v1/functions/hello-java").statusCode() == 200
                && SharedDatabase.liveNodes(n) == 3);
      }
      // calls through every daemon: one home serves them all, so the whole cluster pays one cold start
      int forwarded = 0;
      for (int i = 0; i < 9; i++) {
        HttpResponse<String> r = nodes.get(i % 3).get("/fn/hello-java/?name=n" + i);
        assertThat(r.body()).contains("Hello, n" + i);
        forwarded += r.headers().firstValue("X-Pilotlight-Forwarded-By").isPresent() ? 1 : 0;
      }
      assertThat(forwarded).isEqualTo(6);
      assertThat(coldStarts(nodes)).isEqualTo(1);
      DaemonFixture home = nodes.stream().filter(n -> n.status("hello-java").findPath("coldStarts").asLong() == 1).findFirst().orElseThrow();

      // the home daemon is lost: within seconds another serves the function (one more cold start), none lost after that
      home.close();
      nodes.remove(home);
      long lost = System.nanoTime();
      eventually(Duration.ofSeconds(20), "hello-java answers through both remaining daemons", () -> nodes.stream()
          .allMatch(n -> n.get("/fn/hello-java/?name=again").body().contains("Hello, again")));
      assertThat(Duration.ofNanos(System.nanoTime() - lost)).isLessThan(Duration.ofSeconds(20));
      for (int i = 0; i < 6; i++) {
        assertThat(nodes.get(i % 2).get("/fn/hello-java/?name=m" + i).body()).contains("Hello, m" + i);
      }
      // a deploy through one remaining daemon reaches the other
      nodes.getLast().deploy(example("hello-java"), "--memory", "256");
      eventually(Duration.ofSeconds(15), "the new revision everywhere",
          () -> nodes.stream().allMatch(n -> n.status("hello-java").path("revision").asInt() == 2));
    } finally {
      nodes.forEach(DaemonFixture::close);
    }
  }

  private static long coldStarts(List<DaemonFixture> nodes) {
    return nodes.stream().mapToLong(n -> n.status("hello-java").findPath("coldStarts").asLong()).sum();
  }
}
