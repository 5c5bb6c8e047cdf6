package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples a function's live status ({@code GET /api/v1/functions/NAME}) every {@link #EVERY} on a
 * thread of its own: ready, starting, in-flight, queued, the autoscaler's desired count and panic.
 */
final class InstanceWatch implements AutoCloseable {
  static final Duration EVERY = Duration.ofMillis(100);

  /** One reading, {@code atMs} after the watch's origin; {@code desired} is -1 before the autoscaler's first decision. */
  record Sample(long atMs, int ready, int starting, int inFlight, int queued, int desired, boolean panicking) {}

  private final DaemonApi api;
  private final String function;
  private final long originNanos;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopped;

  private InstanceWatch(DaemonApi api, String function, long originNanos) {
    this.api = api;
    this.function = function;
    this.originNanos = originNanos;
    this.thread = Thread.ofPlatform().daemon().name("instance-watch").start(this::poll);
  }

  /** Starts watching now; times are measured from {@code originNanos} ({@link System#nanoTime}). */
  static InstanceWatch start(DaemonApi api, String function, long originNanos) {
    return new InstanceWatch(api, function, originNanos);
  }

  private void poll() {
    while (!stopped) {
      try {
        JsonNode s = api.status(function);
        Sample sample = new Sample((System.nanoTime() - originNanos) / 1_000_000, s.path("instances").asInt(), s.path("starting").asInt(),
            s.path("inFlight").asInt(), s.path("queued").asInt(), s.path("desired").isInt() ? s.path("desired").asInt() : -1,
            s.path("panicking").asBoolean());
        synchronized (samples) {
          samples.add(sample);
        }
        Thread.sleep(EVERY);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // a missed reading under load is a gap in the series, not a failure of the run
      }
    }
  }

  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
