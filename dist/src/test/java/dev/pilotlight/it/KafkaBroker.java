package dev.pilotlight.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's own broker for the tests, from Maven Central ({@code org.apache.kafka:kafka_2.13}, test
 * scope, never in the daemon's lib): one node in KRaft mode (broker and controller in one process,
 * no ZooKeeper) in a JVM of its own, on the test's class path, listening on 127.0.0.1 on free ports,
 * with its log directory in a temporary directory. The storage is formatted first with Kafka's
 * {@code kafka.tools.StorageTool} (what {@code kafka-storage.sh format} runs) and a random cluster id;
 * {@link #close} stops the process and removes the directory. About 5 s to start on two cores.
 */
final class KafkaBroker implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  static {
    // the clients' INFO lines (a configuration dump per client, one line per reconnection attempt) drown the test output
    String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
    if (System.getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
  }

  final Path dir;
  final int port;
  private Process process;

  private KafkaBroker(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static KafkaBroker start() throws Exception {
    Path dir = Files.createTempDirectory("pl-kafka-");
    int port = freePort();
    int controller = freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(config, dev.pilotlight.bench.KafkaBrokerProcess.serverProperties(dir.resolve("data"), port, controller));
    Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString())
        .redirectOutput(dir.resolve("format.log").toFile()).redirectErrorStream(true).start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IllegalStateException("kafka-storage format failed:\n" + Files.readString(dir.resolve("format.log")));
    }
    KafkaBroker b = new KafkaBroker(dir, port);
    b.run();
    return b;
  }

  /** Starts the broker's process (on the formatted storage) and waits until it answers. */
  private void run() throws Exception {
    Path config = dir.resolve("server.properties");
    Path log = dir.resolve("broker.log");
    Process p = java("kafka.Kafka", config.toString()).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true)
        .start();
    process = p;
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (true) {
      if (!p.isAlive()) {
        String out = Files.readString(log);
        close();
        throw new IllegalStateException("the Kafka broker exited (" + p.exitValue() + "):\n" + tail(out));
      }
      if (System.nanoTime() > deadline) {
        String out = Files.readString(log);
        close();
        throw new IllegalStateException("the Kafka broker did not answer in " + START_LIMIT.toSeconds() + " s:\n" + tail(out));
      }
      if (listening()) {
        try (Admin a = admin()) {
          a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          return;
        } catch (Exception notYet) {
          // the port is open before the broker serves
        }
      }
      Thread.sleep(200);
    }
  }

  private boolean listening() {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the broker's process; {@link #resume} starts it again with its data. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  void resume() throws Exception {
    run();
  }

  private static ProcessBuilder java(String main, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms128m", "-Xmx512m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(String s) {
    return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    return Admin.create(p);
  }

  void createTopic(String name, int partitions) throws Exception {
    try (Admin a = admin()) {
      a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** The offsets committed for {@code group}, summed over its partitions (0: none). */
  long committed(String group) throws Exception {
    try (Admin a = admin()) {
      Map<TopicPartition, OffsetAndMetadata> m = a.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return m.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }
  }

  /** How many members of {@code group} have partitions assigned (0: none, or no such group). */
  int membersWithPartitions(String group) throws Exception {
    try (Admin a = admin()) {
      return (int) a.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS).members().stream()
          .filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
    }
  }

  /** Whether the broker knows {@code group} (a consumer group that was not deleted). */
  boolean hasGroup(String group) throws Exception {
    try (Admin a = admin()) {
      return a.listGroups().all().get(10, TimeUnit.SECONDS).stream().anyMatch(g -> g.groupId().equals(group));
    }
  }

  KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** Sends each of {@code values} to {@code partition} (null: by key, none given) and waits for the broker's acknowledgements. */
  void produce(String topic, Integer partition, String... values) throws Exception {
    try (KafkaProducer<String, String> p = producer()) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (String v : values) {
        sent.add(p.send(new ProducerRecord<>(topic, partition, null, v)));
      }
      for (var f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Sends each of {@code values} to {@code partition} with {@code key}, in order, and waits for the broker's acknowledgements. */
  void produceKeyed(String topic, int partition, String key, String... values) throws Exception {
    try (KafkaProducer<String, String> p = producer()) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (String v : values) {
        sent.add(p.send(new ProducerRecord<>(topic, partition, key, v)));
      }
      for (var f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
