package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.autoscaler.IdleTimeHistogram;
import dev.pilotlight.autoscaler.IdleTimeTracker;
import dev.pilotlight.store.UsageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keep-alive policy and cost accounting in a real daemon with real instances: what is learned
 * and used survives a restart, a restored rhythm pre-warms an instance before the call it expects,
 * {@code keepAlive: off} stops instances at once, and {@code cost} reports it all.
 */
class KeepAliveIT {

  static JsonNode json(DaemonFixture.CliResult r) {
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    try {
      return DaemonFixture.JSON.readTree(r.out());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void learnedRhythmAndUsageSurviveARestartAndCostReportsThem(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-java"));
      for (int i = 0; i < 3; i++) {
        assertThat(d.get("/fn/hello-java/?name=Ann").body()).contains("Hello, Ann");
        Thread.sleep(200);
      }
      assertThat(d.logs("hello-java")).containsPattern("REPORT RequestId: \\S+\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\t"
          + "Memory Size: 256 MB\tMax Memory Used: \\d+ MB");
      JsonNode keep = d.status("hello-java").path("keepAlive");
      assertThat(keep.path("mode").asText()).isEqualTo("histogram");
      assertThat(keep.path("idleTimes").asInt()).isEqualTo(2);
      assertThat(keep.path("basis").asText()).isEqualTo("learned");

      JsonNode before = json(d.cli("cost", "hello-java", "--json"));
      assertThat(before.path("invocations").asLong()).isEqualTo(3);
      assertThat(before.path("coldStarts").asLong()).isEqualTo(1);
      assertThat(before.path("usedGbSeconds").asDouble()).isPositive();
      assertThat(before.path("idleGbSeconds").asDouble()).isPositive();
      assertThat(before.path("maxMemoryUsedMb").asLong()).isPositive();
      assertThat(before.path("cost").path("crossoverRequestsPerHour").asDouble()).isPositive();

      d.restart();
      JsonNode after = json(d.cli("cost", "hello-java", "--json", "--since", "1h"));
      assertThat(after.path("invocations").asLong()).isEqualTo(3);
      assertThat(after.path("billedMs").asLong()).isEqualTo(before.path("billedMs").asLong());
      assertThat(d.status("hello-java").path("keepAlive").path("idleTimes").asInt()).isEqualTo(2);
      assertThat(d.get("/fn/hello-java/?name=Again").body()).contains("Hello, Again");
      assertThat(d.status("hello-java").path("keepAlive").path("idleTimes").asInt()).isEqualTo(3); // the restart's gap, learned too

      DaemonFixture.CliResult table = d.cli("cost", "hello-java");
      assertThat(table.exit()).as(table.err()).isZero();
      assertThat(table.out()).contains("invocations:", "4 (cold starts 2;", "GB-s used:", "GB-s held idle:", "crossover:", "--gb-second-price 0.0000166667");

      assertThat(d.cli("rm", "hello-java").exit()).isZero();
      d.deploy(example("hello-java"));
      assertThat(json(d.cli("cost", "hello-java", "--json")).path("invocations").asLong()).isZero(); // forgotten with the function
    }
  }

  /** Deploys hello-java, stops the daemon, stores {@code rhythm} as what it had learned, and starts it again. */
  static void restartHavingLearned(DaemonFixture d, Path data, UsageStore.Rhythm rhythm) throws Exception {
    d.deploy(example("hello-java"));
    d.daemon.close();
    try (UsageStore store = UsageStore.open(data.resolve("usage.db"))) {
      store.saveRhythms(Map.of("hello-java", rhythm), Set.of());
    }
    d.restart();
  }

  @Test
  void aRestoredRhythmPreWarmsAnInstanceBeforeTheExpectedCall(@TempDir Path data) throws Exception {
    DaemonFixture d = new DaemonFixture(data);
    try {
      // As if it had been called every ~90 s, the last call ending 50 s ago: the window opens at
      // 54 s (the 1-minute bin less 10 %) and closes at 132 s.
      IdleTimeHistogram h = new IdleTimeHistogram();
      for (int i = 0; i < 5; i++) {
        h.record(Duration.ofSeconds(90));
      }
      restartHavingLearned(d, data, new UsageStore.Rhythm(h.toBytes(), Instant.now().minusSeconds(50)));
      DaemonFixture.eventually(Duration.ofSeconds(30), "a pre-warmed instance", () -> d.status("hello-java").path("instances").asInt() == 1);
      assertThat(d.logs("hello-java")).contains("PREWARM starting an instance");
      assertThat(d.get("/fn/hello-java/?name=Ann").body()).contains("Hello, Ann");
      JsonNode cost = json(d.cli("cost", "hello-java", "--json"));
      assertThat(cost.path("prewarms").asLong()).isEqualTo(1);
      assertThat(cost.path("prewarmHits").asLong()).isEqualTo(1);
      assertThat(cost.path("coldStarts").asLong()).isZero();
      assertThat(cost.path("prewarmIdleGbSeconds").asDouble()).isPositive();
      assertThat(d.logs("hello-java")).doesNotContain("Init Duration");
    } finally {
      d.close();
    }
  }

  @Test
  void aRestoredBurstRhythmPreWarmsEveryInstanceTheBurstNeeds(@TempDir Path data) throws Exception {
    DaemonFixture d = new DaemonFixture(data);
    try {
      // As if 3 requests at once had come every 5 minutes for 5 s, the last burst ending 230 s ago:
      // every level's gaps are 295 s (bin 4), so all three instances are wanted from 240 s after it.
      // (Not every 90 s: the function is alone under the shared price, so its budget is what a fixed
      // keep-alive holds over its own idle times; with 90-s gaps the fixed one holds all of them, and
      // the learned windows, each charged for one more gap longer than any seen, would not fit.
      // KeepAlivePriceTest has the same case.)
      IdleTimeTracker learned = new IdleTimeTracker();
      Instant lastEnd = Instant.now().minusSeconds(230);
      for (int i = 4; i >= 0; i--) {
        Instant start = lastEnd.minusSeconds(5 + 300L * i);
        learned.demand("hello-java", 3, start);
        learned.demand("hello-java", 0, start.plusSeconds(5));
      }
      IdleTimeTracker.Saved saved = learned.takeChanges().changed().get("hello-java");
      restartHavingLearned(d, data, new UsageStore.Rhythm(saved.histogram(), saved.idleSince()));
      assertThat(d.status("hello-java").path("keepAlive").path("scaleOutLevels").asInt()).isEqualTo(2);
      DaemonFixture.eventually(Duration.ofSeconds(40), "three pre-warmed instances",
          () -> d.status("hello-java").path("instances").asInt() == 3);
      assertThat(d.logs("hello-java").split("PREWARM starting an instance", -1)).hasSize(4);
      assertThat(json(d.cli("cost", "hello-java", "--json")).path("prewarms").asLong()).isEqualTo(3);
    } finally {
      d.close();
    }
  }

  @Test
  void keepAliveOffStopsTheInstanceAtOnceAndFixedKeepsItForTheIdleTimeout(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-java"), "--keep-alive", "off");
      assertThat(d.get("/fn/hello-java/").statusCode()).isEqualTo(200);
      DaemonFixture.eventually(Duration.ofSeconds(10), "the instance stopped", () -> d.status("hello-java").path("instances").asInt() == 0);
      assertThat(d.status("hello-java").path("keepAlive").path("mode").asText()).isEqualTo("off");

      d.deploy(example("hello-java"), "--keep-alive", "fixed", "--idle-timeout", "1h");
      assertThat(d.get("/fn/hello-java/").statusCode()).isEqualTo(200);
      JsonNode keep = d.status("hello-java").path("keepAlive");
      assertThat(keep.path("basis").asText()).isEqualTo("fixed");
      assertThat(keep.path("keepUntilSeconds").asDouble()).isEqualTo(3600.0);
      Thread.sleep(1500); // fifteen ticks of the scaling loop
      assertThat(d.status("hello-java").path("instances").asInt()).isEqualTo(1);
    }
  }
}
