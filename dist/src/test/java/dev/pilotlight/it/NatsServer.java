package dev.pilotlight.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A NATS server of the test's own ({@code nats-server}, JetStream on) on a free port of 127.0.0.1,
 * its store and log in a directory the test gives; stopped and started again on the same port and
 * store to test a restart. Extra arguments set its authorization ({@code --user/--pass},
 * {@code --auth}).
 */
final class NatsServer implements AutoCloseable {
  static final String BINARY = System.getProperty("pilotlight.nats.server", "/usr/sbin/nats-server");
  private static final Duration START_LIMIT = Duration.ofSeconds(30);

  final Path dir;
  final int port;
  private final List<String> extra;
  private Process process;

  private NatsServer(Path dir, int port, List<String> extra) {
    this.dir = dir;
    this.port = port;
    this.extra = extra;
  }

  static NatsServer start(Path dir, String... extra) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    NatsServer server = new NatsServer(dir, port, List.of(extra));
    server.startAgain();
    return server;
  }

  /** {@code nats://[USERINFO@]127.0.0.1:PORT}. */
  String url(String userInfo) {
    return "nats://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + port;
  }

  String url() {
    return url(null);
  }

  /** Starts the server (again: the same port and store) and waits until it greets a client. */
  void startAgain() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(BINARY, "-a", "127.0.0.1", "-p", String.valueOf(port), "-js", "-sd",
        dir.resolve("store").toString()));
    cmd.addAll(extra);
    Files.createDirectories(dir);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    process = p;
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!greets()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("nats-server did not start on port " + port + ":\n" + Files.readString(dir.resolve("server.log")));
      }
      Thread.sleep(50);
    }
  }

  /** True once the server sends its INFO line (its JetStream is up before it accepts clients). */
  private boolean greets() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(1000);
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(4);
      return "INFO".equals(new String(head, StandardCharsets.US_ASCII));
    } catch (IOException notYet) {
      return false;
    }
  }

  /** Stops the server (SIGTERM) and waits for it to exit; its store stays. */
  void stop() throws InterruptedException {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
