package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The deploy flags of the autoscaler and the queue, against a fake daemon: they become manifest keys. */
class ScalingFlagsTest extends AgainstFakeDaemon {
  Path worker(String manifest) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("worker"));
    Files.writeString(dir.resolve("pilotlight.yaml"), manifest);
    return dir;
  }

  @Test
  void deploy_scalingFlagsGoIntoTheManifestOverItsKeys() throws IOException {
    Path dir = worker("runtime: java\nhandler: example.Worker\nmaxQueue: 5\n");
    daemon.on("PUT", "/api/v1/functions/worker", Reply.json(201, CommandsTest.HELLO));
    var r = cli.run("deploy", dir.toString(), "--target-utilization", "0.8", "--stable-window", "30s", "--panic-window", "3s",
        "--panic-threshold", "3", "--max-scale-up-rate", "10", "--max-scale-down-rate", "1.5", "--max-queue", "50",
        "--max-queue-wait", "2s", "--scale-down-delay", "0s");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Zips.read(daemon.only().body()).get("pilotlight.yaml")).contains("targetUtilization: 0.8", "stableWindow: 30s",
        "panicWindow: 3s", "panicThreshold: 3.0", "maxScaleUpRate: 10.0", "maxScaleDownRate: 1.5", "maxQueue: 50", "maxQueueWait: 2s",
        "scaleDownDelay: 0s")
        .doesNotContain("maxQueue: 5\n");
  }

  @Test
  void deploy_badScaleDownDelay_isAUsageError() throws IOException {
    Path dir = worker("runtime: java\nhandler: example.Worker\n");
    var r = cli.run("deploy", dir.toString(), "--scale-down-delay", "soon");
    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).contains("--scale-down-delay");
  }

  @Test
  void deploy_badWindow_isAUsageError() throws IOException {
    Path dir = worker("runtime: java\nhandler: example.Worker\n");
    var r = cli.run("deploy", dir.toString(), "--stable-window", "a minute");
    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).contains("--stable-window");
  }
}
