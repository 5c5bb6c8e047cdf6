package dev.pilotlight.activation.history;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Durations counted in logarithmic buckets, eight per doubling (a bucket's middle is within 4.4 % of every duration it
 * holds), from 10 µs to 15 minutes; shorter and longer durations go to the end buckets. Percentiles of merged
 * histograms are as good as those of one, which is why minutes keep a histogram and not their percentiles.
 * Not thread-safe: its owner locks.
 */
public final class DurationHistogram {
  static final double LOWEST_MS = 0.01;
  static final int PER_DOUBLING = 8;
  /** Enough buckets to reach 15 minutes: 0.01 ms × 2^(212/8) ≈ 9.7e5 ms. */
  static final int BUCKETS = 212;
  private static final double SCALE = PER_DOUBLING / Math.log(2);

  private final int[] counts = new int[BUCKETS];
  private long total;

  /** The bucket holding {@code ms}. */
  static int bucket(double ms) {
    if (!(ms > LOWEST_MS)) { // NaN, negative, tiny
      return 0;
    }
    return (int) Math.min(BUCKETS - 1, Math.floor(Math.log(ms / LOWEST_MS) * SCALE));
  }

  /** The geometric middle of bucket {@code i}: what a percentile that falls in it reads. */
  static double middle(int i) {
    return LOWEST_MS * Math.pow(2, (i + 0.5) / PER_DOUBLING);
  }

  public void add(double ms) {
    counts[bucket(ms)]++;
    total++;
  }

  public void addAll(DurationHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  public long count() {
    return total;
  }

  /** The duration below which a share {@code p} (0–1) of the counted durations fall; NaN when none were counted. */
  public double percentile(double p) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(p * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return middle(i);
      }
    }
    return middle(BUCKETS - 1);
  }

  /** Writes the non-empty buckets only: a minute of one function's calls fills a dozen or two. */
  void write(DataOutput out) throws IOException {
    int used = 0;
    for (int c : counts) {
      used += c == 0 ? 0 : 1;
    }
    out.writeShort(used);
    for (int i = 0; i < BUCKETS; i++) {
      if (counts[i] != 0) {
        out.writeShort(i);
        out.writeInt(counts[i]);
      }
    }
  }

  static DurationHistogram read(DataInput in) throws IOException {
    DurationHistogram h = new DurationHistogram();
    int used = in.readUnsignedShort();
    for (int k = 0; k < used; k++) {
      int i = in.readUnsignedShort();
      int c = in.readInt();
      if (i >= BUCKETS || c < 0) {
        throw new IOException("bucket " + i + " count " + c + " out of range");
      }
      h.counts[i] += c;
      h.total += c;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DurationHistogram h && Arrays.equals(counts, h.counts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(counts);
  }
}
