package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code failures}, {@code redrive} and the deploy flags for asynchronous invocations, against a fake daemon. */
class AsyncCommandsTest extends AgainstFakeDaemon {
  static final String FAILURES = """
      {"function":"worker","failures":[{"id":7,"requestId":"6f1c…","payload":"{\\"order\\":42}","attempts":3,
       "error":"java.lang.IllegalStateException: boom","acceptedAt":"2026-11-21T23:59:01Z","failedAt":"2026-11-22T00:02:01Z"}]}""";

  @Test
  void failures_printsATableWithPayloadAndErrorAndHowToRedrive() {
    daemon.on("GET", "/api/v1/functions/worker/failures", Reply.json(200, FAILURES));
    var r = cli.run("failures", "worker");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("REQUEST ID", "ATTEMPTS", "java.lang.IllegalStateException: boom", "{\"order\":42}")
        .endsWith("1 failed; run them again with: bin/pilotlight redrive worker\n");
  }

  @Test
  void failures_json_printsTheDaemonsAnswer() {
    daemon.on("GET", "/api/v1/functions/worker/failures", Reply.json(200, FAILURES));
    var r = cli.run("failures", "worker", "--json");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("\"attempts\" : 3", "\"payload\" : \"{\\\"order\\\":42}\"");
  }

  @Test
  void failures_none_saysSo() {
    daemon.on("GET", "/api/v1/functions/worker/failures", Reply.json(200, "{\"function\":\"worker\",\"failures\":[]}"));
    assertThat(cli.run("failures", "worker").out()).isEqualTo("no failed asynchronous invocations of worker\n");
  }

  @Test
  void failures_unknownFunction_isAnErrorWithExit1() {
    daemon.on("GET", "/api/v1/functions/nope/failures",
        Reply.json(404, "{\"error\":\"FunctionNotFound\",\"message\":\"function 'nope' does not exist\"}"));
    var r = cli.run("failures", "nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("function 'nope' does not exist");
  }

  @Test
  void redrive_postsAndPrintsHowManyWereQueued() {
    daemon.on("POST", "/api/v1/functions/worker/redrive", Reply.json(200, "{\"function\":\"worker\",\"redriven\":2}"));
    var r = cli.run("redrive", "worker");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("redriven 2 failed invocation(s) of worker\n");
    assertThat(daemon.only().method()).isEqualTo("POST");
    assertThat(cli.run("redrive", "worker", "--json").out()).isEqualTo("{\"function\":\"worker\",\"redriven\":2}\n");
  }

  @Test
  void deploy_asyncFlagsGoIntoTheManifest() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("worker"));
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: java\nhandler: example.Worker\n");
    daemon.on("PUT", "/api/v1/functions/worker", Reply.json(201, CommandsTest.HELLO));
    var r = cli.run("deploy", dir.toString(), "--max-event-age", "1h", "--max-retries", "1", "--retry-delay", "200ms");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Zips.read(daemon.only().body()).get("pilotlight.yaml")).contains("maxEventAge: 1h", "maxRetries: 1", "retryDelay: 200ms");
  }

  @Test
  void deploy_badRetryDelay_isAUsageError() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("worker"));
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: java\nhandler: example.Worker\n");
    var r = cli.run("deploy", dir.toString(), "--retry-delay", "soon");
    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).contains("--retry-delay");
  }
}
