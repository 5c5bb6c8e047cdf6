package dev.pilotlight.model.release;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The calls one revision answered: how many, how many failed, and their latencies in buckets about
 * 10 % wide (1 ms to ~3 hours), from which a p99 is read. Recording is lock-free; {@link #minus}
 * gives the calls between two snapshots.
 */
public final class CallWindow {
  /** Bucket i holds latencies up to {@code 1 ms × 1.1^i}; the last holds everything longer. */
  static final int BUCKETS = 160;
  private static final double GROWTH = Math.log(1.1);

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 2); // [0] calls, [1] errors, then buckets

  public void record(double ms, boolean error) {
    counts.incrementAndGet(0);
    if (error) {
      counts.incrementAndGet(1);
    }
    counts.incrementAndGet(2 + bucket(ms));
  }

  static int bucket(double ms) {
    if (ms <= 1) {
      return 0;
    }
    return (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(ms) / GROWTH));
  }

  /** The upper bound of bucket {@code i}, in ms. */
  static double upper(int i) {
    return Math.exp(i * GROWTH);
  }

  public Snapshot snapshot() {
    long[] c = new long[BUCKETS + 2];
    for (int i = 0; i < c.length; i++) {
      c[i] = counts.get(i);
    }
    return new Snapshot(c);
  }

  /** Counts at one moment. */
  public static final class Snapshot {
    public static final Snapshot EMPTY = new Snapshot(new long[BUCKETS + 2]);
    private final long[] c;

    Snapshot(long[] c) {
      this.c = c;
    }

    public long calls() {
      return c[0];
    }

    public long errors() {
      return c[1];
    }

    public double errorRate() {
      return c[0] == 0 ? 0 : (double) c[1] / c[0];
    }

    /** The 99th percentile latency in ms (the upper bound of its bucket); 0 without calls. */
    public double p99() {
      return quantile(0.99);
    }

    /** The {@code q} quantile of the latencies in ms (the upper bound of its bucket); 0 without calls. */
    public double quantile(double q) {
      if (c[0] == 0) {
        return 0;
      }
      long rank = Math.max(1, (long) Math.ceil(c[0] * q - 1e-9)); // 15 × (1 − 5/15) is 10.000000000000002 in doubles: rank 10, not 11
      long seen = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seen += c[2 + i];
        if (seen >= rank) {
          return upper(i);
        }
      }
      return upper(BUCKETS - 1);
    }

    /** The calls since {@code earlier}. */
    public Snapshot minus(Snapshot earlier) {
      long[] d = new long[c.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = Math.max(0, c[i] - earlier.c[i]);
      }
      return new Snapshot(d);
    }
  }
}
