package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PercentilesTest {

  /** 1, 2, …, n in a scrambled order. */
  private static double[] oneTo(int n) {
    return IntStream.rangeClosed(1, n).map(i -> (i * 7919) % n + 1).asDoubleStream().toArray();
  }

  @ParameterizedTest(name = "p{1} of 1..{0} = {2}")
  @CsvSource({
      // n, percentile, expected: the value of rank ceil(p/100 * n)
      "1, 50, 1", "1, 99, 1", "1, 100, 1",
      "2, 50, 1", "2, 90, 2",
      "10, 50, 5", "10, 90, 9", "10, 99, 10", "10, 10, 1", "10, 0.1, 1",
      "30, 50, 15", "30, 90, 27", "30, 99, 30",
      "100, 50, 50", "100, 90, 90", "100, 99, 99", "100, 29, 29",
      "1000, 99, 990", "1000, 99.9, 999",
  })
  void nearestRankOfOneToN(int n, double percentile, double expected) {
    assertThat(Percentiles.nearestRank(oneTo(n), percentile)).isEqualTo(expected);
  }

  @Test
  void returnsAMeasuredValueWithoutInterpolating() {
    assertThat(Percentiles.nearestRank(new double[] {10.0, 20.0}, 50)).isEqualTo(10.0);
    assertThat(Percentiles.nearestRank(new double[] {3.5, 1.25, 2.0}, 50)).isEqualTo(2.0);
  }

  @Test
  void leavesTheSamplesUnsorted() {
    double[] samples = {3, 1, 2};
    Percentiles.nearestRank(samples, 50);
    assertThat(samples).containsExactly(3, 1, 2);
  }

  @Test
  void rejectsNoSamplesAndPercentilesOutOfRange() {
    assertThatThrownBy(() -> Percentiles.nearestRank(new double[0], 50)).hasMessageContaining("expected: at least one");
    assertThatThrownBy(() -> Percentiles.nearestRank(new double[] {1}, 0)).hasMessageContaining("percentile: 0.0");
    assertThatThrownBy(() -> Percentiles.nearestRank(new double[] {1}, 100.5)).hasMessageContaining("0 < p <= 100");
    assertThatThrownBy(() -> Percentiles.nearestRank(new double[] {1}, Double.NaN)).hasMessageContaining("NaN");
  }

  @Test
  void summaryTakesP50P90P99() {
    Summary s = Summary.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0));
    assertThat(s).isEqualTo(new Summary(10, 5.0, 9.0, 10.0));
  }
}
