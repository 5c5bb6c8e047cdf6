package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-minute history behind the console, on a real daemon at its defaults: calls, errors, cold starts by strategy and
 * instances show in {@code GET …/metrics}, survive a restart, and need the deploy role; {@code PATCH} changes a
 * function's settings as a new revision.
 */
class MetricsHistoryIT {
  static DaemonFixture d;

  @BeforeAll
  static void start(@TempDir Path data) {
    d = new DaemonFixture(data);
    d.deploy(example("hello-python"), "--name", "charted");
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  static JsonNode metrics(String query) throws Exception {
    HttpResponse<String> r = d.get("/api/v1/functions/charted/metrics" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DaemonFixture.JSON.readTree(r.body());
  }

  static long sum(JsonNode column) {
    long n = 0;
    for (JsonNode v : column) {
      n += v.asLong();
    }
    return n;
  }

  @Test
  void callsColdStartsAndInstancesAreChartedAndKeptAcrossARestart() throws Exception {
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> r = d.post("/api/v1/functions/charted/invoke", "{\"name\": \"chart\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    JsonNode m = metrics("?since=15m");
    assertThat(m.path("stepSeconds").asInt()).isEqualTo(60);
    JsonNode s = m.path("series");
    assertThat(s.path("t")).hasSize(15);
    assertThat(sum(s.path("invocations"))).isEqualTo(12);
    assertThat(sum(s.path("errors"))).isZero();
    assertThat(sum(s.path("coldStarts"))).isGreaterThanOrEqualTo(1);
    assertThat(sum(s.path("scaleUps"))).isGreaterThanOrEqualTo(1);
    assertThat(sum(s.path("instancesReady"))).isGreaterThanOrEqualTo(1);
    assertThat(s.path("durationP50Ms").get(14).isNumber() || s.path("durationP50Ms").get(13).isNumber()).isTrue();
    assertThat(m.path("coldStartsByStrategy").fieldNames()).toIterable().isNotEmpty();
    assertThat(m.path("events").toString()).contains("\"kind\":\"cold-start\"");
    for (String column : new String[] {"throttles", "durationP99Ms", "concurrencyMax", "instancesStarting", "scaleDowns", "initMsP50",
        "prewarms", "prewarmHits", "usedGbSeconds", "idleGbSeconds"}) {
      assertThat(s.path(column)).as(column).hasSize(15);
    }
    assertThat(metrics("?since=7d").path("stepSeconds").asInt()).isEqualTo(1800);

    d.restart();
    JsonNode after = metrics("?since=1h");
    assertThat(sum(after.path("series").path("invocations"))).as("the history survives a restart").isEqualTo(12);
  }

  @Test
  void theNodeShowsItsMemoryInstancesAndProtections() throws Exception {
    HttpResponse<String> r = d.get("/api/v1/node");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode n = DaemonFixture.JSON.readTree(r.body());
    assertThat(n.path("memoryBudgetMb").asLong()).isPositive();
    assertThat(n.path("memoryUsedMb").asLong()).isLessThanOrEqualTo(n.path("memoryBudgetMb").asLong());
    assertThat(n.path("functions").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(n.path("metricsHistory").asBoolean()).isTrue();
    assertThat(n.path("protections").toString()).contains("auth: on");
  }

  @Test
  void badWindowsAndUnknownFunctionsAreClearErrors() {
    assertThat(d.get("/api/v1/functions/charted/metrics?since=8d").statusCode()).isEqualTo(400);
    assertThat(d.get("/api/v1/functions/charted/metrics?since=soon").statusCode()).isEqualTo(400);
    assertThat(d.get("/api/v1/functions/charted/metrics?step=90").statusCode()).isEqualTo(400);
    assertThat(d.get("/api/v1/functions/nobody/metrics").statusCode()).isEqualTo(404);
  }

  @Test
  void theHistoryNeedsTheDeployRole() throws Exception {
    HttpResponse<String> issued = d.post("/api/v1/tokens", "{\"role\": \"invoke\"}");
    String invokeToken = DaemonFixture.JSON.readTree(issued.body()).path("token").asText();
    HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/charted/metrics"))
        .header("Authorization", "Bearer " + invokeToken).GET().build());
    assertThat(r.statusCode()).isEqualTo(403);
    HttpResponse<String> none = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/charted/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
  }

  @Test
  void patchChangesSettingsAsANewRevision() throws Exception {
    d.deploy(example("hello-python"), "--name", "tuned");
    long revision = d.status("tuned").path("revision").asLong();
    HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/tuned"))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"memoryMb\": 384, \"maxInstances\": 2}")).build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode after = d.status("tuned");
    assertThat(after.path("memoryMb").asInt()).isEqualTo(384);
    assertThat(after.path("maxInstances").asInt()).isEqualTo(2);
    assertThat(after.path("revision").asLong()).isEqualTo(revision + 1);
    HttpResponse<String> called = d.post("/api/v1/functions/tuned/invoke", "{}");
    assertThat(called.statusCode()).isEqualTo(200);
    String requestId = called.headers().firstValue("X-Pilotlight-Request-Id").orElseThrow();
    DaemonFixture.eventually(java.time.Duration.ofSeconds(10), "the call's REPORT line",
        () -> d.logs("tuned").contains("REPORT RequestId: " + requestId));
    assertThat(d.logs("tuned")).contains("Memory Size: 384 MB");
    HttpResponse<String> bad = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/tuned"))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"handler\": \"x.y\"}")).build());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("redeploy");
    HttpResponse<String> missing = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/nobody"))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"memoryMb\": 256}")).build());
    assertThat(missing.statusCode()).isEqualTo(404);
  }
}
