package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWS's own Java runtime interface client, as the bootstrap of a {@code provided} function, against
 * Pilotlight's Runtime API: events in, responses and errors out. If the Runtime API differed from
 * AWS's in paths, headers or status codes, this client would fail.
 */
class RuntimeInterfaceClientIT {
  static final String PACKAGE = DaemonFixture.ROOT.resolve("examples/ric-function/target/package").toString();

  @Test
  void awsRuntimeInterfaceClientServesEventsAndErrors(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(PACKAGE, "--name", "ric", "--runtime", "provided.al2023", "--handler", "ric.Greeter::handleRequest");

      HttpResponse<String> ok = d.post("/api/v1/functions/ric/invoke", "{\"name\":\"Ann\"}");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      JsonNode body = DaemonFixture.JSON.readTree(ok.body());
      assertThat(body.path("message").asText()).isEqualTo("Hello, Ann");
      assertThat(body.path("functionName").asText()).isEqualTo("ric");
      assertThat(body.path("remainingMs").asLong()).isPositive();
      String startLine = d.logs("ric").lines().filter(l -> l.contains("START RequestId:")).reduce((a, b) -> b).orElseThrow();
      assertThat(startLine).contains(body.path("requestId").asText());

      // The Lambda Invoke API on the same function: a function error is 200 + X-Amz-Function-Error.
      HttpResponse<String> failed = d.lambda("POST", "/2015-03-31/functions/ric/invocations", "{\"fail\":true}", Map.of());
      assertThat(failed.statusCode()).isEqualTo(200);
      assertThat(failed.headers().firstValue("X-Amz-Function-Error")).contains("Unhandled");
      JsonNode error = DaemonFixture.JSON.readTree(failed.body());
      assertThat(error.path("errorMessage").asText()).isEqualTo("failing on purpose");
      assertThat(error.path("errorType").asText()).contains("IllegalArgumentException");

      // and it keeps serving after an error
      assertThat(d.post("/api/v1/functions/ric/invoke", "{\"name\":\"Bo\"}").body()).contains("Hello, Bo");
    }
  }
}
