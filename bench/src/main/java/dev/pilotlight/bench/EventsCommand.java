package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.pilotlight.cli.Main;
import dev.pilotlight.executor.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench events}: an event source mapping from RabbitMQ (the machine's broker, 127.0.0.1:5672,
 * guest/guest) against the broker's own Java client in a loop, in the same run. Throughput: a queue
 * filled with {@code --messages} messages is drained by a plain consumer (manual acknowledgements,
 * one per batch of 100, prefetch 100) and, alternately, by a mapping to a no-op python function
 * (Lambda's defaults: batches of 100, a 500 ms window), timed until the last message is acknowledged.
 * Each consumer first drains {@code --warmup} untimed rounds of the same size, as {@code bench
 * throughput} warms every target: the daemon's JIT and the function's first instances, the plain
 * consumer's JIT; they are printed apart and not in the ratio.
 * Latency: one message at a time to a function left to scale to zero before each, from publish to
 * the handler's clock (the plain consumer's publish-to-delivery beside it). See bench/README.md.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "RabbitMQ and Kafka to a function: messages per second and publish-to-handler latency from zero, against a plain "
        + "consumer of the same broker.")
final class EventsCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);

  static {
    // Kafka's clients log a configuration dump per client at INFO: not the bench's output
    String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
    if (System.getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
  }
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RECV = Pattern.compile("RECV (\\S+) (\\d+)");

  static final String SINK = """
      def handler(event, context):
          batches = event.get("rmqMessagesByQueue") or event.get("records") or {}
          return {"n": sum(len(v) for v in batches.values())}
      """;

  static final String PROBE = """
      import base64, time


      def handler(event, context):
          now = time.time_ns() // 1000
          for messages in event.get("rmqMessagesByQueue", {}).values():
              for m in messages:
                  print("RECV %s %d" % (base64.b64decode(m["data"]).decode(), now))
          return {}
      """;

  @Option(names = "--messages", paramLabel = "N", description = "Messages per throughput round (default: ${DEFAULT-VALUE}).")
  int messages = 100_000;

  @Option(names = "--rounds", paramLabel = "N", description = "Throughput rounds, the two consumers alternated (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--warmup", paramLabel = "N", description = "Untimed rounds each consumer drains first, shown apart and not in the ratio "
      + "(default: ${DEFAULT-VALUE}; 0: none).")
  int warmup = 1;

  @Option(names = "--latency-samples", paramLabel = "N", description = "Messages sent one at a time from zero instances (default: ${DEFAULT-VALUE}).")
  int samples = 15;

  @Option(names = "--no-kafka", description = "Leave Kafka out. By default the throughput rounds run again from a Kafka topic, against "
      + "Kafka's own consumer (the broker is Kafka's own, started from Maven Central's jars unless --kafka-bootstrap names one).")
  boolean noKafka;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT", description = "A Kafka broker to use instead of starting one.")
  String kafkaBootstrap;

  @Option(names = "--json", description = "Print the figures as JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/events.json).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  EventsCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws Exception {
    if (messages < 100 || rounds < 1 || samples < 1 || warmup < 0) {
      throw new BenchFailure("--messages >= 100, --rounds >= 1, --warmup >= 0, --latency-samples >= 1 (see --help)");
    }
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    Path sink = Files.createTempDirectory("pilotlight-events-sink-");
    Files.writeString(sink.resolve("app.py"), SINK);
    Path probe = Files.createTempDirectory("pilotlight-events-probe-");
    Files.writeString(probe.resolve("app.py"), PROBE);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    List<double[]> plain = new ArrayList<>(); // {seconds, msgs/s}
    List<double[]> mapped = new ArrayList<>();
    List<Double> latencyMs = new ArrayList<>();
    List<Double> plainLatencyMs = new ArrayList<>();
    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
    Thread hook = new Thread(daemon::close, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Connection rabbit = factory.newConnection("pilotlight-bench")) {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      api.deploy(sink, List.of("--name", "sink", "--runtime", "python", "--handler", "app.handler"));
      api.deploy(probe, List.of("--name", "probe", "--runtime", "python", "--handler", "app.handler", "--idle-timeout", "1s",
          "--scale-down-delay", "0s", "--keep-alive", "fixed"));
      for (int r = -warmup; r < rounds; r++) {
        boolean plainFirst = r % 2 == 0;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == plainFirst) {
            double[] got = plainRound(rabbit);
            (r < 0 ? warmPlain : plain).add(got);
            stderr.printf(Locale.ROOT, "%s: plain consumer %.0f messages/s%n", roundName(r), got[1]);
          } else {
            double[] got = mappedRound(rabbit, daemon, api);
            (r < 0 ? warmMapped : mapped).add(got);
            stderr.printf(Locale.ROOT, "%s: event source mapping %.0f messages/s%n", roundName(r), got[1]);
          }
        }
      }
      latency(rabbit, daemon, api, latencyMs, plainLatencyMs);
      if (!noKafka) {
        kafkaRounds(daemon, paths.root());
      }
    } finally {
      BenchOutput.stop(daemon, hook);
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("messages", messages);
    root.putPOJO("plainMessagesPerSecond", plain.stream().map(x -> x[1]).toList());
    root.putPOJO("mappingMessagesPerSecond", mapped.stream().map(x -> x[1]).toList());
    root.put("warmupRounds", warmup);
    root.putPOJO("warmupPlainMessagesPerSecond", warmPlain.stream().map(x -> x[1]).toList());
    root.putPOJO("warmupMappingMessagesPerSecond", warmMapped.stream().map(x -> x[1]).toList());
    root.putPOJO("publishToHandlerMsFromZero", latencyMs);
    root.putPOJO("plainPublishToDeliveryMs", plainLatencyMs);
    if (!kafkaPlain.isEmpty()) {
      root.putPOJO("kafkaPlainMessagesPerSecond", kafkaPlain.stream().map(x -> x[1]).toList());
      root.putPOJO("kafkaMappingMessagesPerSecond", kafkaMapped.stream().map(x -> x[1]).toList());
      root.putPOJO("kafkaWarmupPlainMessagesPerSecond", warmKafkaPlain.stream().map(x -> x[1]).toList());
      root.putPOJO("kafkaWarmupMappingMessagesPerSecond", warmKafkaMapped.stream().map(x -> x[1]).toList());
    }
    if (kafkaSkipped != null) {
      root.put("kafkaSkipped", kafkaSkipped);
    }
    root.put("machine", machine());
    String jsonText = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    BenchOutput.finish(stdout, out != null ? out : paths.root().resolve("bench-results/events.json"), jsonText, json,
        table(plain, mapped, latencyMs, plainLatencyMs));
    return 0;
  }

  private String fill(Channel ch) throws Exception {
    String q = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    ch.queueDeclare(q, false, false, false, null);
    ch.confirmSelect();
    byte[] body = ("{\"order\":12345,\"item\":\"" + "x".repeat(60) + "\"}").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < messages; i++) {
      ch.basicPublish("", q, null, body);
    }
    ch.waitForConfirmsOrDie(60_000);
    return q;
  }

  /** The broker's own client draining a full queue: prefetch 100, one acknowledgement per 100. */
  private double[] plainRound(Connection rabbit) throws Exception {
    try (Channel ch = rabbit.createChannel()) {
      String q = fill(ch);
      ch.basicQos(100);
      CountDownLatch done = new CountDownLatch(1);
      AtomicInteger seen = new AtomicInteger();
      long start = System.nanoTime();
      ch.basicConsume(q, false, new DefaultConsumer(ch) {
        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) throws java.io.IOException {
          int n = seen.incrementAndGet();
          if (n % 100 == 0 || n == messages) {
            getChannel().basicAck(env.getDeliveryTag(), true);
          }
          if (n == messages) {
            done.countDown();
          }
        }
      });
      if (!done.await(5, TimeUnit.MINUTES)) {
        throw new BenchFailure("the plain consumer did not drain " + messages + " messages in 5 minutes");
      }
      double s = (System.nanoTime() - start) / 1e9;
      ch.queueDelete(q);
      return new double[] {s, messages / s};
    }
  }

  /** A mapping to the no-op function draining a full queue, timed until its last batch is acknowledged. */
  private double[] mappedRound(Connection rabbit, DaemonUnderTest daemon, DaemonApi api) throws Exception {
    try (Channel ch = rabbit.createChannel()) {
      String q = fill(ch);
      double[] r = drain(daemon, "rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=" + q);
      ch.queueDelete(q);
      return r;
    }
  }

  private final List<double[]> kafkaPlain = new ArrayList<>();
  private final List<double[]> kafkaMapped = new ArrayList<>();
  private final List<double[]> warmPlain = new ArrayList<>();
  private final List<double[]> warmMapped = new ArrayList<>();
  private final List<double[]> warmKafkaPlain = new ArrayList<>();
  private final List<double[]> warmKafkaMapped = new ArrayList<>();

  private static String roundName(int r) {
    return r < 0 ? "warm-up" : "round " + (r + 1);
  }
  private String kafkaSkipped;

  /**
   * The throughput rounds again from Kafka: a topic of one partition filled with the same messages,
   * drained by Kafka's own consumer (a commit per poll) and by a mapping ({@code start=trim_horizon})
   * to the same no-op function, alternated. Without a broker that can be had, the rounds are skipped
   * and the output says why.
   */
  private void kafkaRounds(DaemonUnderTest daemon, Path root) throws Exception {
    KafkaBrokerProcess started = null;
    String bootstrap = kafkaBootstrap;
    try {
      if (bootstrap == null) {
        stderr.println("Kafka: starting Kafka's own broker (resolving kafka_2.13 with the Maven wrapper)…");
        try {
          started = KafkaBrokerProcess.start(KafkaBrokerProcess.resolveClassPath(root));
        } catch (java.io.IOException e) {
          kafkaSkipped = e.getMessage().lines().findFirst().orElse("no broker");
          stderr.println("Kafka: skipped: " + e.getMessage());
          return;
        }
        bootstrap = started.bootstrap();
      }
      java.util.Properties ap = new java.util.Properties();
      ap.put("bootstrap.servers", bootstrap);
      ap.put("request.timeout.ms", 10_000);
      ap.put("default.api.timeout.ms", 10_000);
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(ap)) {
        for (int r = -warmup; r < rounds; r++) {
          boolean plainFirst = r % 2 == 0;
          for (int k = 0; k < 2; k++) {
            String topic = kafkaTopic(admin, bootstrap);
            if ((k == 0) == plainFirst) {
              double[] got = kafkaPlainRound(bootstrap, topic);
              (r < 0 ? warmKafkaPlain : kafkaPlain).add(got);
              stderr.printf(Locale.ROOT, "Kafka %s: plain consumer %.0f messages/s%n", roundName(r), got[1]);
            } else {
              double[] got = kafkaMappedRound(daemon, bootstrap, topic);
              (r < 0 ? warmKafkaMapped : kafkaMapped).add(got);
              stderr.printf(Locale.ROOT, "Kafka %s: event source mapping %.0f messages/s%n", roundName(r), got[1]);
            }
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
          }
        }
      }
    } finally {
      if (started != null) {
        started.close();
      }
    }
  }

  /** A new topic of one partition holding {@link #messages} records (created once the broker serves). */
  private String kafkaTopic(org.apache.kafka.clients.admin.Admin admin, String bootstrap) throws Exception {
    String topic = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw new BenchFailure("Kafka at " + bootstrap + " did not create a topic: " + e.getCause());
        }
        Thread.sleep(500); // a broker just started answers before it has a controller
      }
    }
    java.util.Properties pp = new java.util.Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("linger.ms", 5);
    String body = "{\"order\":12345,\"item\":\"" + "x".repeat(60) + "\"}";
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(pp,
        new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
      for (int i = 0; i < messages; i++) {
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, body));
      }
      producer.flush();
    }
    return topic;
  }

  /**
   * Kafka's own consumer draining the topic from its start, a commit after each poll of at most
   * Lambda's default batch size (100 records, the mapping's batch): as the mapping commits after each
   * batch, and as the RabbitMQ consumer acknowledges every 100.
   */
  private double[] kafkaPlainRound(String bootstrap, String topic) {
    java.util.Properties cp = new java.util.Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("group.id", "bench-plain-" + UUID.randomUUID());
    cp.put("auto.offset.reset", "earliest");
    cp.put("enable.auto.commit", "false");
    cp.put("max.poll.records", 100); // Lambda's default BatchSize for Kafka, the mapping's here
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(5);
    int seen = 0;
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(cp,
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (seen < messages) {
        if (System.nanoTime() > deadline) {
          throw new BenchFailure("Kafka's consumer did not drain " + messages + " records in 5 minutes");
        }
        var records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          seen += records.count();
          consumer.commitSync();
        }
      }
    }
    double s = (System.nanoTime() - start) / 1e9;
    return new double[] {s, messages / s};
  }

  /** A mapping from the topic's start to the no-op function, timed until its last batch is committed. */
  private double[] kafkaMappedRound(DaemonUnderTest daemon, String bootstrap, String topic) throws Exception {
    return drain(daemon, "kafka://" + bootstrap + "?topic=" + topic + "&start=trim_horizon");
  }

  /**
   * Maps {@code source} to the sink and times it until its {@link #messages} are handled (the
   * mapping's counters, read every 20 ms), then removes the mapping: {seconds, messages/s}.
   */
  private double[] drain(DaemonUnderTest daemon, String source) throws Exception {
    long start = System.nanoTime();
    cli(daemon, "events", "add", "sink", "--source", source);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    String uuid;
    while (true) {
      JsonNode m = events(daemon, "sink").path(0);
      uuid = m.path("uuid").asText();
      if (m.path("messages").asLong() + m.path("failedMessages").asLong() >= messages) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new BenchFailure("the mapping did not drain " + messages + " messages in 5 minutes: " + m);
      }
      Thread.sleep(20);
    }
    double s = (System.nanoTime() - start) / 1e9;
    cli(daemon, "events", "rm", "sink", uuid);
    return new double[] {s, messages / s};
  }

  /** One message at a time to the probe, each after it scaled to zero; and the plain consumer's delivery beside it. */
  private void latency(Connection rabbit, DaemonUnderTest daemon, DaemonApi api, List<Double> ms, List<Double> plainMs) throws Exception {
    try (Channel ch = rabbit.createChannel()) {
      String q = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      ch.queueDeclare(q, false, false, false, null);
      cli(daemon, "events", "add", "probe", "--source", "rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=" + q, "--batch-window", "0s");
      Map<String, Long> sent = new HashMap<>();
      for (int i = 0; i < samples; i++) {
        api.awaitScaledToZero("probe", Duration.ofSeconds(30));
        Thread.sleep(1000);
        String id = "m" + i;
        long t0 = System.currentTimeMillis() * 1000;
        ch.basicPublish("", q, null, id.getBytes(StandardCharsets.UTF_8));
        sent.put(id, t0);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!api.logs("probe", 200).contains("RECV " + id + " ") && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        stderr.printf("latency: %d/%d%n", i + 1, samples);
      }
      Matcher m = RECV.matcher(api.logs("probe", 5000));
      while (m.find()) {
        Long t0 = sent.get(m.group(1));
        if (t0 != null) {
          ms.add((Long.parseLong(m.group(2)) - t0) / 1000.0);
        }
      }
      ch.queueDelete(q);
      // the broker's own client, subscribed and waiting: publish to delivery
      String pq = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      ch.queueDeclare(pq, false, false, false, null);
      List<Long> got = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (Channel consumer = rabbit.createChannel()) {
        consumer.basicConsume(pq, true, new DefaultConsumer(consumer) {
          @Override
          public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
            got.add(System.nanoTime());
          }
        });
        for (int i = 0; i < samples; i++) {
          long t0 = System.nanoTime();
          ch.basicPublish("", pq, null, new byte[] {1});
          while (got.size() <= i) {
            Thread.onSpinWait();
          }
          plainMs.add((got.get(i) - t0) / 1e6);
          Thread.sleep(100);
        }
      }
      ch.queueDelete(pq);
    }
  }

  private static JsonNode events(DaemonUnderTest daemon, String function) throws Exception {
    RawHttp.Response r = RawHttp.once(daemon.address(), "GET", "/api/v1/functions/" + function + "/event-sources", Duration.ofSeconds(30),
        daemon.token());
    return JSON.readTree(r.body()).path("eventSources");
  }

  private static void cli(DaemonUnderTest daemon, String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PILOTLIGHT_TOKEN", daemon.token());
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", daemon.baseUrl()));
    int exit;
    try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8); PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
      exit = Main.run(po, pe, env, all.toArray(String[]::new));
    }
    if (exit != 0) {
      throw new BenchFailure(String.join(" ", args) + " failed (exit " + exit + "): " + e.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private String table(List<double[]> plain, List<double[]> mapped, List<Double> latency, List<Double> plainLatency) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "RabbitMQ → function, %d messages per round, %d round(s) after %d warm-up, alternated%n", messages,
        plain.size(), warmup));
    b.append(String.format(Locale.ROOT, "  %-34s %s%n", "plain consumer (amqp-client)", rates(plain)));
    b.append(String.format(Locale.ROOT, "  %-34s %s%n", "event source mapping (defaults)", rates(mapped)));
    warmLine(b, warmPlain, warmMapped);
    double p = median(plain.stream().map(x -> x[1]).toList());
    double m = median(mapped.stream().map(x -> x[1]).toList());
    b.append(String.format(Locale.ROOT, "  mapping / plain (medians): %.2f×  (target ≥ 0.5×)%n", m / p));
    b.append(String.format(Locale.ROOT, "publish → handler, one message at a time from zero instances (n = %d): p50 %.1f ms, p90 %.1f ms, max %.1f ms "
        + "(target p50 ≤ 25 ms)%n", latency.size(), pct(latency, 50), pct(latency, 90),
        latency.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
    b.append(String.format(Locale.ROOT, "publish → delivery, the plain consumer subscribed (n = %d): p50 %.2f ms%n", plainLatency.size(),
        pct(plainLatency, 50)));
    if (!kafkaPlain.isEmpty()) {
      b.append(String.format(Locale.ROOT, "Kafka → function, %d records per round (one partition), %d round(s) after %d warm-up, alternated%n",
          messages, kafkaPlain.size(), warmup));
      b.append(String.format(Locale.ROOT, "  %-34s %s%n", "plain consumer (kafka-clients)", rates(kafkaPlain)));
      b.append(String.format(Locale.ROOT, "  %-34s %s%n", "event source mapping (defaults)", rates(kafkaMapped)));
      warmLine(b, warmKafkaPlain, warmKafkaMapped);
      b.append(String.format(Locale.ROOT, "  mapping / plain (medians): %.2f×  (target ≥ 0.5×)%n",
          median(kafkaMapped.stream().map(x -> x[1]).toList()) / median(kafkaPlain.stream().map(x -> x[1]).toList())));
    } else if (kafkaSkipped != null) {
      b.append("Kafka: skipped (").append(kafkaSkipped).append(")\n");
    }
    b.append("machine: ").append(machine()).append('\n');
    return b.toString();
  }

  /** The warm-up rounds, apart: what a daemon just started (and a function with no instance yet) does. */
  private static void warmLine(StringBuilder b, List<double[]> plain, List<double[]> mapped) {
    if (!plain.isEmpty()) {
      b.append(String.format(Locale.ROOT, "  %-34s plain %s; mapping %s%n", "warm-up, not counted:", rates(plain), rates(mapped)));
    }
  }

  private static String rates(List<double[]> rounds) {
    StringBuilder b = new StringBuilder();
    for (double[] r : rounds) {
      b.append(String.format(Locale.ROOT, "%,8.0f msg/s (%.2f s)  ", r[1], r[0]));
    }
    return b.toString().strip();
  }

  private static double median(List<Double> xs) {
    return pct(xs, 50);
  }

  private static double pct(List<Double> xs, double p) {
    return xs.isEmpty() ? Double.NaN : Percentiles.nearestRank(xs.stream().mapToDouble(Double::doubleValue).toArray(), p);
  }

  private static String machine() {
    RunInfo r = RunInfo.current(0, 0);
    return r.cores() + " cores, java " + r.javaVersion() + ", " + r.date();
  }
}
