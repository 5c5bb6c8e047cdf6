package dev.pilotlight.bench;

import java.util.Arrays;

/**
 * Percentiles by the <em>nearest-rank</em> method: the p-th percentile of n samples is the
 * sample of rank ⌈p/100 · n⌉ in ascending order. It always returns a value that was measured
 * (no interpolation), so with n = 30 the p99 is simply the slowest sample and the p90 the 27th.
 */
final class Percentiles {
  private Percentiles() {}

  /**
   * The nearest-rank {@code percentile} (in (0, 100]) of {@code samples}, which need not be sorted
   * and are left untouched.
   */
  static double nearestRank(double[] samples, double percentile) {
    if (samples.length == 0) {
      throw new IllegalArgumentException("samples: empty (expected: at least one sample)");
    }
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile: " + percentile + " (expected: 0 < p <= 100)");
    }
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    return sorted[rank(sorted.length, percentile) - 1];
  }

  /** The 1-based rank ⌈p/100 · n⌉, computed so that e.g. p50 of 10 is rank 5 despite rounding. */
  static int rank(int n, double percentile) {
    // p/100*n in floating point can land just above an integer (e.g. 0.29*100 = 29.000000000000004);
    // subtracting a tiny epsilon before ceil keeps exact products on their own rank.
    int rank = (int) Math.ceil(percentile / 100.0 * n - 1e-9);
    return Math.max(1, Math.min(n, rank));
  }
}
