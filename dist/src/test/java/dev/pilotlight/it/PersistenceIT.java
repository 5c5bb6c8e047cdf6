package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

      // The listing (kept in memory, each revision's fixed fields written once) says what each
      // function's own view says, across a redeploy and a removal.
      d.deploy(example("hello-python"));
      d.deploy(example("hello-python"), "--name", "doomed");
      assertListingMatchesEachView(d, List.of("doomed", "hello-http", "hello-java", "hello-python"));
      d.deploy(example("hello-java"), "--memory", "256");
      assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/doomed")).DELETE().build()).statusCode())
          .isIn(200, 204);
      assertListingMatchesEachView(d, List.of("hello-http", "hello-java", "hello-python"));
      d.restart();
      assertListingMatchesEachView(d, List.of("hello-http", "hello-java", "hello-python"));
      assertThat(d.status("hello-java").path("memoryMb").asInt()).isEqualTo(256);
    }
  }

  private static void assertListingMatchesEachView(DaemonFixture d, List<String> names) {
    JsonNode listed;
    try {
      listed = new ObjectMapper().readTree(d.get("/api/v1/functions").body()).path("functions");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> listedNames = new ArrayList<>();
    listed.forEach(f -> listedNames.add(f.path("name").asText()));
    assertThat(listedNames).isEqualTo(names);
    for (JsonNode f : listed) {
      // what may move between the two reads (a scaling tick) is left out
      ObjectNode one = (ObjectNode) d.status(f.path("name").asText());
      ObjectNode fromList = ((ObjectNode) f).deepCopy();
      for (ObjectNode n : List.of(one, fromList)) {
        n.remove(List.of("desired", "keepAlive", "panicking"));
      }
      assertThat(fromList).as(f.path("name").asText()).isEqualTo(one);
    }
  }
}
