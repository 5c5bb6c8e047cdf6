package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progressive rollouts under a constant load (one client calling the function URL back to back,
 * bounded in time): one that succeeds fails no call and causes no cold start; one whose new
 * revision fails half its calls rolls back by itself, and the calls that failed are all the new
 * revision's.
 */
class RolloutIT {
  static DaemonFixture d;
  static Path work;

  static final String APP = """
      import itertools, os

      calls = itertools.count()


      def handler(event, context):
          if os.environ.get("FAIL") == "half" and next(calls) % 2 == 0:
              raise RuntimeError("broken on purpose")
          return {"v": os.environ["V"]}
      """;

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path dir) throws Exception {
    d = new DaemonFixture(data);
    work = dir;
    Files.writeString(dir.resolve("app.py"), APP);
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  static DaemonFixture.CliResult deploy(String name, String v, String... more) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("deploy", work.toString(), "--name", name, "--runtime",
        "python", "--handler", "app.handler", "--env", "V=" + v));
    args.addAll(java.util.List.of(more));
    DaemonFixture.CliResult r = d.cli(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  /** One client calling {@code /fn/NAME/} back to back until stopped; answers counted by status and revision. */
  static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger calls = new AtomicInteger();
    final Map<String, AtomicInteger> byStatusAndRevision = new ConcurrentHashMap<>();
    final Thread thread;

    Load(String name) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest req = HttpRequest.newBuilder(URI.create(d.url() + "/fn/" + name + "/")).timeout(Duration.ofSeconds(30)).build();
      thread = Thread.ofPlatform().start(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            String key = r.statusCode() + " from " + r.headers().firstValue("X-Pilotlight-Revision").orElse("?");
            byStatusAndRevision.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          } catch (Exception e) {
            byStatusAndRevision.computeIfAbsent("exception " + e, k -> new AtomicInteger()).incrementAndGet();
          }
          calls.incrementAndGet();
        }
      });
    }

    Map<String, Integer> counts() {
      Map<String, Integer> m = new TreeMap<>();
      byStatusAndRevision.forEach((k, v) -> m.put(k, v.get()));
      return m;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }
  }

  static JsonNode rollout(String name) {
    try {
      return DaemonFixture.JSON.readTree(d.cli("rollout", "status", name, "--json").out());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aRolloutThatSucceedsFailsNoCallAndCausesNoColdStart() throws Exception {
    deploy("steady", "one");
    try (Load load = new Load("steady")) {
      eventually(Duration.ofSeconds(30), "the load under way", () -> load.calls.get() > 200);
      long coldBefore = d.status("steady").path("coldStarts").asLong();
      DaemonFixture.CliResult started = deploy("steady", "two", "--rollout", "linear:50%,2s");
      assertThat(started.out()).contains("rolling out over revision 1");
      try {
        eventually(Duration.ofSeconds(60), "the rollout succeeded", () -> rollout("steady").path("status").asText().equals("succeeded"));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": " + rollout("steady") + " " + d.status("steady") + " " + load.counts(), e);
      }
      int atEnd = load.calls.get();
      eventually(Duration.ofSeconds(30), "calls after it", () -> load.calls.get() > atEnd + 200);
      load.close();
      Map<String, Integer> counts = load.counts();
      assertThat(counts.keySet()).as("every answer a 200 from revision 1 or 2: " + counts).containsExactly("200 from 1", "200 from 2");
      assertThat(d.status("steady").path("coldStarts").asLong()).as("cold starts during the rollout; the log: "
          + d.logs("steady").lines().filter(l -> l.contains("Init Duration") || l.contains("ROLLOUT") || l.contains("DEPLOY") || l.contains(" - [-] ")
              || (l.contains("START") && !l.contains("Version: 1") && !l.contains("Version: 2"))).toList()
          + "\nfirst STARTs per instance: " + d.logs("steady").lines().filter(l -> l.contains("START")).map(l -> l.replaceAll(".*(\\[[^]]+\\]).*(Version: \\d+).*", "$1 $2")).distinct().toList())
          .isEqualTo(coldBefore);
    }
    JsonNode traffic = DaemonFixture.JSON.readTree(d.cli("traffic", "steady", "--json").out());
    assertThat(traffic.path("traffic").asText()).isEqualTo("latest=100");
  }

  /** The rollout runner looks at rollouts only while one runs: one restored with the daemon must wake it. */
  @Test
  void aRolloutUnderWayWhenTheDaemonRestartsGoesOnAfterIt() throws Exception {
    deploy("resumed", "one");
    try (Load load = new Load("resumed")) {
      eventually(Duration.ofSeconds(30), "the load under way", () -> load.calls.get() > 50);
      deploy("resumed", "two", "--rollout", "linear:50%,3s");
      eventually(Duration.ofSeconds(30), "the rollout at 50 %", () -> rollout("resumed").path("percent").asInt() == 50);
    }
    d.restart();
    assertThat(rollout("resumed").path("status").asText()).isEqualTo("running");
    try (Load load = new Load("resumed")) { // the daemon listens on a new port
      eventually(Duration.ofSeconds(60), "the rollout succeeded after the restart",
          () -> rollout("resumed").path("status").asText().equals("succeeded"));
      assertThat(load.calls.get()).isPositive();
    }
    assertThat(DaemonFixture.JSON.readTree(d.cli("traffic", "resumed", "--json").out()).path("traffic").asText()).isEqualTo("latest=100");
  }

  @Test
  void aRevisionThatFailsHalfItsCallsIsRolledBackByItself() throws Exception {
    deploy("shaky", "one");
    try (Load load = new Load("shaky")) {
      eventually(Duration.ofSeconds(30), "the load under way", () -> load.calls.get() > 200);
      deploy("shaky", "two", "--env", "FAIL=half", "--rollout", "canary:20%,1m");
      eventually(Duration.ofSeconds(60), "the rollout failed", () -> rollout("shaky").path("status").asText().equals("failed"));
      int atEnd = load.calls.get();
      eventually(Duration.ofSeconds(30), "calls after it", () -> load.calls.get() > atEnd + 300);
      load.close();
      Map<String, Integer> counts = load.counts();
      assertThat(counts.keySet()).as("failures from revision 2 only: " + counts).containsOnly("200 from 1", "200 from 2", "502 from 2");
      assertThat(counts.get("502 from 2")).isPositive();
    }
    JsonNode r = rollout("shaky");
    assertThat(r.path("reason").asText()).contains("revision 2 failed").contains("revision 1 0.0 %");
    assertThat(r.path("percent").asInt()).isZero();
    // the stable revision takes every call again; the failed one keeps its tagged URL to look into it
    JsonNode traffic = DaemonFixture.JSON.readTree(d.cli("traffic", "shaky", "--json").out());
    assertThat(traffic.path("traffic").asText()).isEqualTo("1=100 canary:2=0");
    JsonNode status = d.status("shaky");
    assertThat(status.path("traffic").asText()).isEqualTo("1=100 canary:2=0");
    assertThat(status.path("rollout").path("status").asText()).isEqualTo("failed");
    assertThat(status.path("revisionPools").findValuesAsText("pool")).contains("shaky", "shaky@2");
    assertThat(d.cli("status", "shaky").out()).contains("rollout:").contains("failed at 0 %").contains("by revision:");
  }

  @Test
  void rolloutsAreRefusedWhenThereIsNothingToRollOutFromOrOneRunsAndEndByHand() throws Exception {
    DaemonFixture.CliResult fresh = d.cli("deploy", work.toString(), "--name", "fresh", "--runtime", "python", "--handler", "app.handler",
        "--env", "V=one", "--rollout", "canary:10%,5m");
    assertThat(fresh.exit()).isNotZero();
    assertThat(fresh.err()).contains("nothing to roll out from");
    DaemonFixture.CliResult bad = d.cli("deploy", work.toString(), "--name", "fresh", "--rollout", "canary:150%,5m");
    assertThat(bad.exit()).isNotZero();
    deploy("manual", "one");
    deploy("manual", "two", "--rollout", "canary:10%,10m");
    DaemonFixture.CliResult during = d.cli("deploy", work.toString(), "--name", "manual", "--runtime", "python", "--handler",
        "app.handler", "--env", "V=three");
    assertThat(during.exit()).isNotZero();
    assertThat(during.err()).contains("a rollout of revision 2").contains("promote or abort it first");
    assertThat(d.cli("traffic", "manual", "latest=100").err()).contains("promote or abort");
    DaemonFixture.CliResult promoted = d.cli("rollout", "promote", "manual");
    assertThat(promoted.exit()).as(promoted.err()).isZero();
    assertThat(promoted.out()).contains("succeeded").contains("at 100 %");
    assertThat(d.cli("rollout", "abort", "manual").err()).contains("no rollout of 'manual' is running");
    deploy("manual", "three", "--rollout", "canary:10%,10m");
    DaemonFixture.CliResult back = d.cli("rollback", "manual");
    assertThat(back.exit()).as(back.err()).isZero();
    assertThat(rollout("manual").path("status").asText()).isEqualTo("aborted");
    assertThat(DaemonFixture.JSON.readTree(d.cli("traffic", "manual", "--json").out()).path("traffic").asText()).isEqualTo("2=100 canary:3=0");
  }

  @Test
  void aRolloutInPilotlightYamlStartsFromTheSecondDeployAndNoneDeploysAtOnce() throws Exception {
    Path dir = Files.createDirectories(work.resolve("by-yaml"));
    Files.writeString(dir.resolve("app.py"), APP);
    Files.writeString(dir.resolve("pilotlight.yaml"), """
        name: by-yaml
        runtime: python
        handler: app.handler
        env: {V: one}
        rollout: canary:10%,10m
        """);

    DaemonFixture.CliResult first = d.cli("deploy", dir.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("did not apply").contains("first revision").doesNotContain("rolling out");
    assertThat(d.get("/api/v1/functions/by-yaml/rollout").statusCode()).as("no rollout at the first revision").isEqualTo(404);

    DaemonFixture.CliResult second = d.cli("deploy", dir.toString(), "--env", "V=two");
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).contains("rolling out over revision 1 (canary:10%,10m");
    var running = d.get("/api/v1/functions/by-yaml/rollout");
    assertThat(running.statusCode()).as(running.body()).isEqualTo(200);
    JsonNode r = DaemonFixture.JSON.readTree(running.body());
    assertThat(r.path("status").asText()).isEqualTo("running");
    assertThat(r.path("stable").asLong()).isEqualTo(1);
    assertThat(r.path("revision").asLong()).isEqualTo(2);
    assertThat(r.path("plan").asText()).startsWith("canary:10%,10m");

    // while it runs, even an urgent deploy is refused; once it is ended, --rollout none deploys at once
    DaemonFixture.CliResult during = d.cli("deploy", dir.toString(), "--env", "V=three", "--rollout", "none");
    assertThat(during.exit()).isNotZero();
    assertThat(during.err()).contains("promote or abort it first");
    assertThat(d.cli("rollout", "promote", "by-yaml").exit()).isZero();
    DaemonFixture.CliResult urgent = d.cli("deploy", dir.toString(), "--env", "V=three", "--rollout", "none");
    assertThat(urgent.exit()).as(urgent.err()).isZero();
    assertThat(urgent.out()).contains("revision 3").doesNotContain("rolling out");
    JsonNode last = rollout("by-yaml");
    assertThat(last.path("revision").asLong()).as("no rollout of revision 3: " + last).isEqualTo(2);
    assertThat(last.path("status").asText()).isEqualTo("succeeded");
    assertThat(DaemonFixture.JSON.readTree(d.cli("traffic", "by-yaml", "--json").out()).path("traffic").asText()).isEqualTo("latest=100");
  }
}
