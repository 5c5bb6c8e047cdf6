package dev.pilotlight.runtimeapi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The uid that owns the other end of a loopback TCP connection, from Linux's {@code /proc/net/tcp}
 * and {@code /proc/net/tcp6} (the row whose local address is the peer's and whose remote address is
 * ours): how an endpoint knows that the process calling it runs as its instance's sandbox uid. A
 * JVM's sockets are IPv6 ones, listed in {@code tcp6} with IPv4-mapped addresses.
 */
final class PeerCredentials {
  /** The owner is unknown (not Linux, the row is gone, or the file is unreadable). */
  static final int UNKNOWN = -1;

  private PeerCredentials() {}

  /**
   * Asked of the kernel for this connection alone ({@link SockDiag}); where it cannot be asked,
   * from the tables, which list every socket on the machine and take milliseconds to read.
   */
  static int uidOf(InetSocketAddress peer, InetSocketAddress local) {
    if (SockDiag.available()) {
      try {
        int uid = SockDiag.uidOf(peer, local);
        if (uid != UNKNOWN) {
          return uid;
        }
        // Not found: the connection is gone, or the kernel has no diag handler for TCP (the same
        // ENOENT); the tables tell them apart, and a refusal is rare enough to afford them.
      } catch (IllegalStateException e) {
        // the tables below
      }
    }
    return uidFromTables(peer, local);
  }

  /** From {@code /proc/net/tcp} and {@code tcp6}. */
  static int uidFromTables(InetSocketAddress peer, InetSocketAddress local) {
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        int uid = uidIn(Files.readString(Path.of(table), StandardCharsets.US_ASCII), peer, local);
        if (uid != UNKNOWN) {
          return uid;
        }
      } catch (IOException | SecurityException e) {
        // not Linux, or no IPv6: try the next
      }
    }
    return UNKNOWN;
  }

  /** The uid column of the row of {@code table} (the text of {@code /proc/net/tcp} or {@code tcp6}) for the connection peer → local. */
  static int uidIn(String table, InetSocketAddress peer, InetSocketAddress local) {
    byte[] from = ipv4(peer);
    byte[] to = ipv4(local);
    if (from == null || to == null) {
      return UNKNOWN;
    }
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (f.length > 7 && matches(f[1], from, peer.getPort()) && matches(f[2], to, local.getPort())) {
        try {
          return Integer.parseInt(f[7]);
        } catch (NumberFormatException e) {
          return UNKNOWN;
        }
      }
    }
    return UNKNOWN;
  }

  /**
   * Whether the kernel's {@code ADDRESS:PORT} (the address as 32-bit words in host order, x86:
   * little-endian; IPv4, or IPv6 that maps an IPv4 address) is {@code ip}:{@code port}.
   */
  static boolean matches(String field, byte[] ip, int port) {
    int colon = field.indexOf(':');
    if (colon < 0) {
      return false;
    }
    int p;
    try {
      p = Integer.parseInt(field.substring(colon + 1), 16);
    } catch (NumberFormatException e) {
      return false;
    }
    if (p != port) {
      return false;
    }
    String addr = field.substring(0, colon);
    if (addr.length() == 32) { // IPv6: ::ffff:a.b.c.d is words 0, 0, 0xffff0000 (in host order), then the IPv4 word
      if (!addr.startsWith("0000000000000000FFFF0000")) {
        return false;
      }
      addr = addr.substring(24);
    }
    return addr.length() == 8 && Arrays.equals(littleEndian(addr), ip);
  }

  private static byte[] littleEndian(String hex8) {
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      b[3 - i] = (byte) Integer.parseInt(hex8.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  /** The IPv4 address of {@code a} (an IPv4-mapped IPv6 one included), or null. */
  static byte[] ipv4(InetSocketAddress a) {
    byte[] ip = a == null || a.getAddress() == null ? null : a.getAddress().getAddress();
    if (ip == null) {
      return null;
    }
    if (ip.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (ip[i] != 0) {
          return null;
        }
      }
      return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff ? Arrays.copyOfRange(ip, 12, 16) : null;
    }
    return ip.length == 4 ? ip : null;
  }
}
