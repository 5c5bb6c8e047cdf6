package dev.pilotlight.runtimeapi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

/**
 * The owner of one TCP connection, asked of the kernel directly: a {@code SOCK_DIAG_BY_FAMILY}
 * request over a {@code NETLINK_SOCK_DIAG} socket for exactly that connection (its four addresses
 * and ports), as {@code ss} asks. Reading {@code /proc/net/tcp} and {@code tcp6} instead makes the
 * kernel print every socket on the machine: 2–7 ms here with a hundred sockets, more with many, on
 * every instance's first Runtime API connection (a cold start). This takes a few tens of
 * microseconds whatever the number of sockets.
 *
 * <p>Linux only, through the JDK's foreign function API (libc's {@code socket}, {@code sendto},
 * {@code recv}, {@code close}); where any of it is missing {@link #available()} is false and the
 * caller reads the tables. The kernel answers the request while {@code sendto} runs, so the
 * {@code recv} does not wait ({@code MSG_DONTWAIT}): this never blocks the event loop it runs on.
 */
final class SockDiag {
  private static final int AF_INET = 2;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int IPPROTO_TCP = 6;
  private static final short SOCK_DIAG_BY_FAMILY = 20;
  private static final short NLM_F_REQUEST = 1;
  private static final short NLMSG_ERROR = 2;
  private static final int MSG_DONTWAIT = 0x40;
  /** nlmsghdr (16 bytes) and inet_diag_req_v2 (8 bytes, then inet_diag_sockid: 48). */
  private static final int REQUEST_BYTES = 72;
  /** Where inet_diag_msg's idiag_uid is in the answer: after nlmsghdr (16) and 64 bytes of the message. */
  private static final int UID_OFFSET = 80;

  private static final ValueLayout.OfInt HOST_INT = JAVA_INT.withOrder(ByteOrder.nativeOrder());
  private static final ValueLayout.OfShort HOST_SHORT = JAVA_SHORT.withOrder(ByteOrder.nativeOrder());
  private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

  private static final MethodHandle SOCKET;
  private static final MethodHandle SENDTO;
  private static final MethodHandle RECV;
  private static final MethodHandle CLOSE;

  static {
    MethodHandle socket = null;
    MethodHandle sendto = null;
    MethodHandle recv = null;
    MethodHandle close = null;
    if (System.getProperty("os.name", "").startsWith("Linux")) {
      try {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        socket = linker.downcallHandle(libc.find("socket").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        sendto = linker.downcallHandle(libc.find("sendto").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        recv = linker.downcallHandle(libc.find("recv").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
      } catch (RuntimeException | LinkageError e) {
        // no native access here (another OS, a JVM that denies it): the caller reads the tables
        socket = null;
      }
    }
    SOCKET = socket;
    SENDTO = sendto;
    RECV = recv;
    CLOSE = close;
  }

  private SockDiag() {}

  /** TCP_LISTEN in inet_diag_msg's idiag_state. */
  private static final int TCP_LISTEN = 10;
  private static final int AF_INET6 = 10;

  /**
   * Whether the answer (an inet_diag_msg after its nlmsghdr) is a socket that is not listening,
   * with the ports and IPv4 addresses asked about: an IPv4 socket's at the start of idiag_src and
   * idiag_dst, an IPv6 one's (IPv4-mapped) in their last word.
   */
  static boolean isTheConnection(MemorySegment answer, byte[] src, int sport, byte[] dst, int dport) {
    int family = answer.get(JAVA_BYTE, 16);
    int state = answer.get(JAVA_BYTE, 17);
    if (state == TCP_LISTEN || (answer.get(NET_SHORT, 20) & 0xffff) != sport || (answer.get(NET_SHORT, 22) & 0xffff) != dport) {
      return false;
    }
    int word = family == AF_INET ? 0 : family == AF_INET6 ? 12 : -1;
    if (word < 0) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      if (answer.get(JAVA_BYTE, 24 + word + i) != src[i] || answer.get(JAVA_BYTE, 40 + word + i) != dst[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Asks once about a connection that does not exist, so that the native calls are linked and their
   * code loaded before a cold start needs them (the first query takes ~100 ms, later ones well under one).
   */
  static void warmUp() {
    if (available()) {
      try {
        InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        uidOf(nowhere, nowhere);
      } catch (IllegalStateException e) {
        // it will fall back to the tables then
      }
    }
  }

  /** Whether the kernel can be asked here. */
  static boolean available() {
    return SOCKET != null;
  }

  /**
   * The uid owning the local end of the IPv4 (or IPv4-mapped) TCP connection {@code from} →
   * {@code to} on this machine; {@link PeerCredentials#UNKNOWN} when there is no such connection.
   *
   * @throws IllegalStateException when the kernel could not be asked (no netlink socket, an error
   *     other than "no such connection"): the caller falls back to the tables
   */
  static int uidOf(InetSocketAddress from, InetSocketAddress to) {
    byte[] src = PeerCredentials.ipv4(from);
    byte[] dst = PeerCredentials.ipv4(to);
    if (!available() || src == null || dst == null) {
      throw new IllegalStateException("sock_diag: not available for " + from + " -> " + to);
    }
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) SOCKET.invokeExact(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
      if (fd < 0) {
        throw new IllegalStateException("sock_diag: no netlink socket");
      }
      try {
        MemorySegment req = arena.allocate(REQUEST_BYTES, 8);
        req.set(HOST_INT, 0, REQUEST_BYTES); // nlmsg_len
        req.set(HOST_SHORT, 4, SOCK_DIAG_BY_FAMILY); // nlmsg_type
        req.set(HOST_SHORT, 6, NLM_F_REQUEST); // one connection, not a dump
        req.set(HOST_INT, 8, 1); // nlmsg_seq
        req.set(JAVA_BYTE, 16, (byte) AF_INET); // sdiag_family: a v4-mapped IPv6 socket is found by its IPv4 addresses too
        req.set(JAVA_BYTE, 17, (byte) IPPROTO_TCP);
        req.set(HOST_INT, 20, -1); // idiag_states: any
        req.set(NET_SHORT, 24, (short) from.getPort()); // idiag_sport
        req.set(NET_SHORT, 26, (short) to.getPort()); // idiag_dport
        MemorySegment.copy(src, 0, req, JAVA_BYTE, 28, 4); // idiag_src[0]
        MemorySegment.copy(dst, 0, req, JAVA_BYTE, 44, 4); // idiag_dst[0]
        req.set(HOST_INT, 64, -1); // idiag_cookie: INET_DIAG_NOCOOKIE
        req.set(HOST_INT, 68, -1);
        MemorySegment kernel = arena.allocate(12, 4); // sockaddr_nl: the kernel (nl_pid 0)
        kernel.set(HOST_SHORT, 0, (short) AF_NETLINK);
        long sent = (long) SENDTO.invokeExact(fd, req, (long) REQUEST_BYTES, 0, kernel, 12);
        if (sent != REQUEST_BYTES) {
          throw new IllegalStateException("sock_diag: the request was not sent");
        }
        MemorySegment answer = arena.allocate(1024, 8);
        long got = (long) RECV.invokeExact(fd, answer, 1024L, MSG_DONTWAIT);
        if (got < 20) {
          throw new IllegalStateException("sock_diag: no answer");
        }
        short type = answer.get(HOST_SHORT, 4);
        if (type == NLMSG_ERROR) {
          int error = answer.get(HOST_INT, 16);
          if (error == -2) { // ENOENT: no such connection
            return PeerCredentials.UNKNOWN;
          }
          throw new IllegalStateException("sock_diag: error " + error);
        }
        if (type != SOCK_DIAG_BY_FAMILY || got < UID_OFFSET + 4) {
          throw new IllegalStateException("sock_diag: unexpected answer of type " + type);
        }
        // The kernel's lookup falls back to a listening socket on the address and port asked about
        // (its remote end unchecked): only the connection itself, both ends as asked, answers.
        if (!isTheConnection(answer, src, from.getPort(), dst, to.getPort())) {
          return PeerCredentials.UNKNOWN;
        }
        return answer.get(HOST_INT, UID_OFFSET);
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (IllegalStateException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("sock_diag: " + t, t);
    }
  }
}
