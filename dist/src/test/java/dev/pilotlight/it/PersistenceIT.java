package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
}
