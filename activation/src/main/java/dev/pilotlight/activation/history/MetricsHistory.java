package dev.pilotlight.activation.history;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each function's numbers per minute, the history behind the console's charts and {@code GET …/metrics}.
 *
 * <p>Recording is a map lookup and a few additions under the function's own lock, no I/O. The minute under way lives in
 * memory; {@link #flush} (once a second, by the daemon's saver) writes every minute that changed to the {@link Ledger},
 * whole, so a crash loses at most the last second. A function that served nothing and held no instance in a minute
 * costs nothing for it, in memory or on disk. Memory per function: the minute under way (about 2 KB while it serves,
 * with its duration and init histograms; nothing once that minute is saved) and its last {@value #EVENTS_KEPT} scaling
 * events (about 7 KB at most): 9.2 KB per function at the most, measured (docs/performance.md).
 */
public final class MetricsHistory {
  /** How long minutes are kept: the console's longest window. */
  public static final Duration RETENTION = Duration.ofDays(7);
  /** Scale-ups, scale-downs and cold starts kept per function (since the daemon started), newest last. */
  public static final int EVENTS_KEPT = 100;
  /** A window's steps are chosen so that it has at most this many points. */
  static final int MAX_POINTS = 360;
  private static final long[] STEP_MINUTES = {1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440};

  /** Where minutes are kept (the store's {@code metrics.db}, connected in {@code Wiring}); values are {@link MinuteSample#encode}d. */
  public interface Ledger {
    /** Every function's stored sample of {@code minute} (epoch minutes). */
    Map<String, byte[]> minute(long minute);

    /** Stores these samples, replacing those of the same function and minute, in one transaction. */
    void put(Map<String, Map<Long, byte[]>> samples);

    /** {@code function}'s samples of the minutes from {@code from} to before {@code to}. */
    NavigableMap<Long, byte[]> range(String function, long from, long to);

    /** Drops a removed function's minutes. */
    void forget(String function);

    /** Drops every minute before {@code minute}. */
    void prune(long minute);

    /** Keeps nothing: a history without a store, or switched off. */
    Ledger NONE = new Ledger() {
      @Override
      public Map<String, byte[]> minute(long minute) {
        return Map.of();
      }

      @Override
      public void put(Map<String, Map<Long, byte[]>> samples) {}

      @Override
      public NavigableMap<Long, byte[]> range(String function, long from, long to) {
        return new TreeMap<>();
      }

      @Override
      public void forget(String function) {}

      @Override
      public void prune(long minute) {}
    };
  }

  /** A scale-up (an instance became ready), a scale-down (one went away) or a cold start. */
  public record Event(Instant at, String kind, String strategy, double initMs, int instances) {}

  /** A window of one function's history, one value per step and series. */
  public record Window(String function, Instant since, Instant until, int stepSeconds, List<Instant> steps, List<MinuteSample> samples,
      MinuteSample total, List<Event> events) {}

  private final class Track {
    long minute = Long.MIN_VALUE;
    MinuteSample current;
    boolean dirty;
    /** Minutes that ended and are not saved yet. */
    final TreeMap<Long, MinuteSample> ended = new TreeMap<>();
    ArrayDeque<Event> events;
    int ready;

    MinuteSample at(long m) {
      if (current == null || m > minute) {
        if (current != null && dirty) {
          ended.put(minute, current);
        }
        current = new MinuteSample();
        minute = m;
      }
      dirty = true;
      return current;
    }

    void event(Event e) {
      if (events == null) {
        events = new ArrayDeque<>();
      }
      if (events.size() == EVENTS_KEPT) {
        events.removeFirst();
      }
      events.addLast(e);
    }
  }

  private final Map<String, Track> tracks = new ConcurrentHashMap<>();
  private final Ledger ledger;
  private final InstantSource clock;
  private final boolean on;
  /** Samples a failed {@link #flush} could not write, written by the next (a newer one of the same minute replaces). */
  private final Map<String, Map<Long, byte[]>> unsaved = new HashMap<>();

  /**
   * @param on false: records nothing (the daemon's {@code --metrics-history off}, to measure what it costs)
   */
  public MetricsHistory(Ledger ledger, InstantSource clock, boolean on) {
    this.ledger = ledger;
    this.clock = clock;
    this.on = on;
    if (on) {
      // A daemon restarted within a minute goes on with what the last one stored of it, so that minute is not overwritten.
      long now = minuteOf(clock.millis());
      ledger.minute(now).forEach((function, bytes) -> {
        Track t = track(function);
        t.at(now).addAll(MinuteSample.decode(bytes));
        t.dirty = false;
      });
    }
  }

  public boolean on() {
    return on;
  }

  private Track track(String function) {
    return tracks.computeIfAbsent(function, f -> new Track());
  }

  static long minuteOf(long epochMillis) {
    return Math.floorDiv(epochMillis, 60_000);
  }

  /** A pool's key is the function's name or {@code NAME@N} for an older revision's pool: both count as the function's. */
  static String functionOf(String pool) {
    int at = pool.indexOf('@');
    return at < 0 ? pool : pool.substring(0, at);
  }

  /**
   * A call answered: {@code ms} from arrival to answer. A throttled call (no instance could take it: queue full, waited
   * too long, no memory) counts as a throttle and not as an invocation, as Lambda's metrics count them.
   */
  public void call(String function, double ms, boolean error, boolean throttled) {
    if (!on) {
      return;
    }
    Track t = track(function);
    long m = minuteOf(clock.millis());
    synchronized (t) {
      MinuteSample s = t.at(m);
      if (throttled) {
        s.throttles++;
      } else {
        s.invocation(ms, error);
      }
    }
  }

  /**
   * A call that ran on an instance, answered after {@code ms}: {@link #call} and its billed memory-time, and its
   * instance's launch when it was a cold start, in one step (one lookup, one lock: this is every warm call's cost).
   *
   * @param strategy how the instance was launched (its rung of the launch ladder), when {@code cold}
   * @param prewarmHit it was the first call of a pre-warmed instance, which found it ready
   */
  public void served(String function, double ms, boolean error, long billedMs, int memoryMb, boolean cold, String strategy, double initMs,
      boolean prewarmHit) {
    if (!on) {
      return;
    }
    Track t = track(function);
    long now = clock.millis();
    synchronized (t) {
      MinuteSample s = t.at(minuteOf(now));
      s.invocation(ms, error);
      s.usedMbMs += billedMs * memoryMb;
      if (prewarmHit) {
        s.prewarmHits++;
      }
      if (cold) {
        s.coldStart(strategy, initMs);
        t.event(new Event(Instant.ofEpochMilli(now), "cold-start", strategy, initMs, t.ready));
      }
    }
  }

  /** An instance of {@code memoryMb} was up with nothing to do for {@code idle}. */
  public void idle(String function, int memoryMb, Duration idle) {
    if (!on || idle.isNegative() || idle.isZero()) {
      return;
    }
    Track t = track(function);
    synchronized (t) {
      t.at(minuteOf(clock.millis())).idleMbMs += idle.toMillis() * memoryMb;
    }
  }

  /** The keep-alive policy started an instance before an expected call. */
  public void prewarmed(String function) {
    if (!on) {
      return;
    }
    Track t = track(function);
    synchronized (t) {
      t.at(minuteOf(clock.millis())).prewarms++;
    }
  }

  /**
   * A pool's requests in flight or queued changed (the activator's demand report, twice per call). One at a time needs
   * no record: a minute with an invocation had at least one.
   */
  public void demand(String pool, int requests) {
    if (!on || requests <= 1) {
      return;
    }
    Track t = track(functionOf(pool));
    synchronized (t) {
      MinuteSample s = t.at(minuteOf(clock.millis()));
      s.concurrencyMax = Math.max(s.concurrencyMax, requests);
    }
  }

  /** An instance of the function became ready ({@code up}) or went away. */
  public void scaled(String function, boolean up) {
    if (!on) {
      return;
    }
    Track t = track(function);
    long now = clock.millis();
    synchronized (t) {
      MinuteSample s = t.at(minuteOf(now));
      t.ready = Math.max(0, t.ready + (up ? 1 : -1));
      if (up) {
        s.scaleUps++;
      } else {
        s.scaleDowns++;
      }
      s.readyMax = Math.max(s.readyMax, t.ready);
      t.event(new Event(Instant.ofEpochMilli(now), up ? "scale-up" : "scale-down", null, 0, t.ready));
    }
  }

  /** The function's instances now, summed over its pools (sampled by the scaling loop at each tick). */
  public void instances(String function, int ready, int starting) {
    if (!on || (ready == 0 && starting == 0)) {
      return;
    }
    Track t = track(function);
    synchronized (t) {
      MinuteSample s = t.at(minuteOf(clock.millis()));
      s.readyMax = Math.max(s.readyMax, ready);
      s.startingMax = Math.max(s.startingMax, starting);
    }
  }

  /**
   * Writes every minute that changed since the last flush. One flush at a time, so that an older copy of a minute never
   * lands after a newer one. If the ledger fails, the samples are written by the next flush and the failure is thrown.
   */
  public synchronized void flush() {
    if (!on) {
      return;
    }
    long now = minuteOf(clock.millis());
    Map<String, Map<Long, byte[]>> batch = new HashMap<>();
    unsaved.forEach((f, minutes) -> batch.computeIfAbsent(f, k -> new HashMap<>()).putAll(minutes));
    unsaved.clear();
    for (var e : tracks.entrySet()) {
      Track t = e.getValue();
      synchronized (t) {
        if (t.ended.isEmpty() && !t.dirty) {
          if (t.current != null && t.minute < now) {
            t.current = null; // saved, and over: it lives on disk only
          }
          continue;
        }
        Map<Long, byte[]> minutes = batch.computeIfAbsent(e.getKey(), k -> new HashMap<>());
        t.ended.forEach((m, s) -> minutes.put(m, s.encode()));
        t.ended.clear();
        if (t.dirty) {
          minutes.put(t.minute, t.current.encode());
          t.dirty = false;
        }
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      ledger.put(batch);
    } catch (RuntimeException ex) {
      batch.forEach((f, minutes) -> unsaved.computeIfAbsent(f, k -> new HashMap<>()).putAll(minutes));
      throw ex;
    }
  }

  /** Drops minutes older than {@link #RETENTION} (the daemon calls it hourly). */
  public void prune() {
    if (on) {
      ledger.prune(minuteOf(clock.millis()) - RETENTION.toMinutes());
    }
  }

  /** Drops a removed function's history. */
  public void forget(String function) {
    tracks.remove(function);
    synchronized (this) {
      unsaved.remove(function);
    }
    ledger.forget(function);
  }

  /** The step a window of {@code window} gets: the shortest of 1, 2, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12, 24 hours that keeps it to {@value #MAX_POINTS} points. */
  public static int stepSecondsFor(Duration window) {
    long minutes = Math.max(1, (window.toSeconds() + 59) / 60);
    for (long step : STEP_MINUTES) {
      if ((minutes + step - 1) / step <= MAX_POINTS) {
        return (int) step * 60;
      }
    }
    return (int) STEP_MINUTES[STEP_MINUTES.length - 1] * 60;
  }

  /**
   * The function's history over the last {@code window} (at most {@link #RETENTION}), in steps of {@code stepSeconds} (a
   * multiple of 60; null: {@link #stepSecondsFor}), aligned to multiples of the step since the epoch. Every step is
   * there, empty ones too; the last holds the minute under way.
   */
  public Window window(String function, Duration window, Integer stepSeconds) {
    if (window.isNegative() || window.isZero() || window.compareTo(RETENTION) > 0) {
      throw new IllegalArgumentException("since: " + window + " (expected: a duration from 1m to 7d)");
    }
    int step = stepSeconds == null ? stepSecondsFor(window) : stepSeconds;
    if (step < 60 || step % 60 != 0) {
      throw new IllegalArgumentException("step: " + step + " (expected: seconds, a multiple of 60)");
    }
    long stepMinutes = step / 60;
    long nowMillis = clock.millis();
    long lastMinute = minuteOf(nowMillis);
    long firstMinute = minuteOf(nowMillis - window.toMillis()) + 1;
    long firstStep = Math.floorDiv(firstMinute, stepMinutes) * stepMinutes;
    long lastStep = Math.floorDiv(lastMinute, stepMinutes) * stepMinutes;
    if ((lastStep - firstStep) / stepMinutes + 1 > 10 * MAX_POINTS) {
      throw new IllegalArgumentException("step: " + step + "s makes " + ((lastStep - firstStep) / stepMinutes + 1)
          + " points (expected: at most " + 10 * MAX_POINTS + ")");
    }
    try {
      flush();
    } catch (RuntimeException e) {
      // the saver reports a failing ledger once a second; the window shows what was stored before
    }
    NavigableMap<Long, byte[]> stored = on ? ledger.range(function, firstMinute, lastMinute + 1) : new TreeMap<>();
    List<Instant> steps = new ArrayList<>();
    List<MinuteSample> samples = new ArrayList<>();
    Map<Long, MinuteSample> byStep = new LinkedHashMap<>();
    for (long s = firstStep; s <= lastStep; s += stepMinutes) {
      MinuteSample sample = new MinuteSample();
      byStep.put(s, sample);
      steps.add(Instant.ofEpochSecond(s * 60));
      samples.add(sample);
    }
    MinuteSample total = new MinuteSample();
    stored.forEach((minute, bytes) -> {
      MinuteSample s = MinuteSample.decode(bytes);
      byStep.get(Math.floorDiv(minute, stepMinutes) * stepMinutes).addAll(s);
      total.addAll(s);
    });
    Instant since = Instant.ofEpochSecond(firstMinute * 60);
    List<Event> events = new ArrayList<>();
    Track t = tracks.get(function);
    if (t != null) {
      synchronized (t) {
        if (t.events != null) {
          t.events.stream().filter(e -> !e.at().isBefore(since)).forEach(events::add);
        }
      }
    }
    return new Window(function, since, Instant.ofEpochMilli(nowMillis), step, steps, samples, total, events);
  }
}
