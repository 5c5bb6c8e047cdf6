package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code deploy --readiness-path} becomes the manifest's {@code readinessPath} key. */
class ReadinessPathFlagTest extends AgainstFakeDaemon {
  @Test
  void deploy_readinessPathFlagReplacesTheManifestKey() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("web"));
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: http\ncommand: java -jar app.jar\nreadinessPath: /old\n");
    daemon.on("PUT", "/api/v1/functions/web", Reply.json(201, CommandsTest.HELLO));
    var r = cli.run("deploy", dir.toString(), "--readiness-path", "/actuator/health");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Zips.read(daemon.only().body()).get("pilotlight.yaml")).contains("readinessPath: /actuator/health").doesNotContain("/old");
  }
}
