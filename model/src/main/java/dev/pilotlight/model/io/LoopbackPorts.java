package dev.pilotlight.model.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/** Ports on the loopback interface for a process or server that cannot bind port 0 itself. */
public final class LoopbackPorts {
  /**
   * How long a port handed out is not handed out again by this process: longer than a process takes
   * to start and bind it (an instance's boot is limited by its init timeout, seconds; an app's JVM
   * binds within one). Without it, two instances starting at once (a burst, or a cold start beside
   * an AOT training run) could be told the same port the kernel had just found free for both, and
   * the second's readiness probe would reach the first's server.
   */
  static final long RESERVED_NANOS = 60_000_000_000L;
  private static final int TRIES = 64;
  /** Ports handed out lately, with when (insertion order: the oldest first). */
  private static final Map<Integer, Long> handedOut = new LinkedHashMap<>();

  private LoopbackPorts() {}

  /**
   * A TCP port that was free on the loopback address a moment ago and that this process has not
   * handed out in the last {@link #RESERVED_NANOS}. Another process may take it before the caller
   * binds it; callers that start a server on it retry or report that.
   */
  public static int freePort() throws IOException {
    int port = 0;
    for (int i = 0; i < TRIES; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      if (reserve(port, System.nanoTime())) {
        return port;
      }
    }
    return port; // every try was handed out lately (thousands of ports at once): the kernel's last word
  }

  /** Records {@code port} as handed out at {@code now}; false if it was, within the reservation. */
  static synchronized boolean reserve(int port, long now) {
    handedOut.values().removeIf(at -> now - at > RESERVED_NANOS);
    if (handedOut.containsKey(port)) {
      return false;
    }
    handedOut.put(port, now);
    return true;
  }
}
