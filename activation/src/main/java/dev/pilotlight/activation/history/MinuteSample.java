package dev.pilotlight.activation.history;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One function's numbers for one minute. Counters add up when minutes merge (a step of the console's chart is the
 * merge of its minutes); the high-water marks take the larger. Not thread-safe: {@link MetricsHistory} locks.
 */
public final class MinuteSample {
  /** The cold starts of one launch strategy. */
  public static final class ColdStarts {
    long count;
    double maxInitMs;
    final DurationHistogram initMs = new DurationHistogram();

    void add(double ms) {
      count++;
      maxInitMs = Math.max(maxInitMs, ms);
      initMs.add(ms);
    }

    void addAll(ColdStarts o) {
      count += o.count;
      maxInitMs = Math.max(maxInitMs, o.maxInitMs);
      initMs.addAll(o.initMs);
    }

    public long count() {
      return count;
    }

    public double maxInitMs() {
      return maxInitMs;
    }

    /** The median init, as its bucket's middle but never above the longest init seen. */
    public double initMsP50() {
      return Math.min(initMs.percentile(0.5), maxInitMs);
    }
  }

  private static final byte FORMAT = 1;

  long invocations;
  long errors;
  long throttles;
  /** Invocations that ran on an instance; null until the first. */
  DurationHistogram durations;
  /** Requests in flight or queued at the minute's busiest moment. */
  int concurrencyMax;
  int readyMax;
  int startingMax;
  long scaleUps;
  long scaleDowns;
  long prewarms;
  long prewarmHits;
  long usedMbMs;
  long idleMbMs;
  /** By launch strategy; null until the first cold start. */
  Map<String, ColdStarts> coldStarts;

  void invocation(double ms, boolean error) {
    invocations++;
    concurrencyMax = Math.max(concurrencyMax, 1);
    if (error) {
      errors++;
    }
    if (durations == null) {
      durations = new DurationHistogram();
    }
    durations.add(ms);
  }

  void coldStart(String strategy, double initMs) {
    if (coldStarts == null) {
      coldStarts = new TreeMap<>();
    }
    coldStarts.computeIfAbsent(strategy, s -> new ColdStarts()).add(initMs);
  }

  /** Adds {@code o}'s numbers to these. */
  public void addAll(MinuteSample o) {
    invocations += o.invocations;
    errors += o.errors;
    throttles += o.throttles;
    if (o.durations != null) {
      if (durations == null) {
        durations = new DurationHistogram();
      }
      durations.addAll(o.durations);
    }
    concurrencyMax = Math.max(concurrencyMax, o.concurrencyMax);
    readyMax = Math.max(readyMax, o.readyMax);
    startingMax = Math.max(startingMax, o.startingMax);
    scaleUps += o.scaleUps;
    scaleDowns += o.scaleDowns;
    prewarms += o.prewarms;
    prewarmHits += o.prewarmHits;
    usedMbMs += o.usedMbMs;
    idleMbMs += o.idleMbMs;
    if (o.coldStarts != null) {
      if (coldStarts == null) {
        coldStarts = new TreeMap<>();
      }
      o.coldStarts.forEach((s, c) -> coldStarts.computeIfAbsent(s, k -> new ColdStarts()).addAll(c));
    }
  }

  MinuteSample copy() {
    MinuteSample c = new MinuteSample();
    c.addAll(this);
    return c;
  }

  public long invocations() {
    return invocations;
  }

  public long errors() {
    return errors;
  }

  public long throttles() {
    return throttles;
  }

  /** NaN when nothing ran on an instance. */
  public double durationPercentile(double p) {
    return durations == null ? Double.NaN : durations.percentile(p);
  }

  public int concurrencyMax() {
    return concurrencyMax;
  }

  public int readyMax() {
    return readyMax;
  }

  public int startingMax() {
    return startingMax;
  }

  public long scaleUps() {
    return scaleUps;
  }

  public long scaleDowns() {
    return scaleDowns;
  }

  public long prewarms() {
    return prewarms;
  }

  public long prewarmHits() {
    return prewarmHits;
  }

  public double usedGbSeconds() {
    return usedMbMs / 1024.0 / 1000.0;
  }

  public double idleGbSeconds() {
    return idleMbMs / 1024.0 / 1000.0;
  }

  /** By launch strategy, in name order; empty when there were none. */
  public Map<String, ColdStarts> coldStarts() {
    return coldStarts == null ? Map.of() : coldStarts;
  }

  public long coldStartCount() {
    return coldStarts == null ? 0 : coldStarts.values().stream().mapToLong(ColdStarts::count).sum();
  }

  /** The median init duration of every cold start here, NaN when none. */
  public double initMsP50() {
    if (coldStarts == null) {
      return Double.NaN;
    }
    DurationHistogram all = new DurationHistogram();
    coldStarts.values().forEach(c -> all.addAll(c.initMs));
    return all.percentile(0.5);
  }

  /** A compact binary form, as stored per function and minute. */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      for (long v : new long[] {invocations, errors, throttles, concurrencyMax, readyMax, startingMax, scaleUps, scaleDowns, prewarms,
          prewarmHits, usedMbMs, idleMbMs}) {
        out.writeLong(v);
      }
      out.writeBoolean(durations != null);
      if (durations != null) {
        durations.write(out);
      }
      Map<String, ColdStarts> cold = coldStarts();
      out.writeShort(cold.size());
      for (var e : cold.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue().count);
        out.writeDouble(e.getValue().maxInitMs);
        e.getValue().initMs.write(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads what {@link #encode} wrote; an unknown or damaged form is an {@link IllegalArgumentException}. */
  public static MinuteSample decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("minute sample format " + format + " (expected " + FORMAT + ")");
      }
      MinuteSample s = new MinuteSample();
      s.invocations = in.readLong();
      s.errors = in.readLong();
      s.throttles = in.readLong();
      s.concurrencyMax = (int) in.readLong();
      s.readyMax = (int) in.readLong();
      s.startingMax = (int) in.readLong();
      s.scaleUps = in.readLong();
      s.scaleDowns = in.readLong();
      s.prewarms = in.readLong();
      s.prewarmHits = in.readLong();
      s.usedMbMs = in.readLong();
      s.idleMbMs = in.readLong();
      if (in.readBoolean()) {
        s.durations = DurationHistogram.read(in);
      }
      int strategies = in.readUnsignedShort();
      for (int i = 0; i < strategies; i++) {
        String name = in.readUTF();
        ColdStarts c = new ColdStarts();
        c.count = in.readLong();
        c.maxInitMs = in.readDouble();
        c.initMs.addAll(DurationHistogram.read(in));
        if (s.coldStarts == null) {
          s.coldStarts = new TreeMap<>();
        }
        s.coldStarts.put(name, c);
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException("minute sample: " + in.available() + " bytes after its end");
      }
      return s;
    } catch (IOException e) {
      throw new IllegalArgumentException("minute sample: cannot be read (" + e + ")", e);
    }
  }
}
