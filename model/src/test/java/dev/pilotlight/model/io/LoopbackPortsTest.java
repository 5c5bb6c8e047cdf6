package dev.pilotlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
  @Test
  void thePortCanBeBoundOnLoopback() throws IOException {
    int port = LoopbackPorts.freePort();

    assertThat(port).isBetween(1, 65535);
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  /** Ports handed out and not bound yet (instances still starting) are not handed out twice. */
  @Test
  void aPortHandedOutIsNotHandedOutAgainWhileItsProcessStarts() throws IOException {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      assertThat(seen.add(LoopbackPorts.freePort())).as("handed out twice, attempt %d", i).isTrue();
    }
  }

  @Test
  void theReservationLapses() {
    long t = 1_000_000_000_000L;
    assertThat(LoopbackPorts.reserve(1, t)).isTrue();
    assertThat(LoopbackPorts.reserve(1, t + LoopbackPorts.RESERVED_NANOS)).as("still reserved").isFalse();
    assertThat(LoopbackPorts.reserve(1, t + LoopbackPorts.RESERVED_NANOS + 1)).as("lapsed").isTrue();
  }
}
