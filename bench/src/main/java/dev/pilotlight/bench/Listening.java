package dev.pilotlight.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waiting for a process the benchmark started to accept connections on its loopback port. */
final class Listening {
  private Listening() {}

  /**
   * Returns once 127.0.0.1:{@code port} accepts a connection; kills {@code process} and fails with
   * {@code failure} (what it was and where its output is) if it exits or {@code limit} passes first.
   */
  static void await(Process process, int port, Duration limit, String failure) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new BenchFailure(failure);
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
  }
}
