package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pilotlight.executor.ProcessExecutor;
import dev.pilotlight.server.DaemonConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot rung: an http app checkpointed with CRIU at deploy and restored on a cold start.
 * Skipped where CRIU is not usable as the daemon judges it (no {@code /opt/pilotlight-criu/sbin/criu}
 * from {@code bin/build-criu} and no criu on the PATH, {@code criu check} fails, e.g. without root, or
 * a trial dump fails or hangs on this kernel).
 */
class SnapshotIT {
  private static final Pattern READY = Pattern.compile("snapshot ready \\(revision \\d+, port (\\d+),");

  @BeforeAll
  static void criuIsUsable() {
    // The daemon's own detection: criu found, `criu check` passing, and a trial dump that finishes.
    String unavailable = ProcessExecutor.snapshotUnavailableReason("auto");
    assumeTrue(unavailable == null, "CRIU is not usable here (" + unavailable + "; build it with bin/build-criu, run as root)"
        + ": snapshot restore is not tested");
  }

  private static DaemonFixture daemon(Path data) {
    return new DaemonFixture(DaemonFixtureConfig.withCriu(data));
  }

  @Test
  void aColdStartRestoresTheSnapshotAndFurtherCopiesTakeTheNextRung(@TempDir Path data) throws Exception {
    try (DaemonFixture d = daemon(data)) {
      d.deploy(example("hello-http"), "--name", "snap", "--concurrency", "1", "--keep-alive", "fixed");
      eventually(Duration.ofSeconds(120), "the snapshot", () -> d.logs("snap").contains("snapshot ready")
          || d.logs("snap").contains("snapshot not made"));
      assertThat(d.logs("snap")).contains("snapshot ready");

      HttpResponse<String> hello = d.get("/fn/snap/?name=Snap");
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("Hello, Snap");
      assertThat(d.status("snap").path("lastColdStart").path("strategy").asText()).isEqualTo("snapshot");
      assertThat(d.logs("snap")).contains("Launch: snapshot");
      // the restored app's stdout is the daemon's pipe: its request line reaches the function's log
      eventually(Duration.ofSeconds(10), "the restored app's output in the log", () -> d.logs("snap").contains("GET /?name=Snap 200"));

      // while the restored copy is busy, a second instance cannot be a copy of the same image: it starts afresh
      CompletableFuture<HttpResponse<String>> busy = CompletableFuture.supplyAsync(() -> d.get("/fn/snap/sleep?ms=3000"));
      eventually(Duration.ofSeconds(5), "the first instance busy", () -> d.status("snap").path("inFlight").asInt() == 1);
      HttpResponse<String> second = d.get("/fn/snap/?name=Second");
      assertThat(second.body()).isEqualTo("Hello, Second");
      assertThat(d.status("snap").path("lastColdStart").path("strategy").asText()).isIn("aot", "plain");
      assertThat(busy.get(30, TimeUnit.SECONDS).body()).contains("slept 3000 ms");

      // stopped, the next cold start is a restore again
      stopAll(d, "snap");
      assertThat(d.get("/fn/snap/?name=Again").body()).isEqualTo("Hello, Again");
      assertThat(d.status("snap").path("lastColdStart").path("strategy").asText()).isEqualTo("snapshot");

      // criu killed under a running copy (it is the copy's parent and the instance's process): the copy goes with it
      ProcessHandle criu = ProcessHandle.current().descendants()
          .filter(h -> h.info().commandLine().orElse("").contains(" restore -D ")).findFirst().orElseThrow();
      List<ProcessHandle> copy = criu.children().toList();
      assertThat(copy).hasSize(1);
      criu.destroyForcibly();
      eventually(Duration.ofSeconds(10), "the copy gone with criu", () -> copy.stream().noneMatch(ProcessHandle::isAlive));
      eventually(Duration.ofSeconds(10), "no instance left", () -> d.status("snap").path("instances").asInt() == 0);

      // a restore that cannot happen (its port is taken by another process) never fails the request
      stopAll(d, "snap");
      Matcher m = READY.matcher(d.logs("snap"));
      assertThat(m.find()).isTrue();
      try (ServerSocket squatter = new ServerSocket()) {
        squatter.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))));
        assertThat(d.get("/fn/snap/?name=Fallback").body()).isEqualTo("Hello, Fallback");
        assertThat(d.status("snap").path("lastColdStart").path("strategy").asText()).isIn("aot", "plain");
      }

      // nor does a restore that fails: a damaged image makes criu restore exit, and the same cold start starts the app
      stopAll(d, "snap");
      Path image;
      try (var dirs = Files.list(data.resolve("snapshots"))) {
        image = dirs.filter(p -> p.getFileName().toString().startsWith("snap-") && Files.isDirectory(p)).findFirst().orElseThrow();
      }
      try (var pages = Files.list(image)) {
        for (Path p : pages.filter(p -> p.getFileName().toString().startsWith("pages-")).toList()) {
          Files.delete(p);
        }
      }
      assertThat(d.get("/fn/snap/?name=Damaged").body()).isEqualTo("Hello, Damaged");
      assertThat(d.status("snap").path("lastColdStart").path("strategy").asText()).isIn("aot", "plain");
      assertThat(d.logs("snap")).contains("snapshot restore failed (starting the app instead): criu restore exited");
    }
  }

  @Test
  void anAppCappedBelowTheRungIsNeverSnapshotted(@TempDir Path data) {
    try (DaemonFixture d = daemon(data)) {
      d.deploy(example("hello-http"), "--name", "capped", "--env", "PILOTLIGHT_LAUNCH=aot");
      eventually(Duration.ofSeconds(120), "the AOT cache", () -> d.logs("capped").contains("AOT cache ready"));
      assertThat(d.get("/fn/capped/?name=Aot").body()).isEqualTo("Hello, Aot");
      assertThat(d.status("capped").path("lastColdStart").path("strategy").asText()).isEqualTo("aot");
      assertThat(d.logs("capped")).doesNotContain("snapshot");
    }
  }

  private static void stopAll(DaemonFixture d, String name) {
    assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/" + name + "/instances")).DELETE().build())
        .statusCode()).isLessThan(300);
    eventually(Duration.ofSeconds(30), "no instance left", () -> d.status(name).path("instances").asInt() == 0);
  }

  /** The fixture's default config with the snapshot rung on (CRIU found as {@code serve} finds it). */
  private static final class DaemonFixtureConfig {
    static DaemonConfig withCriu(Path data) {
      return DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0).withScalingTick(Duration.ofMillis(100))
          .withCriu("auto");
    }
  }
}
