package dev.pilotlight.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PeerCredentialsTest {
  static final String TCP = """
        sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
         1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 200007        0 2 1 0 20 4 30 10 -1
         2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
      """;
  static final String TCP6 = """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 0000000000000000FFFF00000100007F:C351 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000 200009        0 4 1
         1: 00000000000000000000000001000000:C352 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000 5        0 5 1
      """;

  static InetSocketAddress loopback(int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
  }

  @Test
  void theRowOfThePeersEndGivesItsUid() throws Exception {
    // the client end (50000 → 8080) belongs to uid 200007; the server end (8080 → 50000) is the daemon's
    assertThat(PeerCredentials.uidIn(TCP, loopback(50000), loopback(8080))).isEqualTo(200007);
    assertThat(PeerCredentials.uidIn(TCP, loopback(50001), loopback(8080))).isEqualTo(PeerCredentials.UNKNOWN);
  }

  @Test
  void anIpv6SocketConnectedToAnIpv4AddressIsListedWithAMappedAddress() throws Exception {
    assertThat(PeerCredentials.uidIn(TCP6, loopback(50001), loopback(8080))).isEqualTo(200009);
    // ::1 is not 127.0.0.1
    assertThat(PeerCredentials.uidIn(TCP6, loopback(50002), loopback(8080))).isEqualTo(PeerCredentials.UNKNOWN);
  }

  @Test
  void aRealLoopbackConnectionIsOwnedByThisProcesssUid() throws Exception {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        Socket client = new Socket("127.0.0.1", server.getLocalPort());
        Socket accepted = server.accept()) {
      assertThat(PeerCredentials.uidOf((InetSocketAddress) accepted.getRemoteSocketAddress(),
          (InetSocketAddress) accepted.getLocalSocketAddress())).isEqualTo(uid);
      assertThat(client.isConnected()).isTrue();
    }
  }

  @Test
  void theKernelIsAskedForTheOneConnectionWhateverTheSocketsFamily() throws Exception {
    Assumptions.assumeTrue(SockDiag.available(), "sock_diag needs Linux and the JDK's native access");
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    // a JVM's Socket is an IPv6 socket connected to an IPv4-mapped address; python's and node's are IPv4 ones
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(loopback(0));
        Socket dualStack = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
        SocketChannel dualStackAccepted = server.accept();
        SocketChannel ipv4 = SocketChannel.open(StandardProtocolFamily.INET);
        SocketChannel ipv4Accepted = connect(ipv4, server)) {
      for (SocketChannel accepted : new SocketChannel[] {dualStackAccepted, ipv4Accepted}) {
        InetSocketAddress peer = (InetSocketAddress) accepted.getRemoteAddress();
        InetSocketAddress local = (InetSocketAddress) accepted.getLocalAddress();
        assertThat(SockDiag.uidOf(peer, local)).isEqualTo(uid).isEqualTo(PeerCredentials.uidFromTables(peer, local));
      }
      InetSocketAddress local = (InetSocketAddress) dualStackAccepted.getLocalAddress();
      assertThat(SockDiag.uidOf(loopback(1), local)).as("no such connection").isEqualTo(PeerCredentials.UNKNOWN);
      assertThat(dualStack.isConnected()).isTrue();
    }
  }

  private static SocketChannel connect(SocketChannel client, ServerSocketChannel server) throws Exception {
    client.connect(server.getLocalAddress());
    return server.accept();
  }

  @Test
  void aConnectionOfAnotherUidIsThatUids() throws Exception {
    Assumptions.assumeTrue(SockDiag.available(), "sock_diag needs Linux and the JDK's native access");
    Assumptions.assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "needs root to run as another uid");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")), "needs setpriv and python3");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(loopback(0))) {
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      Process other = new ProcessBuilder("/usr/bin/setpriv", "--reuid", "54321", "--regid", "54321", "--clear-groups", "/usr/bin/python3", "-c",
          "import socket,sys,time; s=socket.create_connection(('127.0.0.1'," + port + ")); sys.stdin.read()").start();
      try (SocketChannel accepted = server.accept()) {
        InetSocketAddress peer = (InetSocketAddress) accepted.getRemoteAddress();
        InetSocketAddress local = (InetSocketAddress) accepted.getLocalAddress();
        assertThat(PeerCredentials.uidOf(peer, local)).isEqualTo(54321).isEqualTo(PeerCredentials.uidFromTables(peer, local));
      } finally {
        other.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** An inet_diag answer: nlmsghdr, then family, state, and the socket id with ports and addresses in network order. */
  private static java.lang.foreign.MemorySegment answer(int family, int state, int sport, int dport, int wordOffset) {
    var a = java.lang.foreign.Arena.ofAuto().allocate(96);
    a.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 16, (byte) family);
    a.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 17, (byte) state);
    var net = java.lang.foreign.ValueLayout.JAVA_SHORT.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    a.set(net, 20, (short) sport);
    a.set(net, 22, (short) dport);
    byte[] lo = {127, 0, 0, 1};
    for (int i = 0; i < 4; i++) {
      a.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 24 + wordOffset + i, lo[i]);
      a.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 40 + wordOffset + i, lo[i]);
    }
    return a;
  }

  @Test
  void onlyTheConnectionAskedAboutAnswersNotAListenerOnItsPort() {
    byte[] lo = {127, 0, 0, 1};
    int established = 1;
    assertThat(SockDiag.isTheConnection(answer(2, established, 50000, 8080, 0), lo, 50000, lo, 8080)).isTrue();
    assertThat(SockDiag.isTheConnection(answer(10, established, 50000, 8080, 12), lo, 50000, lo, 8080)).as("IPv4-mapped").isTrue();
    // the kernel's lookup falls back to a socket listening on the port asked about: not the connection
    assertThat(SockDiag.isTheConnection(answer(2, 10, 50000, 0, 0), lo, 50000, lo, 8080)).isFalse();
    assertThat(SockDiag.isTheConnection(answer(2, established, 50000, 8081, 0), lo, 50000, lo, 8080)).isFalse();
    assertThat(SockDiag.isTheConnection(answer(2, established, 50001, 8080, 0), lo, 50000, lo, 8080)).isFalse();
    assertThat(SockDiag.isTheConnection(answer(10, established, 50000, 8080, 0), lo, 50000, lo, 8080)).as("v6 not mapped").isFalse();
  }
}
