package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functions stay deployed across a daemon restart. */
class PersistenceIT {
  @Test
  void deployedFunctionsSurviveARestart(@TempDir Path data) {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-java"));
      d.deploy(example("hello-http"));
      assertThat(d.get("/fn/hello-java/?name=Ann").body()).contains("Hello, Ann");
      d.restart();
      DaemonFixture.CliResult ls = d.cli("ls");
      assertThat(ls.exit()).isZero();
      assertThat(ls.out()).contains("hello-java").contains("hello-http");
      assertThat(d.get("/fn/hello-java/?name=Again").body()).contains("Hello, Again");
      assertThat(d.get("/fn/hello-http/?name=Again").body()).contains("Hello, Again");
      assertThat(d.status("hello-java").path("revision").asInt()).isEqualTo(1);
    }
  }

  @Test
  void httpAppsLeftRunningByAKilledDaemonAreStoppedByTheNextOne(@TempDir Path data) throws Exception {
    AsyncInvokeIT.DaemonProcess first = AsyncInvokeIT.DaemonProcess.start(data);
    ProcessHandle app;
    try {
      DaemonFixture.CliResult deploy = DaemonFixture.cliAt(first.url, data, "deploy", example("hello-http"), "--name", "orphan",
          "--keep-alive", "fixed", "--idle-timeout", "10m", "--env", "PILOTLIGHT_LAUNCH=plain");
      assertThat(deploy.exit()).as(deploy.err()).isZero();
      HttpResponse<String> hello = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(first.url + "/fn/orphan/?name=Ann")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(hello.body()).contains("Hello, Ann");
      Path records = data.resolve("instances");
      DaemonFixture.eventually(Duration.ofSeconds(10), "the instance's record", () -> Files.isDirectory(records) && count(records) == 1);
      long pid;
      try (var files = Files.list(records)) {
        pid = Long.parseLong(Files.readString(files.findFirst().orElseThrow()).strip().split(" ")[0]);
      }
      app = ProcessHandle.of(pid).orElseThrow();
    } finally {
      first.killDaemonOnly();
    }
    try {
      assertThat(app.isAlive()).as("the app outlives a SIGKILLed daemon").isTrue();
      AsyncInvokeIT.DaemonProcess second = AsyncInvokeIT.DaemonProcess.start(data);
      try {
        DaemonFixture.eventually(Duration.ofSeconds(10), "the orphaned app stopped", () -> !app.isAlive());
        assertThat(data.resolve("instances")).isEmptyDirectory();
      } finally {
        second.stop();
      }
    } finally {
      app.destroyForcibly();
    }
  }

  private static long count(Path dir) {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".pid")).count();
    } catch (IOException e) {
      return 0;
    }
  }
}
