package dev.pilotlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
}
