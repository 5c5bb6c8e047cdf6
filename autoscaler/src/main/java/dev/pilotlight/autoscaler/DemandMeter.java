package dev.pilotlight.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one way a function's demand (requests in flight and queued) reaches the autoscaler: the
 * activator reports every change, as it happens, and the meter integrates it over time for the
 * {@link ScalingLoop}'s samples and hands the instances it needs on to the keep-alive rhythm
 * ({@link IdleTimeTracker#demand}).
 *
 * <p>Pushed, not pulled: the rhythm needs the moment of every busy and idle edge, including
 * requests that start and end between two ticks, which no sampling would see; the integral is
 * made from the same reports, so the loop's averages and the rhythm cannot disagree about what
 * happened. The pool's snapshot keeps only the demand of the moment, which the decisions read.
 *
 * <p>Thread-safe; every method is short and does no I/O, so the activator calls it under its own
 * lock, in order.
 */
public final class DemandMeter {
  /**
   * A function's demand integrated up to {@code until}, in request-seconds.
   *
   * @param until where the integral ends: the reader's instant, or a later report's (a transition
   *     may read its clock after the reader did); averages divide by the time between two of these
   */
  public record Reading(double seconds, Instant until) {}

  private static final class Integral {
    int requests;
    double seconds;
    Instant since;

    Integral(Instant since) {
      this.since = since;
    }

    /** Adds the requests × the time since the last change; time going backwards adds nothing. */
    void advance(Instant now) {
      long nanos = Duration.between(since, now).toNanos();
      if (nanos > 0) {
        seconds += requests * (nanos / 1e9);
        since = now;
      }
    }
  }

  private final IdleTimeTracker rhythms;
  private final Map<String, Integral> integrals = new HashMap<>();

  /** A meter that feeds no rhythm (the fixed idle timeout needs none). */
  public DemandMeter() {
    this(new IdleTimeTracker());
  }

  /** @param rhythms told the instances each function needs whenever that changes */
  public DemandMeter(IdleTimeTracker rhythms) {
    this.rhythms = rhythms;
  }

  /**
   * The function now has {@code requests} in flight and queued, which need {@code instances} at its
   * concurrency (0 ends a busy spell).
   */
  public synchronized void demand(String function, int requests, int instances, Instant now) {
    Integral i = integrals.computeIfAbsent(function, f -> new Integral(now));
    i.advance(now);
    i.requests = requests;
    rhythms.demand(function, instances, now); // it records only changes of level
  }

  /** The function's demand integrated up to {@code now} (or its last report, if later); null if it never reported any. */
  public synchronized Reading read(String function, Instant now) {
    Integral i = integrals.get(function);
    if (i == null) {
      return null;
    }
    i.advance(now);
    return new Reading(i.seconds, i.since);
  }

  /** Forgets the functions not in {@code functions} (removed ones). */
  synchronized void retainAll(Set<String> functions) {
    integrals.keySet().retainAll(functions);
  }
}
