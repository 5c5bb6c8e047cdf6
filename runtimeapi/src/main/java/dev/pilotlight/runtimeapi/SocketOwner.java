package dev.pilotlight.runtimeapi;

import java.net.InetSocketAddress;

/**
 * Who serves a loopback port: the uid owning the server end of a TCP connection this process
 * opened to it. An accepted connection belongs to the uid that opened the listening socket, so
 * this names the listener's owner — how the daemon knows that what answers an {@code http}
 * instance's port is that instance's app (which runs as its sandbox's uid) and not another
 * process that bound the port first. Asked of the kernel for that connection alone (see
 * {@link SockDiag}), else read from {@code /proc/net/tcp}.
 */
public final class SocketOwner {
  /** The owner could not be found (the connection is gone, or neither the kernel nor the tables could be asked). */
  public static final int UNKNOWN = PeerCredentials.UNKNOWN;

  private SocketOwner() {}

  /**
   * The uid owning the server end of the connection from {@code client} (this process's end) to
   * {@code server}, or {@link #UNKNOWN}.
   */
  public static int ofServerEnd(InetSocketAddress server, InetSocketAddress client) {
    return PeerCredentials.uidOf(server, client);
  }
}
