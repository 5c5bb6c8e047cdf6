package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PoolWatchTest {
  private static final String METRICS = """
      # HELP pilotlight_pool_runners \s
      # TYPE pilotlight_pool_runners gauge
      pilotlight_pool_runners 3.0
      # HELP pilotlight_pool_runners_started_total \s
      pilotlight_pool_runners_started_total 17.0
      pilotlight_cold_starts_total{function="hello-java",strategy="pool-layer"} 4.0
      pilotlight_cold_starts_total{function="hello-java-pool",strategy="pool"} 2.0 1700000000000
      """;

  @Test
  void readsAGaugeWithoutMistakingLongerNamesForIt() {
    assertThat(PoolWatch.gauge(METRICS, "pilotlight_pool_runners")).hasValue(3.0);
  }

  @Test
  void sumsTheSamplesOfALabelledMetricAndIgnoresTimestamps() {
    assertThat(PoolWatch.gauge(METRICS, "pilotlight_cold_starts_total")).hasValue(6.0);
  }

  @Test
  void isEmptyWhenTheMetricIsMissing() {
    assertThat(PoolWatch.gauge(METRICS, "pilotlight_pool")).isEmpty();
    assertThat(PoolWatch.gauge("", "pilotlight_pool_runners")).isEmpty();
  }
}
