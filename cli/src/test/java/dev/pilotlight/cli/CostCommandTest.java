package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.cli.FakeDaemon.Reply;
import dev.pilotlight.model.CostModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cost arithmetic, and {@code cost NAME} against a fake daemon's usage answer. */
class CostCommandTest extends AgainstFakeDaemon {
  static final String USAGE = """
      {"function":"hello","memoryMb":512,"since":"2026-01-01T10:00:00Z","invocations":3600,"coldStarts":2,"prewarmHits":5,
       "prewarms":6,"billedMs":360000,"usedGbSeconds":180.0,"keepAliveIdleGbSeconds":30.0,"prewarmIdleGbSeconds":12.5,
       "idleGbSeconds":42.5,"initMs":80,"maxMemoryUsedMb":97,
       "keepAlive":{"mode":"histogram","basis":"learned","prewarmAfterSeconds":486,"keepUntilSeconds":660,"idleTimes":12,
       "scaleOutLevels":3}}
      """;

  @Test
  void theKeepAliveLineShowsTheSharedPriceOfAColdStartWhenThereIsOne() throws Exception {
    JsonNode k = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
        {"mode":"histogram","basis":"learned","prewarmAfterSeconds":0,"keepUntilSeconds":600,"idleTimes":4,"scaleOutLevels":0,
         "coldStartPriceGbSeconds":12.345}
        """);
    assertThat(StatusCommand.keepAlive(k)).isEqualTo("histogram (learned, 4 idle times learned): kept 10m after a call; a cold start priced at"
        + " 12.3 GB-s (shared)");
  }

  @Test
  void theKeepAliveLineSaysWhenThePoolIsPayingBackAnOverspend() throws Exception {
    JsonNode k = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
        {"mode":"histogram","basis":"learned","prewarmAfterSeconds":0,"keepUntilSeconds":600,"idleTimes":4,"scaleOutLevels":0,
         "coldStartPriceGbSeconds":12.345,"balanceGbSeconds":-81.25}
        """);
    assertThat(StatusCommand.keepAlive(k)).endsWith("; a cold start priced at 12.3 GB-s (shared); paying back 81.3 GB-s held beyond the fixed"
        + " keep-alive (shared)");
    ((com.fasterxml.jackson.databind.node.ObjectNode) k).put("balanceGbSeconds", 3.5);
    assertThat(StatusCommand.keepAlive(k)).as("memory saved is not news").doesNotContain("paying back");
  }

  @Test
  void perUseAlwaysOnAndTheCrossover() {
    // 3,600 requests of 100 ms at 512 MB: 180 GB-s
    CostModel.Cost c = CostModel.of(3600, 360_000, 180.0, 512, CostModel.Prices.DEFAULTS, Duration.ofHours(1));
    assertThat(c.perUse()).isCloseTo(3600 * 0.0000002 + 180 * 0.0000166667, within(1e-12));
    assertThat(c.meanBilledSeconds()).isEqualTo(0.1);
    double perRequest = 0.0000002 + 0.5 * 0.1 * 0.0000166667;
    assertThat(c.perRequest()).isCloseTo(perRequest, within(1e-15));
    double alwaysOn = 0.5 * 0.004445 + 512 / 1769.0 * 0.04048;
    assertThat(c.alwaysOnPerHour()).isCloseTo(alwaysOn, within(1e-12));
    assertThat(c.crossoverPerHour()).isCloseTo(alwaysOn / perRequest, within(1e-6));
    assertThat(c.observedPerHour()).isEqualTo(3600);
    assertThat(c.alwaysOnForPeriod()).isCloseTo(alwaysOn, within(1e-12));
    // ≈ 13,500 requests an hour: at 3,600 an hour paying per use is still cheaper
    assertThat(c.crossoverPerHour()).isBetween(13_000.0, 14_000.0);
  }

  @Test
  void withoutInvocationsThereIsNoCrossover() {
    CostModel.Cost c = CostModel.of(0, 0, 0, 256, CostModel.Prices.DEFAULTS, null);
    assertThat(c.perUse()).isZero();
    assertThat(c.crossoverPerHour()).isNaN();
    assertThat(c.observedPerHour()).isNaN();
  }

  @Test
  void cost_printsUsageCostAndThePricesItAssumed() {
    daemon.on("GET", "/api/v1/functions/hello/usage", Reply.json(200, USAGE));
    var r = cli.run("cost", "hello", "--since", "60m");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(daemon.only().uri()).isEqualTo("/api/v1/functions/hello/usage?since=1h");
    assertThat(r.out()).contains("hello (512 MB)", "3,600 (cold starts 2; avoided by pre-warming 5, of 6 pre-warms)", "GB-s used:",
        "180.000000", "GB-s held idle:", "42.500 (keep-alive 30.000, pre-warm 12.500)", "max memory used:", "97 MB",
        "histogram (learned, 12 idle times learned): stopped after a call, pre-warmed 486s after it, kept until 11m; bursts up to 4"
        + " instances learned, pre-warmed when they recur", "so per use is cheaper",
        "--gb-second-price 0.0000166667 --request-price 0.0000002", "--always-on-gb-hour 0.004445", "--mb-per-vcpu 1769");
  }

  @Test
  void cost_json_carriesUsageCostAndPrices_andPricesAreSettable() {
    daemon.on("GET", "/api/v1/functions/hello/usage", Reply.json(200, USAGE));
    var r = cli.run("cost", "hello", "--json", "--request-price", "0", "--gb-second-price", "0.00001");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8));
    assertThat(j.path("idleGbSeconds").asDouble()).isEqualTo(42.5);
    assertThat(j.path("cost").path("perUseUsd").asDouble()).isCloseTo(180 * 0.00001, within(1e-12));
    assertThat(j.path("cost").path("observedRequestsPerHour").isNull()).isTrue();
    assertThat(j.path("prices").path("requestUsd").asDouble()).isZero();
  }

  @Test
  void cost_badSince_isAUsageError() {
    var r = cli.run("cost", "hello", "--since", "yesterday");
    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).contains("--since");
  }
}
