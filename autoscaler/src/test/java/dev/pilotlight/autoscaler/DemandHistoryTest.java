package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemandHistoryTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration MIN = Duration.ofMinutes(1);

  @Test
  void averagesTheSamplesInsideTheWindowOnly() {
    DemandHistory h = DemandHistory.EMPTY;
    for (int i = 0; i < 10; i++) {
      h = h.with(T0.plusSeconds(i), i, MIN);
    }
    Instant now = T0.plusSeconds(9);
    assertThat(h.average(now, Duration.ofSeconds(3))).isEqualTo((7 + 8 + 9) / 3.0);
    // a window longer than the history averages what exists
    assertThat(h.average(now, MIN)).isEqualTo(4.5);
    assertThat(DemandHistory.EMPTY.average(now, MIN)).isZero();
  }

  @Test
  void dropsSamplesOlderThanItKeepsAndIgnoresRetrogradeTime() {
    DemandHistory h = DemandHistory.EMPTY.with(T0, 5, Duration.ofSeconds(2))
        .with(T0.plusSeconds(1), 6, Duration.ofSeconds(2))
        .with(T0.plusSeconds(2), 7, Duration.ofSeconds(2));
    assertThat(h.samples()).extracting(DemandHistory.Sample::concurrency).containsExactly(6.0, 7.0);
    assertThat(h.with(T0, 100, Duration.ofSeconds(2))).isSameAs(h);
  }

  @Test
  void refusesOutOfOrderTracesAndNegativeConcurrency() {
    assertThatThrownBy(() -> DemandHistory.of(List.of(new DemandHistory.Sample(T0.plusSeconds(1), 1), new DemandHistory.Sample(T0, 1))))
        .hasMessageContaining("out of order");
    assertThatThrownBy(() -> new DemandHistory.Sample(T0, -1)).hasMessageContaining("expected: >= 0");
  }
}
