package dev.pilotlight.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where in each minute a trace's invocations arrive: the trace gives only a count per minute.
 *
 * <ul>
 *   <li>{@link #EVEN}: the minute's n invocations at (i + ½) / n of the minute: deterministic, and
 *       how timer-triggered functions (half the sample) really fire, at the same second each time.
 *   <li>{@link #RANDOM}: n instants drawn uniformly at random in the minute (a Poisson process
 *       conditioned on the minute's count), from a fixed seed per function, so every policy sees
 *       the same arrivals and a run is reproducible.
 * </ul>
 */
enum Arrivals {
  EVEN,
  RANDOM;

  static final long MINUTE_MS = 60_000;

  /** Arrival times in ms from the trace's first minute, sorted. */
  long[] of(int[] perMinute, long seed, int functionIndex) {
    long total = 0;
    for (int c : perMinute) {
      total += c;
    }
    long[] out = new long[Math.toIntExact(total)];
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + functionIndex);
    int k = 0;
    for (int m = 0; m < perMinute.length; m++) {
      int c = perMinute[m];
      long start = m * MINUTE_MS;
      int from = k;
      for (int i = 0; i < c; i++) {
        out[k++] = start + (this == EVEN ? (long) ((i + 0.5) * MINUTE_MS / c) : random.nextLong(MINUTE_MS));
      }
      if (this == RANDOM) {
        Arrays.sort(out, from, k);
      }
    }
    return out;
  }

  String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Arrivals parse(String s) {
    for (Arrivals a : values()) {
      if (a.id().equalsIgnoreCase(s.trim())) {
        return a;
      }
    }
    throw new BenchFailure("--spread: '" + s + "' (expected: even or random)");
  }
}
