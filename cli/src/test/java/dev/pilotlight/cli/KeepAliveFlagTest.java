package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code deploy --keep-alive} becomes the manifest's {@code keepAlive} key. */
class KeepAliveFlagTest extends AgainstFakeDaemon {
  Path worker(String manifest) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("worker"));
    Files.writeString(dir.resolve("pilotlight.yaml"), manifest);
    return dir;
  }

  @Test
  void deploy_keepAliveFlagReplacesTheManifestKey() throws IOException {
    Path dir = worker("runtime: java\nhandler: example.Worker\nkeepAlive: histogram\n");
    daemon.on("PUT", "/api/v1/functions/worker", Reply.json(201, CommandsTest.HELLO));
    var r = cli.run("deploy", dir.toString(), "--keep-alive", "FIXED");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Zips.read(daemon.only().body()).get("pilotlight.yaml")).contains("keepAlive: fixed").doesNotContain("histogram");
  }

  @Test
  void deploy_unknownKeepAlive_isAUsageErrorNamingTheChoices() throws IOException {
    Path dir = worker("runtime: java\nhandler: example.Worker\n");
    var r = cli.run("deploy", dir.toString(), "--keep-alive", "forever");
    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).contains("--keep-alive: 'forever'", "histogram, fixed, off");
  }
}
