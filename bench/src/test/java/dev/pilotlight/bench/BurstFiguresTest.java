package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The burst benchmark's pure parts: figures of a phase, settling, launches from metrics, the instance series. */
class BurstFiguresTest {
  static final long MS = 1_000_000;

  static LoadGenerator.Call call(int client, long startMs, long endMs, int status) {
    return new LoadGenerator.Call(client, startMs * MS, endMs * MS, status);
  }

  static InstanceWatch.Sample at(long ms, int ready) {
    return new InstanceWatch.Sample(ms, ready, 0, 0, 0, ready, false);
  }

  @Test
  void aPhasesFiguresCountOutcomesAndTimeTheFirstAnswers() {
    LoadGenerator.Run run = new LoadGenerator.Run(3, Duration.ofSeconds(2), List.of(
        call(0, 0, 400, 200), call(0, 400, 450, 200),
        call(1, 0, 900, 200), call(1, 900, 910, 429),
        call(2, 0, 100, 429), call(2, 100, 1200, 200), call(2, 1200, 1300, LoadGenerator.NO_ANSWER)));
    LoadFigures f = LoadFigures.of(run, List.of(at(0, 0), at(500, 3), at(1900, 2)));
    assertThat(f.calls()).isEqualTo(7);
    assertThat(f.ok()).isEqualTo(4);
    assertThat(f.rejected()).isEqualTo(2);
    assertThat(f.errors()).isEqualTo(1);
    assertThat(f.okShare()).isEqualTo(4 / 7.0);
    assertThat(f.latency().n()).isEqualTo(6); // the call without an answer has no latency
    assertThat(f.latency().p99()).isEqualTo(1100.0);
    assertThat(f.firstAnswerMs()).isEqualTo(400);
    assertThat(f.lastClientFirstAnswerMs()).isEqualTo(1200);
    assertThat(f.throughput()).isEqualTo(2.0);
    assertThat(f.peakReady()).isEqualTo(3);
    assertThat(f.endReady()).isEqualTo(2);
  }

  @Test
  void aClientThatNeverGotA2xxMakesTheLastFirstAnswerUnknown() {
    LoadGenerator.Run run = new LoadGenerator.Run(2, Duration.ofSeconds(1), List.of(call(0, 0, 10, 200), call(1, 0, 10, 429)));
    assertThat(LoadFigures.of(run, List.of()).lastClientFirstAnswerMs()).isEqualTo(-1);
  }

  @Test
  void settlingJudgesWhatFollowsTheRampUp() {
    List<InstanceWatch.Sample> steady = List.of(at(0, 0), at(100, 3), at(200, 10), at(300, 15), at(6000, 15), at(9000, 15));
    assertThat(Settling.of(steady, 5000)).isEqualTo(new Settling(0, 0, 300, 15, 15));

    List<InstanceWatch.Sample> flapping = List.of(at(0, 5), at(100, 10), at(6000, 10), at(7000, 9), at(8000, 10), at(9000, 9));
    Settling s = Settling.of(flapping, 5000);
    assertThat(s.changes()).isEqualTo(3);
    assertThat(s.reversals()).isEqualTo(2);
    assertThat(s.lastChangeMs()).isEqualTo(9000);
    assertThat(s.minReady()).isEqualTo(9);

    List<InstanceWatch.Sample> decay = List.of(at(0, 0), at(100, 20), at(200, 15), at(300, 14));
    assertThat(Settling.of(decay, 5000)).isEqualTo(new Settling(2, 0, 300, 14, 20));
  }

  @Test
  void launchesAreReadFromTheMetricsAndDiffed() {
    String before = """
        pilotlight_instance_starts_total{function="burst",strategy="pool-layer"} 1.0
        pilotlight_instance_init_duration_seconds_sum{function="burst",strategy="pool-layer"} 0.04
        pilotlight_instance_starts_total{function="other",strategy="aot"} 7.0
        """;
    String after = """
        pilotlight_instance_starts_total{function="burst",strategy="aot"} 4.0
        pilotlight_instance_starts_total{function="burst",strategy="pool-layer"} 3.0
        pilotlight_instance_init_duration_seconds_sum{function="burst",strategy="aot"} 2.0
        pilotlight_instance_init_duration_seconds_sum{function="burst",strategy="pool-layer"} 0.1
        """;
    Launches l = Launches.in(after, "burst").since(Launches.in(before, "burst"));
    assertThat(l.count()).isEqualTo(6);
    assertThat(l.describe()).isEqualTo("aot 4 (init mean 500 ms), pool-layer 2 (init mean 30 ms)");
    assertThat(Launches.in("", "burst").describe()).isEqualTo("none");
  }

  @Test
  void theSeriesShowsOneSamplePerStep() {
    List<InstanceWatch.Sample> samples = List.of(new InstanceWatch.Sample(0, 0, 3, 0, 21, -1, false), at(120, 1), at(480, 2), at(530, 9),
        at(990, 10), at(1010, 10));
    assertThat(BurstReport.series(samples, 500, 1100)).isEqualTo("0.0s 0+3/-, 0.5s 9+0/9, 1.0s 10+0/10");
  }
}
