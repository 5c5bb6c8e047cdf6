package dev.pilotlight.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Keeps cold starts from overlapping the warm pool's background work: taking a pool runner starts
 * its replacement (a JVM start and warm-up, hundreds of ms of CPU on a 2-core machine), which would
 * slow whatever is timed next. Before each timed call the benchmark waits until {@code GET /metrics}
 * shows {@value #GAUGE} back at the level seen before the previous timed call, polling for at most
 * {@link #REFILL_LIMIT}; a wait that runs out is counted and the level seen then is the new level.
 */
final class PoolWatch {
  static final String GAUGE = "pilotlight_pool_runners";
  static final Duration REFILL_LIMIT = Duration.ofSeconds(10);
  /** The pool is settled when the gauge has not changed for this long. */
  static final Duration SETTLED_AFTER = Duration.ofSeconds(2);
  private static final long POLL_MS = 5;

  private final DaemonApi api;
  private double level = -1;
  private int timeouts;

  PoolWatch(DaemonApi api) {
    this.api = api;
  }

  /**
   * Waits (at most {@code limit}) until the gauge has been steady for {@link #SETTLED_AFTER}, e.g.
   * after deploys, and takes that as the level.
   */
  void settle(Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    double last = runners();
    long since = System.nanoTime();
    while (System.nanoTime() - since < SETTLED_AFTER.toNanos() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
      double now = runners();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      }
    }
    level = last;
  }

  /** Waits until the pool is back at its level (see the class comment). */
  void awaitRefilled() throws IOException, InterruptedException {
    if (level < 0) {
      settle(REFILL_LIMIT);
      return;
    }
    long deadline = System.nanoTime() + REFILL_LIMIT.toNanos();
    double now = runners();
    while (now < level) {
      if (System.nanoTime() > deadline) {
        timeouts++;
        break;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
      now = runners();
    }
    level = now;
  }

  /** Waits that ran out after {@link #REFILL_LIMIT} so far. */
  int timeouts() {
    return timeouts;
  }

  double level() {
    return level;
  }

  private double runners() throws IOException {
    return gauge(api.metrics(), GAUGE).orElse(0);
  }

  /**
   * The value of a metric in Prometheus' text format: the sum of its samples (with or without
   * labels), or empty when it has none.
   */
  static OptionalDouble gauge(String metricsText, String name) {
    double sum = 0;
    boolean found = false;
    for (String line : metricsText.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name) || line.length() == name.length()) {
        continue;
      }
      char next = line.charAt(name.length());
      if (next != ' ' && next != '{') {
        continue; // another metric whose name starts with this one
      }
      String rest = next == '{' ? line.substring(line.indexOf('}', name.length()) + 1) : line.substring(name.length());
      String[] parts = rest.strip().split("\\s+");
      try {
        sum += Double.parseDouble(parts[0]);
        found = true;
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }
}
