package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.cli.FakeDaemon.Reply;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --json} on invoke, logs and rm (ls/status/deploy are covered in CommandsTest). */
class JsonOutputTest extends AgainstFakeDaemon {
  @Test
  void invokeJsonWrapsStatusErrorAndPayload() throws Exception {
    daemon.on("POST", "/api/v1/functions/f/invoke", Reply.json(200, "{\"message\":\"hi\"}"));
    var ok = cli.run("invoke", "f", "--json");
    assertThat(ok.exit()).isZero();
    var node = new ObjectMapper().readTree(ok.out());
    assertThat(node.path("statusCode").asInt()).isEqualTo(200);
    assertThat(node.path("functionError").isNull()).isTrue();
    assertThat(node.path("payload").path("message").asText()).isEqualTo("hi");
  }

  @Test
  void logsJsonSplitsTheLineFormat() {
    daemon.on("GET", "/api/v1/functions/f/logs", new Reply(200, Map.of("Content-Type", "text/plain"),
        "2026-11-21T23:59:01.123Z abc-1 [f-1] hello world\n2026-11-21T23:59:02.000Z - [-] DEPLOY revision 1\n"));
    var r = cli.run("logs", "f", "--json");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().toList()).containsExactly(
        "{\"timestamp\":\"2026-11-21T23:59:01.123Z\",\"requestId\":\"abc-1\",\"instance\":\"f-1\",\"message\":\"hello world\"}",
        "{\"timestamp\":\"2026-11-21T23:59:02.000Z\",\"requestId\":null,\"instance\":\"-\",\"message\":\"DEPLOY revision 1\"}");
  }

  @Test
  void rmJson() {
    daemon.on("DELETE", "/api/v1/functions/f", new Reply(204, Map.of(), ""));
    var r = cli.run("rm", "f", "--json");
    assertThat(r.exit()).isZero();
    assertThat(r.out().trim()).isEqualTo("{\"removed\":\"f\"}");
  }
}
