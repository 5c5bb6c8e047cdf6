package dev.pilotlight.model.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on the loopback interface for a process or server that cannot bind port 0 itself. */
public final class LoopbackPorts {
  private LoopbackPorts() {}

  /**
   * A TCP port that was free on the loopback address a moment ago. Another process may take it
   * before the caller binds it; callers that start a server on it retry or report that.
   */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
