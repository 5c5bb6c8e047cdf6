package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka mapping's concurrency per partition, against Kafka's own broker ({@link KafkaBroker}): a
 * batch holds one partition's records, batches of different partitions run at once, each partition's
 * batches one after the other in offset order, and a partition whose batch fails waits for its retries
 * while the other partitions go on. The function reports each batch with its start and end (the
 * machine's clock, the same for every instance), so what overlapped is read from the batches
 * themselves, not from how long the test took.
 */
class KafkaPartitionsIT {
  static KafkaBroker kafka;
  final String topic = "pl-parts-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * A function that prints {@code BATCH {partitions, values, start, end}} for each batch it handles
   * (after sleeping {@code seconds}), and {@code FAIL {…}} then raises for a batch holding a value that
   * starts with {@code bad}.
   */
  static Path lanes(Path dir, double seconds) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("main.py"), """
        import base64, json, time

        def handler(event, context):
            start = time.time()
            values = [base64.b64decode(r["value"]).decode() for rs in event["records"].values() for r in rs]
            report = {"partitions": sorted(event["records"].keys()), "values": values, "start": start}
            if any(v.startswith("bad") for v in values):
                report["end"] = time.time()
                print("FAIL " + json.dumps(report), flush=True)
                raise RuntimeError("bad record")
            time.sleep(%s)
            report["end"] = time.time()
            print("BATCH " + json.dumps(report), flush=True)
            return {"n": len(values)}
        """.formatted(seconds));
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: main.handler\n");
    return dir;
  }

  /** One batch as the function reported it. */
  record Batch(List<String> partitions, List<String> values, double start, double end) {
    boolean overlaps(Batch o) {
      return start < o.end && o.start < end;
    }
  }

  static List<Batch> reported(String logs, String tag) {
    List<Batch> out = new ArrayList<>();
    Matcher m = Pattern.compile(tag + " (\\{.*\\})").matcher(logs);
    while (m.find()) {
      try {
        JsonNode n = DaemonFixture.JSON.readTree(m.group(1));
        List<String> parts = new ArrayList<>();
        n.path("partitions").forEach(p -> parts.add(p.asText()));
        List<String> values = new ArrayList<>();
        n.path("values").forEach(v -> values.add(v.asText()));
        out.add(new Batch(parts, values, n.path("start").asDouble(), n.path("end").asDouble()));
      } catch (Exception e) {
        throw new IllegalStateException(m.group(1), e);
      }
    }
    return out;
  }

  /** The batches of each partition, in the order they started. */
  static Map<String, List<Batch>> byPartition(List<Batch> batches) {
    Map<String, List<Batch>> out = new HashMap<>();
    for (Batch b : batches) {
      assertThat(b.partitions()).as("a batch holds records of one partition").hasSize(1);
      out.computeIfAbsent(b.partitions().getFirst(), k -> new ArrayList<>()).add(b);
    }
    out.values().forEach(l -> l.sort(Comparator.comparingDouble(Batch::start)));
    return out;
  }

  /** Asserts that a partition's batches ran one after the other and handed its records over in the order produced. */
  static void inOrder(String partition, List<Batch> batches, List<String> produced) {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      if (i > 0) {
        assertThat(batches.get(i).start()).as(partition + ": batch " + i + " began after the one before ended")
            .isGreaterThanOrEqualTo(batches.get(i - 1).end());
      }
      seen.addAll(batches.get(i).values());
    }
    assertThat(seen).as(partition + ": its records, in order, once each").isEqualTo(produced);
  }

  static String[] seq(String prefix, int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = String.format("%s-%03d", prefix, i);
    }
    return out;
  }

  static long committed(String group) {
    try {
      return kafka.committed(group);
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void partitionsRunABatchEachAtOnceAndKeepTheirOrder(@TempDir Path data, @TempDir Path work) throws Exception {
    int partitions = 4;
    int perPartition = 15;
    kafka.createTopic(topic, partitions);
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(lanes(work.resolve("fn"), 0.5).toString(), "--name", "lanes");
      DaemonFixture.CliResult add = d.cli("events", "add", "lanes", "--source", "kafka://" + kafka.bootstrap() + "?topic=" + topic,
          "--batch-size", "5", "--batch-window", "100ms");
      assertThat(add.exit()).as(add.err()).isZero();
      String uuid = KafkaSourcesIT.mapping(d, "lanes").path("uuid").asText();
      for (int p = 0; p < partitions; p++) {
        kafka.produceKeyed(topic, p, "lane-" + p, seq("p" + p, perPartition));
      }
      int total = partitions * perPartition;
      eventually(Duration.ofSeconds(90), "all " + total + " records handled",
          () -> KafkaSourcesIT.mapping(d, "lanes").path("messages").asInt() == total);
      eventually(Duration.ofSeconds(20), "their offsets committed", () -> committed(uuid) == total);

      List<Batch> batches = reported(d.logs("lanes"), "BATCH");
      Map<String, List<Batch>> lanes = byPartition(batches);
      assertThat(lanes).hasSize(partitions);
      for (int p = 0; p < partitions; p++) {
        inOrder(topic + "-" + p, lanes.get(topic + "-" + p), List.of(seq("p" + p, perPartition)));
      }
      // batches of different partitions ran at once: one began before another had ended
      boolean overlapped = false;
      for (Batch a : batches) {
        for (Batch b : batches) {
          overlapped |= !a.partitions().equals(b.partitions()) && a.overlaps(b);
        }
      }
      assertThat(overlapped).as("two partitions' batches ran at the same time").isTrue();
      assertThat(reported(d.logs("lanes"), "FAIL")).isEmpty();
    }
  }

  @Test
  void aFailingPartitionWaitsForItsRetriesWhileTheOthersGoOn(@TempDir Path data, @TempDir Path work) throws Exception {
    kafka.createTopic(topic, 3);
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(lanes(work.resolve("fn"), 0.1).toString(), "--name", "stuck");
      // three retries: the failing batch is tried again after 1 s, 2 s and 4 s before the failures list
      DaemonFixture.CliResult add = d.cli("events", "add", "stuck", "--source", "kafka://" + kafka.bootstrap() + "?topic=" + topic,
          "--batch-size", "5", "--batch-window", "100ms", "--max-retries", "3");
      assertThat(add.exit()).as(add.err()).isZero();
      String uuid = KafkaSourcesIT.mapping(d, "stuck").path("uuid").asText();
      String bad = topic + "-0";
      kafka.produceKeyed(topic, 0, "lane-0", "bad-000");
      eventually(Duration.ofSeconds(60), "the bad batch's first attempt", () -> !reported(d.logs("stuck"), "FAIL").isEmpty());
      // the bad batch runs (its records are gathered): what comes now on partition 0 is a later batch,
      // which must wait for it; partitions 1 and 2 must not
      kafka.produceKeyed(topic, 0, "lane-0", "p0-after");
      kafka.produceKeyed(topic, 1, "lane-1", seq("p1", 10));
      kafka.produceKeyed(topic, 2, "lane-2", seq("p2", 10));

      eventually(Duration.ofSeconds(90), "the bad batch in the failures list",
          () -> d.get("/api/v1/functions/stuck/failures").body().contains(KafkaSourcesIT.b64("bad-000")));
      eventually(Duration.ofSeconds(60), "all 22 records settled", () -> {
        JsonNode m = KafkaSourcesIT.mapping(d, "stuck");
        return m.path("messages").asInt() == 21 && m.path("failedMessages").asInt() == 1;
      });
      eventually(Duration.ofSeconds(20), "their offsets committed", () -> committed(uuid) == 22);

      String logs = d.logs("stuck");
      List<Batch> attempts = reported(logs, "FAIL");
      assertThat(attempts).as("the bad batch, tried 4 times").hasSize(4)
          .allSatisfy(a -> assertThat(a.values()).containsExactly("bad-000"));
      double lastAttempt = attempts.stream().mapToDouble(Batch::start).max().orElseThrow();
      double givenUp = attempts.stream().mapToDouble(Batch::end).max().orElseThrow();
      Map<String, List<Batch>> lanes = byPartition(reported(logs, "BATCH"));
      inOrder(topic + "-1", lanes.get(topic + "-1"), List.of(seq("p1", 10)));
      inOrder(topic + "-2", lanes.get(topic + "-2"), List.of(seq("p2", 10)));
      // the other partitions were served while partition 0 waited for its retries, not after
      for (String other : List.of(topic + "-1", topic + "-2")) {
        assertThat(lanes.get(other).getFirst().end()).as(other + "'s first batch ended before the bad batch's last attempt")
            .isLessThan(lastAttempt);
      }
      // and partition 0's next record waited for the bad batch to be given up on
      assertThat(lanes.get(bad)).hasSize(1);
      assertThat(lanes.get(bad).getFirst().values()).containsExactly("p0-after");
      assertThat(lanes.get(bad).getFirst().start()).isGreaterThanOrEqualTo(givenUp);
    }
  }

  @Test
  void aPartitionMovesToAnotherDaemonOnlyOnceItsBatchEndedAndItsOffsetIsCommitted(@TempDir Path dataA, @TempDir Path dataB,
      @TempDir Path work) throws Exception {
    int partitions = 4;
    int before = 100; // 20 batches of 5 per partition, half a second each: the first daemon is busy for 10 s
    int after = 10;
    kafka.createTopic(topic, partitions);
    String group = "shared-" + topic;
    String source = "kafka://" + kafka.bootstrap() + "?topic=" + topic + "&group=" + group + "&start=trim_horizon";
    for (int p = 0; p < partitions; p++) {
      kafka.produceKeyed(topic, p, "lane-" + p, seq("p" + p + "-a", before));
    }
    try (DaemonFixture a = new DaemonFixture(dataA)) {
      a.deploy(lanes(work.resolve("fn"), 0.5).toString(), "--name", "lanes");
      DaemonFixture.CliResult add = a.cli("events", "add", "lanes", "--source", source, "--batch-size", "5", "--batch-window", "100ms");
      assertThat(add.exit()).as(add.err()).isZero();
      eventually(Duration.ofSeconds(60), "the first daemon under way", () -> KafkaSourcesIT.mapping(a, "lanes").path("messages").asInt() > 0);
      try (DaemonFixture b = new DaemonFixture(dataB)) {
        // a second daemon joins the group while the first runs batches of every partition: the
        // cooperative rebalance moves some partitions to it, each once its batch on the first has ended
        b.deploy(lanes(work.resolve("fn"), 0.5).toString(), "--name", "lanes");
        add = b.cli("events", "add", "lanes", "--source", source, "--batch-size", "5", "--batch-window", "100ms");
        assertThat(add.exit()).as(add.err()).isZero();
        eventually(Duration.ofSeconds(60), "both daemons given partitions", () -> {
          try {
            return kafka.membersWithPartitions(group) == 2;
          } catch (Exception e) {
            return false;
          }
        });
        for (int p = 0; p < partitions; p++) {
          kafka.produceKeyed(topic, p, "lane-" + p, seq("p" + p + "-b", after));
        }
        int total = partitions * (before + after);
        eventually(Duration.ofSeconds(120), "all " + total + " records committed", () -> committed(group) == total);

        List<Batch> first = reported(a.logs("lanes"), "BATCH");
        List<Batch> second = reported(b.logs("lanes"), "BATCH");
        List<Batch> all = new ArrayList<>(first);
        all.addAll(second);
        Map<String, List<Batch>> lanes = byPartition(all);
        for (int p = 0; p < partitions; p++) {
          List<String> produced = new ArrayList<>(List.of(seq("p" + p + "-a", before)));
          produced.addAll(List.of(seq("p" + p + "-b", after)));
          // across both daemons: one batch of a partition at a time, its records once each and in order
          // (what the first handled was committed before the second began there)
          inOrder(topic + "-" + p, lanes.get(topic + "-" + p), produced);
        }
        // and a partition did move in the middle of its backlog: the first daemon handled some of its
        // records from before the join, the second the rest of them
        List<String> moved = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
          String tp = topic + "-" + p;
          boolean onFirst = first.stream().anyMatch(x -> x.partitions().contains(tp));
          boolean restOnSecond = second.stream().anyMatch(x -> x.partitions().contains(tp) && x.values().getFirst().contains("-a-"));
          if (onFirst && restOnSecond) {
            moved.add(tp);
          }
        }
        assertThat(moved).as("partitions moved to the second daemon with records of the backlog left").isNotEmpty();
      }
    }
  }
}
