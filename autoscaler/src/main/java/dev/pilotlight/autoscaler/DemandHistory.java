package dev.pilotlight.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A function's observed concurrency (in-flight + queued), one sample per tick, oldest first.
 * Immutable: {@link #with} returns a new history, so a decision is a pure function of it.
 */
public final class DemandHistory {
  /** One sample: the average concurrency over the tick that ended at {@code at}. */
  public record Sample(Instant at, double concurrency) {
    public Sample {
      if (!(concurrency >= 0)) {
        throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 0)");
      }
    }
  }

  public static final DemandHistory EMPTY = new DemandHistory(List.of());

  private final List<Sample> samples;

  private DemandHistory(List<Sample> samples) {
    this.samples = samples;
  }

  /** A history of these samples (oldest first), e.g. a recorded trace. */
  public static DemandHistory of(List<Sample> samples) {
    for (int i = 1; i < samples.size(); i++) {
      if (samples.get(i).at().isBefore(samples.get(i - 1).at())) {
        throw new IllegalArgumentException("samples: out of order at index " + i + " (expected: oldest first)");
      }
    }
    return new DemandHistory(List.copyOf(samples));
  }

  /**
   * This history plus one sample, without samples older than {@code keep} before it. A sample
   * older than the newest one (retrograde time) replaces nothing and is dropped.
   */
  public DemandHistory with(Instant at, double concurrency, Duration keep) {
    if (!samples.isEmpty() && at.isBefore(samples.getLast().at())) {
      return this;
    }
    Instant horizon = at.minus(keep);
    List<Sample> next = new ArrayList<>(samples.size() + 1);
    for (Sample s : samples) {
      if (s.at().isAfter(horizon)) {
        next.add(s);
      }
    }
    next.add(new Sample(at, concurrency));
    return new DemandHistory(Collections.unmodifiableList(next));
  }

  /**
   * The mean of the samples taken in {@code (now - window, now]}, 0 when there are none. Only
   * samples that exist count: a function observed for 10 s of a 60 s window is averaged over those
   * 10 s, so a daemon that just started is not blind to a burst.
   */
  public double average(Instant now, Duration window) {
    Instant from = now.minus(window);
    double sum = 0;
    int n = 0;
    for (Sample s : samples) {
      if (s.at().isAfter(from) && !s.at().isAfter(now)) {
        sum += s.concurrency();
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /** The largest sample taken in {@code (now - window, now]}, 0 when there are none. */
  public double max(Instant now, Duration window) {
    Instant from = now.minus(window);
    double max = 0;
    for (Sample s : samples) {
      if (s.at().isAfter(from) && !s.at().isAfter(now)) {
        max = Math.max(max, s.concurrency());
      }
    }
    return max;
  }

  public List<Sample> samples() {
    return samples;
  }

  public int size() {
    return samples.size();
  }

  @Override
  public String toString() {
    return "DemandHistory" + samples;
  }
}
