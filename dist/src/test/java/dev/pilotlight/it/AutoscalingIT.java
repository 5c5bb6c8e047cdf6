package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.executor.WarmPool;
import dev.pilotlight.server.DaemonConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bursts, queue bounds, the node's memory budget and the metrics, on real daemons with real
 * instance processes. No timing is asserted; waits are bounded so a hang fails instead of blocking.
 */
class AutoscalingIT {
  static DaemonFixture d;

  @BeforeAll
  static void start(@TempDir Path data) {
    d = new DaemonFixture(data);
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  static void deploySleep(DaemonFixture on, String name, String... flags) {
    List<String> args = new ArrayList<>(List.of(testFunctions(), "--name", name, "--runtime", "java", "--handler",
        "fixtures.Sleep::handleRequest"));
    args.addAll(List.of(flags));
    on.deploy(args.toArray(String[]::new));
  }

  static CompletableFuture<HttpResponse<String>> invokeAsync(DaemonFixture on, String name, String body) {
    return on.http.sendAsync(on.authorized(HttpRequest.newBuilder(URI.create(on.url() + "/api/v1/functions/" + name + "/invoke"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build()), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twentyConcurrentCallsAtZeroInstancesAllSucceed() throws Exception {
    deploySleep(d, "burst", "--concurrency", "4", "--max-instances", "10");
    assertThat(d.status("burst").path("instances").asInt()).isZero();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(invokeAsync(d, "burst", "{\"ms\":50}"));
    }
    for (var c : calls) {
      HttpResponse<String> r = c.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("\"slept\":50");
    }
    JsonNode s = d.status("burst");
    assertThat(s.path("invocations").asInt()).isEqualTo(20);
    assertThat(s.path("errors").asInt()).isZero();
    assertThat(s.path("instances").asInt()).isBetween(1, 10);
    assertThat(s.path("coldStarts").asInt()).isBetween(1, 20);
    // the autoscaler has seen the burst
    eventually(Duration.ofSeconds(10), "a scaling decision", () -> d.status("burst").path("desired").isInt());
  }

  @Test
  void aFullQueueAnswers429WithAReasonAndRetryAfterOnBothApis() throws Exception {
    deploySleep(d, "narrow", "--concurrency", "1", "--max-instances", "1", "--max-queue", "1");
    CompletableFuture<HttpResponse<String>> running = invokeAsync(d, "narrow", "{\"ms\":3000}");
    eventually(Duration.ofSeconds(20), "the first call running", () -> d.status("narrow").path("inFlight").asInt() == 1);
    CompletableFuture<HttpResponse<String>> waiting = invokeAsync(d, "narrow", "{\"ms\":1}");
    eventually(Duration.ofSeconds(10), "the second call queued", () -> d.status("narrow").path("queued").asInt() == 1);

    HttpResponse<String> full = d.post("/api/v1/functions/narrow/invoke", "{\"ms\":1}");
    assertThat(full.statusCode()).isEqualTo(429);
    assertThat(full.headers().firstValue("Retry-After")).contains("1");
    assertThat(full.body()).contains("\"error\":\"QueueFull\"").contains("function 'narrow' has 1 requests waiting")
        .contains("maxQueue, is 1");

    HttpResponse<String> url = d.get("/fn/narrow/");
    assertThat(url.statusCode()).isEqualTo(429);
    assertThat(url.headers().firstValue("Retry-After")).contains("1");

    HttpResponse<String> lambda = d.lambda("POST", "/2015-03-31/functions/narrow/invocations", "{\"ms\":1}", Map.of());
    assertThat(lambda.statusCode()).isEqualTo(429);
    assertThat(lambda.headers().firstValue("x-amzn-ErrorType")).contains("TooManyRequestsException");
    assertThat(lambda.headers().firstValue("Retry-After")).contains("1");

    assertThat(running.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(d.get("/metrics").body()).contains("pilotlight_invocations_total{function=\"narrow\",outcome=\"throttled\"} 3.0");
  }

  @Test
  void aLaunchOverTheMemoryBudgetStopsTheLeastRecentlyUsedIdleInstanceOfAnotherFunction(@TempDir Path data) throws Exception {
    // 600 MB, no warm pool (its runners would count too): room for two 256 MB instances, not three
    DaemonConfig config = DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0).withScalingTick(Duration.ofMillis(100))
        .withPool(new WarmPool.Settings(0, 0)).withMemoryBudgetMb(600);
    try (DaemonFixture small = new DaemonFixture(config)) {
      for (String name : List.of("first", "second", "third")) {
        deploySleep(small, name, "--memory", "256");
      }
      assertThat(invokeAsync(small, "first", "{\"ms\":1}").get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(invokeAsync(small, "second", "{\"ms\":1}").get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      HttpResponse<String> third = invokeAsync(small, "third", "{\"ms\":1}").get(60, TimeUnit.SECONDS);
      assertThat(third.statusCode()).as(third.body()).isEqualTo(200);

      eventually(Duration.ofSeconds(10), "first's instance gone", () -> small.status("first").path("instances").asInt() == 0);
      assertThat(small.status("second").path("instances").asInt()).isEqualTo(1);
      assertThat(small.status("third").path("instances").asInt()).isEqualTo(1);
      assertThat(small.logs("first")).contains("INSTANCE evicted: stopped while idle to free 256 MB of the node's memory budget for 'third'");

      deploySleep(small, "huge", "--memory", "1024");
      HttpResponse<String> huge = small.post("/api/v1/functions/huge/invoke", "{\"ms\":1}");
      assertThat(huge.statusCode()).isEqualTo(429);
      assertThat(huge.headers().firstValue("Retry-After")).contains("1");
      assertThat(huge.body()).contains("\"error\":\"NoCapacity\"").contains("more than the node's whole memory budget of 600 MB");

      assertThat(small.get("/metrics").body()).contains("pilotlight_memory_budget_bytes 6.291456E8",
          "pilotlight_memory_instances_bytes 5.36870912E8");
    }
  }

  @Test
  void aReservedConcurrencyCapsInstancesAndIsNeverEvictedForAnotherFunction(@TempDir Path data) throws Exception {
    deploySleep(d, "capped", "--concurrency", "1", "--max-instances", "10", "--reserved-concurrency", "1");
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(invokeAsync(d, "capped", "{\"ms\":300}"));
    }
    for (var call : calls) {
      assertThat(call.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(d.status("capped").path("instances").asInt()).as("three calls at once, one instance: they queued for it").isEqualTo(1);
    assertThat(d.status("capped").path("reservedConcurrency").asInt()).isEqualTo(1);

    // as the eviction test above, but the least recently used function reserves its instance: the next one is stopped instead
    DaemonConfig config = DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0).withScalingTick(Duration.ofMillis(100))
        .withPool(new WarmPool.Settings(0, 0)).withMemoryBudgetMb(600);
    try (DaemonFixture small = new DaemonFixture(config)) {
      deploySleep(small, "first", "--memory", "256", "--reserved-concurrency", "1");
      deploySleep(small, "second", "--memory", "256");
      deploySleep(small, "third", "--memory", "256");
      assertThat(invokeAsync(small, "first", "{\"ms\":1}").get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(invokeAsync(small, "second", "{\"ms\":1}").get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      HttpResponse<String> third = invokeAsync(small, "third", "{\"ms\":1}").get(60, TimeUnit.SECONDS);
      assertThat(third.statusCode()).as(third.body()).isEqualTo(200);

      eventually(Duration.ofSeconds(10), "second's instance gone", () -> small.status("second").path("instances").asInt() == 0);
      assertThat(small.status("first").path("instances").asInt()).isEqualTo(1);
      assertThat(small.status("third").path("instances").asInt()).isEqualTo(1);
      assertThat(small.logs("second")).contains("INSTANCE evicted: stopped while idle to free 256 MB of the node's memory budget for 'third'");
      assertThat(small.logs("first")).doesNotContain("INSTANCE evicted");
      // a second reservation of 256 MB would leave less than a tenth of the 600 MB node unreserved
      DaemonFixture.CliResult refused = small.cli("deploy", testFunctions(), "--name", "second", "--runtime", "java", "--handler",
          "fixtures.Sleep::handleRequest", "--memory", "256", "--reserved-concurrency", "1");
      assertThat(refused.exit()).isNotZero();
      assertThat(refused.err()).contains("UnreservedConcurrentExecution below its minimum value of [1]");
    }
  }

  @Test
  void metricsExposeInstancesQueuesLatenciesAndTheNode() throws Exception {
    deploySleep(d, "measured", "--concurrency", "2");
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(invokeAsync(d, "measured", "{\"ms\":20}"));
    }
    for (var c : calls) {
      assertThat(c.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    eventually(Duration.ofSeconds(10), "a scaling decision", () -> d.status("measured").path("desired").isInt());
    HttpResponse<String> m = d.get("/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains(
        "pilotlight_instances_ready{function=\"measured\"}",
        "pilotlight_instances_desired{function=\"measured\"}",
        "pilotlight_instances_starting{function=\"measured\"}",
        "pilotlight_requests_in_flight{function=\"measured\"}",
        "pilotlight_requests_queued{function=\"measured\"}",
        "pilotlight_autoscaler_panic{function=\"measured\"}",
        "pilotlight_invocations_total{function=\"measured\",outcome=\"success\"} 4.0",
        "pilotlight_cold_starts_total{function=\"measured\",strategy=",
        "pilotlight_invocation_duration_seconds_bucket{function=\"measured\",le=\"0.025\"}",
        "pilotlight_cold_start_duration_seconds_bucket{function=\"measured\",strategy=",
        "pilotlight_queue_wait_seconds_bucket{function=\"measured\",le=",
        "pilotlight_memory_budget_bytes",
        "pilotlight_memory_used_bytes",
        "pilotlight_pool_runners");
  }
}
