package dev.pilotlight.server;

/** A running daemon: its port, and a way to stop it (tests start one in-process on port 0). */
public interface Daemon extends AutoCloseable {
  int port();

  /** Stops serving, stops every instance, closes the stores. */
  @Override
  void close();
}
