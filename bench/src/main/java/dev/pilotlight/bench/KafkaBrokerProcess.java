package dev.pilotlight.bench;

import java.io.IOException;
import java.net.InetAddress;
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
 * A Kafka broker for {@code bench events}: Kafka's own ({@code org.apache.kafka:kafka_2.13} from
 * Maven Central, resolved with the project's Maven wrapper as the test scope of the {@code dist}
 * module, which is where the integration tests get it; never in the daemon's lib), one KRaft node
 * (broker and controller) in a JVM of its own on 127.0.0.1 and free ports, its storage formatted
 * first in a temporary directory. {@link #close} stops it and removes the directory.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  final int port;
  private final Path dir;
  private final Process process;

  private KafkaBrokerProcess(int port, Path dir, Process process) {
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The class path holding Kafka's broker: the {@code dist} module's test class path, from the Maven wrapper at {@code root}. */
  static String resolveClassPath(Path root) throws IOException, InterruptedException {
    Path out = Files.createTempFile("pilotlight-kafka-cp-", ".txt");
    try {
      List<String> cmd = List.of(root.resolve("mvnw").toString(), "-q", "-B", "-pl", "dist", "dependency:build-classpath",
          "-Dmdep.includeScope=test", "-Dmdep.outputFile=" + out);
      Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("the Maven wrapper could not resolve Kafka's broker (" + String.join(" ", cmd) + "):\n" + tail(log));
      }
      String cp = Files.readString(out).strip();
      if (!cp.contains("kafka_2.13")) {
        throw new IOException("the dist module's test class path has no kafka_2.13");
      }
      return cp;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static KafkaBrokerProcess start(String classPath) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("pilotlight-bench-kafka-");
    int port = freePort();
    int controller = freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(config, serverProperties(dir.resolve("data"), port, controller));
    String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
    Process format = java(classPath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString())
        .redirectOutput(dir.resolve("format.log").toFile()).redirectErrorStream(true).start();
    if (!format.waitFor(90, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IOException("formatting Kafka's storage failed:\n" + tail(Files.readString(dir.resolve("format.log"))));
    }
    Path log = dir.resolve("broker.log");
    Process p = java(classPath, "kafka.Kafka", config.toString()).redirectOutput(log.toFile()).redirectErrorStream(true).start();
    KafkaBrokerProcess broker = new KafkaBrokerProcess(port, dir, p);
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!listening(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        broker.close();
        throw new IOException("the Kafka broker did not start:\n" + tail(Files.readString(log)));
      }
      Thread.sleep(200);
    }
    return broker;
  }

  /**
   * A one-node KRaft configuration (broker and controller in one process) on 127.0.0.1: {@code port}
   * for clients, {@code controller} for the controller, {@code logDirs} for the data; the test's
   * {@code KafkaBroker} uses it too.
   */
  public static String serverProperties(Path logDirs, int port, int controller) {
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.voters=1@127.0.0.1:" + controller,
        "log.dirs=" + logDirs,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "") + "\n";
  }

  private static ProcessBuilder java(String classPath, String main, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms128m", "-Xmx512m",
        "-XX:+UseSerialGC", "-cp", classPath, main));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(String s) {
    return s.length() <= 3000 ? s : s.substring(s.length() - 3000);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }
}
