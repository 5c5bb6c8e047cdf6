package dev.pilotlight.server;

import java.time.Duration;

/** A running daemon: its port, and a way to stop it (tests start one in-process on port 0). */
public interface Daemon extends AutoCloseable {
  int port();

  /**
   * Drains a daemon about to stop (on SIGTERM): {@code /healthz} turns 503 ("draining") so a
   * readiness probe takes the node out of its Service, new requests are refused with 503 and
   * {@code Connection: close}, no async event is claimed and schedules and event sources stop;
   * requests and async events in flight go on for up to {@code limit}. Async events still running
   * then go back to the queue. Returns when nothing is in flight or the limit passed; {@link #close}
   * follows.
   */
  void drain(Duration limit);

  /** Stops serving, stops every instance, closes the stores. */
  @Override
  void close();
}
