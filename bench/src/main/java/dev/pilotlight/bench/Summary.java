package dev.pilotlight.bench;

import java.util.List;

/**
 * The figures reported for one row of samples: their count and nearest-rank p50, p90 and p99,
 * all in milliseconds.
 */
record Summary(int n, double p50, double p90, double p99) {

  /** Summarises samples in milliseconds; at least one is needed. */
  static Summary of(List<Double> millis) {
    double[] samples = millis.stream().mapToDouble(Double::doubleValue).toArray();
    return new Summary(samples.length,
        Percentiles.nearestRank(samples, 50),
        Percentiles.nearestRank(samples, 90),
        Percentiles.nearestRank(samples, 99));
  }
}
