package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer loop on a real daemon: {@code dev DIR} deploys, follows the log and redeploys on
 * a change (the next call runs the new code); {@code deploy --wait} reports the AOT training the
 * daemon runs for a java function until it is ready.
 */
class DeveloperLoopIT {
  @Test
  void devRedeploysOnAChangeAndFollowsTheLog(@TempDir Path data, @TempDir Path work) throws Exception {
    Path dir = work.resolve("greeter");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: app.handler\n");
    Files.writeString(dir.resolve("app.py"), "def handler(event, context):\n    print('saying hello')\n    return 'hello'\n");
    try (DaemonFixture d = new DaemonFixture(data)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream live = new PrintStream(out, true, StandardCharsets.UTF_8);
      Map<String, String> env = Map.of("PILOTLIGHT_HOME", DaemonFixture.ROOT.toString(), "PILOTLIGHT_DATA_DIR", data.toString());
      Thread dev = Thread.ofPlatform().start(() -> Main.run(live, live, env, "dev", dir.toString(), "--url", d.url()));
      try {
        eventually(Duration.ofSeconds(60), "the first deploy", () -> out.toString(StandardCharsets.UTF_8).contains("deployed greeter revision 1"));
        assertThat(d.cli("invoke", "greeter").out()).contains("hello");
        eventually(Duration.ofSeconds(30), "the log followed", () -> out.toString(StandardCharsets.UTF_8).contains("saying hello"));

        Files.writeString(dir.resolve("app.py"), "def handler(event, context):\n    return 'bonjour'\n");
        eventually(Duration.ofSeconds(60), "the redeploy", () -> out.toString(StandardCharsets.UTF_8).contains("deployed greeter revision 2"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("changed: app.py");
        assertThat(d.cli("invoke", "greeter").out()).contains("bonjour");
      } finally {
        dev.interrupt();
        dev.join(15_000);
      }
      assertThat(dev.isAlive()).as("dev ends when interrupted").isFalse();
    }
  }

  @Test
  void deployWaitReportsTheAotTrainingUntilItIsReady(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      DaemonFixture.CliResult r = d.cli("deploy", DaemonFixture.example("hello-java"), "--wait");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).contains("preparing: AOT cache: ").containsPattern("prepared: AOT cache: (ready|failed)");
      assertThat(d.status("hello-java").path("preparation").path("aot").path("revision").asInt()).isEqualTo(1);
      assertThat(d.status("hello-java").path("preparation").path("aot").path("state").asText()).isIn("ready", "failed");
    }
  }
}
