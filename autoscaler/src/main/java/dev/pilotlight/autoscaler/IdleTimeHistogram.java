package dev.pilotlight.autoscaler;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The idle times of one function, as in "Serverless in the Wild" (Shahrad et al., USENIX ATC 2020,
 * §4.2): a count per 1-minute bin over a 4-hour range ({@value #BINS} bins), plus a count of idle
 * times past the range and the last of those. An idle time is the time from the end of the
 * function's last request to the arrival of the next one (a request that arrives while another is
 * in flight ends no idle period and records nothing).
 *
 * <p>Small on purpose: counts are {@code short}s (480 bytes in memory); {@link #toBytes} writes only
 * the bins in use (3 bytes each, 8 bytes of header). When a bin would pass {@link #MAX_COUNT},
 * every count is halved (rounding up, so a bin that saw anything keeps at least 1): the shape is
 * kept, and old history weighs less than new. Not thread-safe; {@link IdleTimeTracker} guards it.
 */
public final class IdleTimeHistogram {
  /** Width of one bin. */
  public static final Duration BIN = Duration.ofMinutes(1);
  /** Bins: 1 minute each over 4 hours, the paper's range. */
  public static final int BINS = 240;
  /** The range the bins cover; longer idle times are counted as out of range. */
  public static final Duration RANGE = BIN.multipliedBy(BINS);
  /** Largest count a bin holds before every count is halved. */
  public static final int MAX_COUNT = Short.MAX_VALUE;

  private static final byte FORMAT = 1;

  private final short[] bins = new short[BINS];
  private int inRange;
  private int outOfRange;
  private long lastOutOfRangeSeconds;
  /** Incremented by every {@link #record}: what a cache of something computed from the counts compares. */
  private long changes;

  /** An empty histogram. */
  public IdleTimeHistogram() {}

  /** Records one idle time; a negative one (retrograde clock) counts as zero. */
  public void record(Duration idle) {
    // at most ~68 years (what toBytes keeps): a clock jump must not overflow a window in milliseconds
    long seconds = Math.min(Integer.MAX_VALUE, Math.max(0, idle.toSeconds()));
    changes++;
    long bin = seconds / BIN.toSeconds();
    if (bin >= BINS) {
      if (outOfRange == MAX_COUNT) {
        halve();
      }
      outOfRange++;
      lastOutOfRangeSeconds = seconds;
      return;
    }
    int b = (int) bin;
    if (bins[b] == MAX_COUNT) {
      halve();
    }
    bins[b]++;
    inRange++;
  }

  private void halve() {
    inRange = 0;
    for (int i = 0; i < BINS; i++) {
      bins[i] = (short) ((bins[i] + 1) >> 1);
      inRange += bins[i];
    }
    outOfRange = (outOfRange + 1) >> 1;
  }

  /** How many times the counts changed: equal values mean equal counts (for this object; a copy starts at 0). */
  long changes() {
    return changes;
  }

  /**
   * The idle time (ms) the histogram holds: each idle time at its bin's middle, one past the range at
   * the last such (at least the range). The denominator of a function's share of idle time held.
   */
  public double idleMs() {
    double sum = 0;
    for (int i = 0; i < BINS; i++) {
      if (bins[i] != 0) {
        sum += bins[i] * (i + 0.5) * BIN.toMillis();
      }
    }
    return sum + outOfRange * (double) Math.max(RANGE.toMillis(), lastOutOfRangeSeconds * 1000);
  }

  /** Idle times recorded within the range. */
  public int inRange() {
    return inRange;
  }

  /** Idle times recorded past the range (longer than 4 hours). */
  public int outOfRange() {
    return outOfRange;
  }

  /** Every idle time recorded. */
  public int total() {
    return inRange + outOfRange;
  }

  /** The count in bin {@code i} (idle times of at least i and less than i+1 minutes). */
  public int count(int i) {
    return bins[i];
  }

  /** The most recent idle time past the range; zero if there was none. */
  public Duration lastOutOfRange() {
    return Duration.ofSeconds(lastOutOfRangeSeconds);
  }

  /**
   * The bin holding the {@code p}-th quantile of the in-range idle times: the first bin at which the
   * cumulative count reaches {@code p} of them; -1 when nothing is in range.
   */
  public int percentileBin(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("p: " + p + " (expected: 0..1)");
    }
    if (inRange == 0) {
      return -1;
    }
    double need = p * inRange;
    long cumulative = 0;
    for (int i = 0; i < BINS; i++) {
      cumulative += bins[i];
      if (cumulative >= need && cumulative > 0) {
        return i;
      }
    }
    return BINS - 1;
  }

  /**
   * The coefficient of variation of the bin counts (sample standard deviation over mean), the
   * paper's test of whether the histogram is concentrated enough to predict from: high when the
   * idle times fall in a few bins, low when they are spread over many. 0 when nothing is in range.
   */
  public double coefficientOfVariation() {
    if (inRange == 0) {
      return 0;
    }
    double mean = (double) inRange / BINS;
    double squares = 0;
    for (short c : bins) {
      double d = c - mean;
      squares += d * d;
    }
    return Math.sqrt(squares / (BINS - 1)) / mean;
  }

  /**
   * The idle instance-time (ms) a window from {@code open} to {@code close} after each idle spell
   * began holds, summed over the idle times recorded (each at its bin's middle; one past the range
   * held to {@code close}): {@code Σ max(0, min(g, close) − open)}.
   */
  public double heldMs(Duration open, Duration close) {
    long a = open.toMillis();
    long b = close.toMillis();
    double sum = 0;
    for (int i = 0; i < BINS; i++) {
      if (bins[i] != 0) {
        double g = (i + 0.5) * BIN.toMillis();
        sum += bins[i] * Math.max(0, Math.min(g, b) - a);
      }
    }
    return sum + outOfRange * (double) Math.max(0, b - a);
  }

  /**
   * The idle times a window from {@code open} to {@code close} misses: those (at their bin's middle)
   * shorter than {@code open} or at least {@code close}, and every one past the range.
   */
  public int coldStarts(Duration open, Duration close) {
    long a = open.toMillis();
    long b = close.toMillis();
    int cold = outOfRange;
    for (int i = 0; i < BINS; i++) {
      if (bins[i] != 0) {
        double g = (i + 0.5) * BIN.toMillis();
        if (g < a || g >= b) {
          cold += bins[i];
        }
      }
    }
    return cold;
  }

  /**
   * Two halves of the idle times: each bin's count split in two, an odd count's extra one going
   * alternately to the first and the second half (in bin order, the out-of-range count last).
   */
  public IdleTimeHistogram[] halves() {
    IdleTimeHistogram a = new IdleTimeHistogram();
    IdleTimeHistogram b = new IdleTimeHistogram();
    boolean toA = true;
    for (int i = 0; i < BINS; i++) {
      int c = bins[i];
      int half = c / 2;
      int extra = c % 2;
      a.bins[i] = (short) (half + (extra == 1 && toA ? 1 : 0));
      b.bins[i] = (short) (half + (extra == 1 && !toA ? 1 : 0));
      toA ^= extra == 1;
      a.inRange += a.bins[i];
      b.inRange += b.bins[i];
    }
    int o = outOfRange;
    a.outOfRange = o / 2 + (o % 2 == 1 && toA ? 1 : 0);
    b.outOfRange = o / 2 + (o % 2 == 1 && !toA ? 1 : 0);
    a.lastOutOfRangeSeconds = lastOutOfRangeSeconds;
    b.lastOutOfRangeSeconds = lastOutOfRangeSeconds;
    return new IdleTimeHistogram[] {a, b};
  }

  /** A copy without the idle times shorter than one bin (a minute). */
  public IdleTimeHistogram withoutFirstBin() {
    IdleTimeHistogram h = copy();
    h.inRange -= h.bins[0];
    h.bins[0] = 0;
    return h;
  }

  /** An independent copy. */
  public IdleTimeHistogram copy() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    System.arraycopy(bins, 0, h.bins, 0, BINS);
    h.inRange = inRange;
    h.outOfRange = outOfRange;
    h.lastOutOfRangeSeconds = lastOutOfRangeSeconds;
    return h;
  }

  /**
   * The persistent form: format (1 byte), out-of-range count (2), last out-of-range idle time in
   * seconds (4, capped at about 68 years), bins in use (1), then per bin in use its index (1) and
   * count (2). At most 728 bytes; a function with one rhythm takes about a dozen.
   */
  public byte[] toBytes() {
    int used = 0;
    for (short c : bins) {
      if (c != 0) {
        used++;
      }
    }
    ByteBuffer b = ByteBuffer.allocate(8 + 3 * used);
    b.put(FORMAT);
    b.putShort((short) outOfRange);
    b.putInt((int) Math.min(Integer.MAX_VALUE, lastOutOfRangeSeconds));
    b.put((byte) used);
    for (int i = 0; i < BINS; i++) {
      if (bins[i] != 0) {
        b.put((byte) i);
        b.putShort(bins[i]);
      }
    }
    return b.array();
  }

  /** Reads what {@link #toBytes} wrote; throws {@link IllegalArgumentException} on anything else. */
  public static IdleTimeHistogram fromBytes(byte[] bytes) {
    IdleTimeHistogram h = new IdleTimeHistogram();
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte format = b.get();
      if (format != FORMAT) {
        throw new IllegalArgumentException("idle-time histogram: format " + format + " (expected: " + FORMAT + ")");
      }
      h.outOfRange = checkCount(b.getShort());
      h.lastOutOfRangeSeconds = Math.max(0, b.getInt());
      int used = Byte.toUnsignedInt(b.get());
      for (int n = 0; n < used; n++) {
        int i = Byte.toUnsignedInt(b.get());
        if (i >= BINS) {
          throw new IllegalArgumentException("idle-time histogram: bin " + i + " (expected: < " + BINS + ")");
        }
        h.bins[i] = (short) checkCount(b.getShort());
        h.inRange += h.bins[i];
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("idle-time histogram: " + b.remaining() + " bytes left over");
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("idle-time histogram: truncated (" + bytes.length + " bytes)", e);
    }
    return h;
  }

  private static int checkCount(short c) {
    if (c < 0) {
      throw new IllegalArgumentException("idle-time histogram: count " + c + " (expected: >= 0)");
    }
    return c;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("IdleTimeHistogram[");
    for (int i = 0; i < BINS; i++) {
      if (bins[i] != 0) {
        sb.append(i).append("m:").append(bins[i]).append(' ');
      }
    }
    return sb.append("out of range:").append(outOfRange).append(']').toString();
  }
}
