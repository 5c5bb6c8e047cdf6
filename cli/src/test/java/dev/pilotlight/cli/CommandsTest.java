package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import dev.pilotlight.model.io.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Each command against a fake daemon: the request it sent and what it printed. */
class CommandsTest extends AgainstFakeDaemon {

  static final String HELLO = """
      {"name":"hello-java","runtime":"java","handler":"example.Hello::handleRequest","command":null,
       "memoryMb":256,"timeoutSeconds":30.0,"concurrency":1,"minInstances":0,"maxInstances":10,
       "idleTimeoutSeconds":300.0,"env":{"LOG_LEVEL":"debug"},"revision":2,
       "codeSha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","codeSize":4211,
       "deployedAt":"2026-11-21T23:59:01Z","url":"http://127.0.0.1:8080/fn/hello-java/",
       "instances":1,"starting":0,"inFlight":0,"queued":0,"coldStarts":1,"invocations":5,"errors":0,
       "latencyMs":{"p50":1.9,"p99":412.0},"lastColdStart":{"strategy":"plain","initMs":402.1}}""";

  @Test
  void deploy_putsTheZipAndPrintsASummary() throws IOException {
    Path dir = tmp.resolve("hello-java");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: java\nhandler: example.Hello::handleRequest\n");
    Files.writeString(dir.resolve("Hello.class"), "H");
    daemon.on("PUT", "/api/v1/functions/hello-java", Reply.json(201, HELLO));

    var r = cli.run("deploy", dir.toString(), "--memory", "512", "--timeout", "10s", "--env", "A=x=y", "--env", "B=");

    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("deployed hello-java revision 2 (java, 4.1 kB) → http://127.0.0.1:8080/fn/hello-java/\n");
    FakeDaemon.Request put = daemon.only();
    assertThat(put.header("Content-Type")).isEqualTo("application/zip");
    assertThat(put.header("Content-Length")).isEqualTo(Integer.toString(put.body().length));
    Map<String, String> entries = Zips.read(put.body());
    assertThat(entries.keySet()).containsExactly("pilotlight.yaml", "Hello.class");
    assertThat(entries.get("pilotlight.yaml")).contains("name: hello-java", "memory: 512", "timeout: 10s", "A: x=y");
  }

  @Test
  void deploy_json_printsTheFunctionObject() throws IOException {
    Path jar = Zips.write(tmp.resolve("hello-java.jar"), Map.of("a", "b"));
    daemon.on("PUT", "/api/v1/functions/hello-java", Reply.json(200, HELLO));

    var r = cli.run("deploy", jar.toString(), "--runtime", "java", "--handler", "example.Hello", "--json");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("{\n").contains("\"revision\" : 2");
    assertThat(Zips.read(daemon.only().body())).containsKeys("pilotlight.yaml", "hello-java.jar");
  }

  @Test
  void deploy_manifestRollout_goesInThePackageAndTheNoticeIsPrinted() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("hello-java"));
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: java\nhandler: example.Hello::handleRequest\nrollout: canary:10%,5m\n");
    String notice = "the rollout in pilotlight.yaml (canary:10%,5m,errors=1%,latency=2x) did not apply: this is the first revision";
    daemon.on("PUT", "/api/v1/functions/hello-java", Reply.json(201, HELLO.replaceFirst("\\{", "{\"notice\":\"" + notice + "\",")));

    var r = cli.run("deploy", dir.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).endsWith("/fn/hello-java/\n" + notice + "\n").doesNotContain("rolling out");
    FakeDaemon.Request put = daemon.only();
    assertThat(put.uri()).isEqualTo("/api/v1/functions/hello-java");
    assertThat(Zips.read(put.body()).get("pilotlight.yaml")).contains("rollout:").contains("canary:10%,5m");
  }

  @Test
  void deploy_rolloutNone_isSentAsIs() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("hello-java"));
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: java\nhandler: example.Hello::handleRequest\nrollout: canary:10%,5m\n");
    daemon.on("PUT", "/api/v1/functions/hello-java", Reply.json(200, HELLO));

    var r = cli.run("deploy", dir.toString(), "--rollout", "none");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(daemon.only().uri()).isEqualTo("/api/v1/functions/hello-java?rollout=none");
  }

  @Test
  void deploy_printsARolloutOnlyWhenThisDeployStartedIt() throws IOException {
    Path jar = Zips.write(tmp.resolve("hello-java.jar"), Map.of("a", "b"));
    String running = "{\"rollout\":{\"status\":\"running\",\"stable\":1,\"revision\":2,\"plan\":\"canary:10%,5m,errors=1%,latency=2x\"},";
    daemon.on("PUT", "/api/v1/functions/hello-java", Reply.json(200, HELLO.replaceFirst("\\{", running)));
    var started = cli.run("deploy", jar.toString(), "--runtime", "java", "--handler", "example.Hello", "--rollout", "canary:10%,5m");
    assertThat(started.out()).contains("\nrolling out over revision 1 (canary:10%,5m,errors=1%,latency=2x)");

    // the function object holds its last rollout: one that ended, or that of an earlier revision, is no news of this deploy
    String ended = "{\"rollout\":{\"status\":\"succeeded\",\"stable\":0,\"revision\":1,\"plan\":\"canary:10%,5m\"},";
    daemon.on("PUT", "/api/v1/functions/hello-java", Reply.json(200, HELLO.replaceFirst("\\{", ended)));
    var plain = cli.run("deploy", jar.toString(), "--runtime", "java", "--handler", "example.Hello");
    assertThat(plain.exit()).as(plain.err()).isZero();
    assertThat(plain.out()).doesNotContain("rolling out");
  }

  @Test
  void deploy_daemonRejection_isPrintedAsErrorWithExit1() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("app"));
    daemon.on("PUT", "/api/v1/functions/app",
        Reply.error(400, "InvalidInput", "runtime is missing (expected one of: java, java17, java21, java25, http)"));

    var r = cli.run("deploy", dir.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: runtime is missing (expected one of: java, java17, java21, java25, http)\n");
  }

  @Test
  void deploy_usageErrors_exit64WithoutCallingTheDaemon() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("app"));

    var missing = cli.run("deploy", tmp.resolve("missing").toString());
    assertThat(missing.exit()).isEqualTo(64);
    assertThat(missing.err()).startsWith("error: ").contains("missing does not exist");

    var badEnv = cli.run("deploy", dir.toString(), "--env", "NOEQUALS");
    assertThat(badEnv.exit()).isEqualTo(64);
    assertThat(badEnv.err()).isEqualTo("error: --env 'NOEQUALS' (expected: KEY=VALUE, e.g. --env LOG_LEVEL=debug)\n");

    var badTimeout = cli.run("deploy", dir.toString(), "--timeout", "soon");
    assertThat(badTimeout.exit()).isEqualTo(64);
    assertThat(badTimeout.err()).contains("--timeout: 'soon' is not a duration");

    var both = cli.run("deploy", dir.toString(), "--handler", "a.B", "--command", "run");
    assertThat(both.exit()).isEqualTo(64);
    assertThat(both.err()).contains("mutually exclusive");

    var badName = cli.run("deploy", dir.toString(), "--name", "Not_Valid");
    assertThat(badName.exit()).isEqualTo(1);
    assertThat(badName.err()).startsWith("error: name: 'Not_Valid' is not a valid function name");

    assertThat(daemon.requests()).isEmpty();
  }

  @Test
  void invoke_postsTheEventAndPrintsTheAnswer() {
    daemon.on("POST", "/api/v1/functions/hello-java/invoke", Reply.json(200, "{\"greeting\":\"hi\"}"));

    var r = cli.run("invoke", "hello-java");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("{\"greeting\":\"hi\"}\n");
    assertThat(daemon.only().text()).isEqualTo("{}");
    assertThat(daemon.only().header("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void invoke_dataInlineAndFromAFile() throws IOException {
    daemon.on("POST", "/api/v1/functions/f/invoke", Reply.json(200, "ok\n"));
    Path event = Files.writeString(tmp.resolve("event.json"), "{\"name\":\"Ann\"}");

    assertThat(cli.run("invoke", "f", "--data", "{\"a\":1}").out()).isEqualTo("ok\n");
    assertThat(cli.run("invoke", "f", "--data", "@" + event).exit()).isZero();

    assertThat(daemon.requests()).extracting(FakeDaemon.Request::text).containsExactly("{\"a\":1}", "{\"name\":\"Ann\"}");
  }

  @Test
  void invoke_missingDataFile_exit64() {
    var r = cli.run("invoke", "f", "--data", "@" + tmp.resolve("nope.json"));

    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).startsWith("error: --data @").contains("nope.json is not a readable file");
    assertThat(daemon.requests()).isEmpty();
  }

  @Test
  void invoke_functionError_goesToStderrWithExit1() {
    String error = "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\"}";
    daemon.on("POST", "/api/v1/functions/f/invoke", new Reply(200,
        Map.of("X-Pilotlight-Function-Error", "java.lang.IllegalStateException"), error));

    var r = cli.run("invoke", "f");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo(error + "\n");
  }

  @Test
  void invoke_timeout_isADaemonError() {
    daemon.on("POST", "/api/v1/functions/f/invoke",
        Reply.error(504, "FunctionTimeout", "function 'f' did not answer within 30s"));

    var r = cli.run("invoke", "f");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: function 'f' did not answer within 30s\n");
  }

  @Test
  void ls_printsATable() {
    daemon.on("GET", "/api/v1/functions", Reply.json(200, "{\"functions\":[" + HELLO + ","
        + "{\"name\":\"hello-http\",\"runtime\":\"http\",\"revision\":12,\"instances\":0,\"invocations\":1234,"
        + "\"coldStarts\":3}]}"));

    var r = cli.run("ls");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("""
        NAME        RUNTIME  REVISION  INSTANCES  INVOCATIONS  COLD STARTS
        hello-java  java            2          1            5            1
        hello-http  http           12          0         1234            3
        """);
  }

  @Test
  void ls_empty() {
    daemon.on("GET", "/api/v1/functions", Reply.json(200, "{\"functions\":[]}"));

    assertThat(cli.run("ls").out()).startsWith("no functions deployed");
  }

  @Test
  void ls_json_printsTheDaemonsJsonPretty() {
    daemon.on("GET", "/api/v1/functions", Reply.json(200, "{\"functions\":[{\"name\":\"a\"}]}"));

    var r = cli.run("ls", "--json");

    assertThat(r.out()).isEqualTo("""
        {
          "functions" : [ {
            "name" : "a"
          } ]
        }
        """);
  }

  @Test
  void status_printsKeyValueLines() {
    daemon.on("GET", "/api/v1/functions/hello-java", Reply.json(200, HELLO));

    var r = cli.run("status", "hello-java");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("""
        name:              hello-java
        runtime:           java
        handler:           example.Hello::handleRequest
        revision:          2 (deployed 2026-11-21T23:59:01Z)
        code sha256:       9f86d081884c
        url:               http://127.0.0.1:8080/fn/hello-java/
        instances:         1 ready, 0 starting
        in-flight:         0
        queued:            0
        invocations:       5
        errors:            0
        cold starts:       1
        latency:           p50 1.9 ms, p99 412.0 ms
        memory:            256 MB
        timeout:           30s
        concurrency:       1
        min/max instances: 0 / 10
        idle timeout:      5m
        last cold start:   plain, init 402.1 ms
        env:               LOG_LEVEL
        """);
  }

  @Test
  void status_ofAnHttpFunctionNeverCalled() {
    daemon.on("GET", "/api/v1/functions/web", Reply.json(200,
        "{\"name\":\"web\",\"runtime\":\"http\",\"handler\":null,\"command\":\"./serve\",\"latencyMs\":null,"
            + "\"lastColdStart\":null,\"timeoutSeconds\":0.5}"));

    String out = cli.run("status", "web").out();

    assertThat(out).contains("command:           ./serve\n", "latency:           -\n", "last cold start:   -\n",
        "timeout:           500ms\n").doesNotContain("handler:");
  }

  @Test
  void status_json() {
    daemon.on("GET", "/api/v1/functions/hello-java", Reply.json(200, HELLO));

    assertThat(cli.run("status", "hello-java", "--json").out()).startsWith("{\n  \"name\" : \"hello-java\",\n");
  }

  @Test
  void status_unknownFunction_exit1WithTheDaemonsMessage() {
    daemon.on("GET", "/api/v1/functions/nope", Reply.error(404, "FunctionNotFound", "function 'nope' does not exist"));

    var r = cli.run("status", "nope");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("error: function 'nope' does not exist\n");
  }

  @Test
  void rm_deletesAndConfirms() {
    daemon.on("DELETE", "/api/v1/functions/hello-java", new Reply(204, Map.of(), ""));

    var r = cli.run("rm", "hello-java");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("removed hello-java\n");
    assertThat(daemon.only().method()).isEqualTo("DELETE");
  }

  @Test
  void queueFull_mentionsRetryAfter() {
    daemon.on("POST", "/api/v1/functions/f/invoke", new Reply(429,
        Map.of("Retry-After", "2"), "{\"error\":\"QueueFull\",\"message\":\"queue of 'f' is full (100)\"}"));

    assertThat(cli.run("invoke", "f").err()).isEqualTo("error: queue of 'f' is full (100) (retry after 2 s)\n");
  }

  @Test
  void nonJsonErrors_showTheStatusAndTheFirstLine() {
    daemon.on("GET", "/api/v1/functions", new Reply(500, Map.of(), "Internal Server Error\nstack…"));

    var r = cli.run("ls");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: the daemon answered HTTP 500: Internal Server Error\n");
  }

  @Test
  void everyCommandsHelpRendersItsTextAsWritten() {
    // picocli reads descriptions as format strings: a lone % (canary:10%) makes it print a warning
    // on stderr and the raw text instead of the help.
    CommandLine root = Main.commandLine(new CliContext(System.out, System.err, Map.of()));
    List<CommandLine> all = new ArrayList<>(List.of(root));
    for (int i = 0; i < all.size(); i++) {
      all.addAll(all.get(i).getSubcommands().values());
    }
    PrintStream before = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
    try {
      for (CommandLine c : all) {
        assertThat(c.getUsageMessage()).as(c.getCommandName()).doesNotContain("%n");
      }
    } finally {
      System.setErr(before);
    }
    assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(root.getSubcommands().get("deploy").getUsageMessage().replaceAll("\\s+", " ")).contains("canary:10%,5m (10 % for 5 minutes");
  }

  @Test
  void aGroupAloneShowsItsCommands_exitUsage() {
    for (String group : new String[] {"schedule", "events", "tokens", "keys"}) {
      var r = CliRunner.against(daemon.url()).run(group);
      assertThat(r.exit()).as(group).isEqualTo(CliFailure.EXIT_USAGE);
      assertThat(r.err()).as(group).contains("Usage:").contains("ls");
    }
    assertThat(daemon.requests()).isEmpty();
  }

  @Test
  void daemonNotRunning_exit2WithHowToStartIt() throws IOException {
    int closedPort = LoopbackPorts.freePort();
    String url = "http://127.0.0.1:" + closedPort;

    var r = CliRunner.against(url).run("ls");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("error: cannot reach the Pilotlight daemon at " + url
        + " (connection refused). Start it with: bin/pilotlight serve\n");
  }

  @Test
  void url_flagBeatsTheEnvironment_beforeOrAfterTheCommand() {
    daemon.on("GET", "/api/v1/functions", Reply.json(200, "{\"functions\":[]}"));
    CliRunner wrongEnv = CliRunner.against("http://127.0.0.1:1");

    assertThat(wrongEnv.run("ls", "--url", daemon.url()).exit()).isZero();
    assertThat(wrongEnv.run("--url", daemon.url(), "ls").exit()).isZero();
    assertThat(wrongEnv.run("--url", "http://127.0.0.1:1", "ls", "--url", daemon.url() + "/").exit()).isZero();
    assertThat(daemon.requests()).hasSize(3);
  }

  @Test
  void url_invalid_exit64() {
    var r = cli.run("ls", "--url", "localhost:8080");

    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).isEqualTo("error: --url 'localhost:8080' is not a daemon address (expected e.g. http://127.0.0.1:8080)\n");
  }

  @Test
  void url_defaultsTo8080() {
    GlobalOptions options = new GlobalOptions();
    assertThat(options.resolveUrl(Map.of())).isEqualTo("http://127.0.0.1:8080");
    assertThat(options.resolveUrl(Map.of("PILOTLIGHT_URL", "http://h:9/"))).isEqualTo("http://h:9");
  }

  @Test
  void unknownCommandOrFlag_printsPicocliUsageWithExit64() {
    var command = cli.run("frobnicate");
    assertThat(command.exit()).isEqualTo(64);
    assertThat(command.err()).contains("Unmatched argument at index 0: 'frobnicate'");

    var flag = cli.run("ls", "--bogus");
    assertThat(flag.exit()).isEqualTo(64);
    assertThat(flag.err()).contains("Unknown option: '--bogus'", "Usage: pilotlight ls");

    var nothing = cli.run();
    assertThat(nothing.exit()).isEqualTo(64);
    assertThat(nothing.err()).contains("Usage: pilotlight", "deploy", "invoke", "status", "logs", "demo");
  }

  @Test
  void help_exit0() {
    var r = cli.run("deploy", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--min-instances", "--idle-timeout", "--env", "--url");
  }
}
