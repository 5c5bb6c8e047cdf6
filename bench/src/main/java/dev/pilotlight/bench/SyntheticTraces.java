package dev.pilotlight.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Traces with a known structure, in the Azure trace's form (invocations per minute), for
 * {@code bench trace --synthetic KIND}: where the right keep-alive is known or easy to bound.
 *
 * <ul>
 *   <li>{@code periodic}: each function fires once every P minutes (P from 5 minutes to 4 hours), at
 *       a random phase, like a cron timer. Right answer: no idle holding and one pre-warm per
 *       period once two periods are known; cold starts only while learning.
 *   <li>{@code poisson}: each function is called at random (a Poisson process) at a rate of its own,
 *       from one call in 3 hours to 5 a minute. Idle times are memoryless, so no window does better than
 *       a fixed keep-alive: the right answer is to spend no more memory than the fixed one.
 *   <li>{@code bursty}: on/off: spells of calls (2 a minute on average, 5 minutes on average) separated
 *       by quiet spells of 30, 60 or 120 minutes on average, both exponentially distributed.
 *   <li>{@code diurnal}: Poisson calls whose rate follows the day (a raised cosine peaking at a random
 *       time), from near zero at night to a peak of its own.
 *   <li>{@code mix}: a quarter of each.
 * </ul>
 *
 * <p>Durations are log-uniform from 50 ms to 5 s, memory one of 128, 256, 512 and 1024 MB. Everything
 * comes from {@code seed}: the same seed gives the same trace.
 */
final class SyntheticTraces {
  enum Kind {
    PERIODIC,
    POISSON,
    BURSTY,
    DIURNAL,
    MIX;

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind parse(String s) {
      for (Kind k : values()) {
        if (k.id().equalsIgnoreCase(s.trim())) {
          return k;
        }
      }
      throw new BenchFailure("--synthetic: '" + s + "' (expected one of: periodic, poisson, bursty, diurnal, mix)");
    }
  }

  static final int[] PERIODS = {5, 10, 15, 20, 30, 45, 60, 90, 120, 240};
  private static final int[] MEMORY_MB = {128, 256, 512, 1024};
  private static final Kind[] MIXED = {Kind.PERIODIC, Kind.POISSON, Kind.BURSTY, Kind.DIURNAL};

  static AzureTrace generate(Kind kind, int functions, int minutes, long seed) {
    if (functions < 1 || minutes < 1) {
      throw new BenchFailure("synthetic trace: " + functions + " functions over " + minutes + " minutes (expected: at least 1 of each)");
    }
    List<AzureTrace.TracedFunction> out = new ArrayList<>(functions);
    for (int i = 0; i < functions; i++) {
      SplittableRandom r = new SplittableRandom(seed * 7_919L + i);
      Kind k = kind == Kind.MIX ? MIXED[i % MIXED.length] : kind;
      int[] counts = switch (k) {
        case PERIODIC -> periodic(PERIODS[(i / (kind == Kind.MIX ? MIXED.length : 1)) % PERIODS.length], minutes, r);
        case POISSON -> poisson(logUniform(r, 1.0 / 180, 5), minutes, r);
        case BURSTY -> bursty(new double[] {30, 60, 120}[i % 3], minutes, r);
        case DIURNAL -> diurnal(logUniform(r, 0.02, 10), minutes, r);
        case MIX -> throw new IllegalStateException();
      };
      double durationMs = logUniform(r, 50, 5000);
      int memoryMb = MEMORY_MB[r.nextInt(MEMORY_MB.length)];
      out.add(new AzureTrace.TracedFunction(i, "synthetic", k.id(), String.format(Locale.ROOT, "%s-%04d", k.id(), i), k.id(), counts,
          durationMs, memoryMb));
    }
    return new AzureTrace(Path.of("synthetic:" + kind.id()), 1, minutes, List.copyOf(out),
        List.of(functions + " synthetic functions (" + kind.id() + ", seed " + seed + ")"));
  }

  static int[] periodic(int period, int minutes, SplittableRandom r) {
    int[] counts = new int[minutes];
    for (int m = r.nextInt(period); m < minutes; m += period) {
      counts[m] = 1;
    }
    return counts;
  }

  static int[] poisson(double perMinute, int minutes, SplittableRandom r) {
    int[] counts = new int[minutes];
    for (int m = 0; m < minutes; m++) {
      counts[m] = poissonSample(perMinute, r);
    }
    return counts;
  }

  static int[] bursty(double meanOffMinutes, int minutes, SplittableRandom r) {
    int[] counts = new int[minutes];
    double t = exponential(r, meanOffMinutes) * r.nextDouble(); // start somewhere in a quiet spell
    while (t < minutes) {
      double on = exponential(r, 5);
      for (int m = (int) t; m < Math.min(minutes, t + on); m++) {
        counts[m] = poissonSample(2, r);
      }
      t += on + exponential(r, meanOffMinutes);
    }
    return counts;
  }

  static int[] diurnal(double peakPerMinute, int minutes, SplittableRandom r) {
    int[] counts = new int[minutes];
    double peakAt = r.nextDouble() * 1440;
    for (int m = 0; m < minutes; m++) {
      double rate = peakPerMinute * (1 + Math.cos(2 * Math.PI * (m - peakAt) / 1440)) / 2;
      counts[m] = poissonSample(rate, r);
    }
    return counts;
  }

  private static double logUniform(SplittableRandom r, double lo, double hi) {
    return Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
  }

  private static double exponential(SplittableRandom r, double mean) {
    return -Math.log(1 - r.nextDouble()) * mean;
  }

  /** A Poisson-distributed count: by multiplying uniforms for small means, by the normal approximation for large ones. */
  static int poissonSample(double mean, SplittableRandom r) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 30) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(r)));
    }
    double limit = Math.exp(-mean);
    double p = 1;
    int k = -1;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > limit);
    return k;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private SyntheticTraces() {}
}
