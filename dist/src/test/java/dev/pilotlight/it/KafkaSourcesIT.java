package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.server.Wiring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka event source mappings against Kafka's own broker (KRaft, one node) started by the test
 * ({@link KafkaBroker}): records across partitions handled once each and their offsets committed
 * (a restart redelivers nothing handled and reads what was produced while the daemon was down); a
 * failing function's batch kept in the failures list after its retries; filter patterns on the
 * value; pause and resume; bad sources refused with their reason.
 */
class KafkaSourcesIT {
  static KafkaBroker kafka;
  final String topic = "pl-it-" + UUID.randomUUID().toString().substring(0, 8);

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

  String source() {
    return "kafka://" + kafka.bootstrap() + "?topic=" + topic;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** How many times the record with {@code value} reached the function (the printer logs each event). */
  static int times(String logs, String value) {
    Matcher m = Pattern.compile(Pattern.quote("\"value\": \"" + b64(value) + "\"")).matcher(logs);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  static JsonNode mapping(DaemonFixture d, String fn) {
    try {
      return DaemonFixture.JSON.readTree(d.cli("events", "ls", fn, "--json").out()).path("eventSources").get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String[] values(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(String.format("%s-%04d", prefix, i));
    }
    return out.toArray(String[]::new);
  }

  @Test
  void recordsAcrossPartitionsAreHandledOnceEachAndTheirOffsetsCommitted(@TempDir Path data, @TempDir Path work) throws Exception {
    kafka.createTopic(topic, 2);
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "ledger");
      DaemonFixture.CliResult add = d.cli("events", "add", "ledger", "--source", source(), "--batch-window", "200ms");
      assertThat(add.exit()).as(add.err()).isZero();
      String uuid = mapping(d, "ledger").path("uuid").asText();
      // start=latest (the default) pinned the topic's end for the new group at creation: records
      // produced right after the add are all read, however long the consumer takes to join
      kafka.produce(topic, 0, values("p0", 0, 100));
      kafka.produce(topic, 1, values("p1", 0, 100));
      eventually(Duration.ofSeconds(60), "all 200 records handled", () -> mapping(d, "ledger").path("messages").asInt() == 200);
      String logs = d.logs("ledger");
      for (String v : values("p0", 0, 100)) {
        assertThat(times(logs, v)).as(v).isEqualTo(1);
      }
      for (String v : values("p1", 0, 100)) {
        assertThat(times(logs, v)).as(v).isEqualTo(1);
      }
      assertThat(logs).contains("\"eventSource\": \"SelfManagedKafka\"").contains("\"bootstrapServers\": \"" + kafka.bootstrap() + "\"")
          .contains("\"" + topic + "-0\": [").contains("\"" + topic + "-1\": [").contains("\"timestampType\": \"CREATE_TIME\"");
      eventually(Duration.ofSeconds(20), "the offsets committed for the mapping's group", () -> {
        try {
          return kafka.committed(uuid) == 200;
        } catch (Exception e) {
          return false;
        }
      });
      eventually(Duration.ofSeconds(15), "the lag asked while idle: 0", () -> mapping(d, "ledger").path("queueDepth").asInt(-1) == 0);
      assertThat(mapping(d, "ledger").path("state").asText()).isEqualTo("Enabled");
      assertThat(d.get("/metrics").body()).containsPattern("pilotlight_event_source_messages_total\\{function=\"ledger\",uuid=\"" + uuid
          + "\"\\} 200\\.0");

      // the daemon stops; what is produced meanwhile is read after it starts again, and nothing handled comes again
      d.daemon.close();
      kafka.produce(topic, 0, values("down", 0, 10));
      kafka.produce(topic, 1, values("down", 10, 20));
      d.daemon = Wiring.start(d.config);
      eventually(Duration.ofSeconds(60), "the 20 records produced while the daemon was down", () -> {
        String l = d.logs("ledger");
        for (String v : values("down", 0, 20)) {
          if (times(l, v) == 0) {
            return false;
          }
        }
        return true;
      });
      Thread.sleep(1000); // a redelivery, were there one, would come with the first batches
      String after = d.logs("ledger");
      for (String v : values("down", 0, 20)) {
        assertThat(times(after, v)).as(v).isEqualTo(1);
      }
      for (String v : values("p0", 0, 100)) {
        assertThat(times(after, v)).as(v).isLessThanOrEqualTo(1);
      }
      assertThat(mapping(d, "ledger").path("messages").asInt()).isEqualTo(20);
      eventually(Duration.ofSeconds(20), "220 offsets committed", () -> {
        try {
          return kafka.committed(uuid) == 220;
        } catch (Exception e) {
          return false;
        }
      });

      // removed, its consumer leaves and its group (named after the mapping) is deleted
      assertThat(kafka.hasGroup(uuid)).isTrue();
      assertThat(d.cli("events", "rm", "ledger", uuid).exit()).isZero();
      eventually(Duration.ofSeconds(30), "the mapping's consumer group deleted", () -> {
        try {
          return !kafka.hasGroup(uuid);
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  @Test
  void aFailingBatchIsRetriedThenKeptInTheFailuresListAndCommitted(@TempDir Path data, @TempDir Path work) throws Exception {
    kafka.createTopic(topic, 1);
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(RabbitSourcesIT.failing(work.resolve("fn")).toString(), "--name", "picky");
      DaemonFixture.CliResult add = d.cli("events", "add", "picky", "--source", source() + "&group=picky-group", "--max-retries", "1",
          "--batch-window", "300ms");
      assertThat(add.exit()).as(add.err()).isZero();
      kafka.produce(topic, null, "a", "b");
      eventually(Duration.ofSeconds(60), "the batch in the failures list",
          () -> d.get("/api/v1/functions/picky/failures").body().contains(b64("a")));
      String failures = d.get("/api/v1/functions/picky/failures").body();
      assertThat(failures).contains(b64("b")).contains("no thanks");
      assertThat(d.logs("picky")).contains("failed (attempt 2 of 2)").contains("kept in the failures list");
      eventually(Duration.ofSeconds(20), "the batch given up on is committed", () -> {
        try {
          return kafka.committed("picky-group") == 2;
        } catch (Exception e) {
          return false;
        }
      });
      JsonNode m = mapping(d, "picky");
      assertThat(m.path("failedMessages").asInt()).isEqualTo(2);
      assertThat(m.path("source").asText()).contains("group=picky-group");
    }
  }

  @Test
  void filtersMatchTheValueAndAPausedMappingReadsWhatCameMeanwhileAfterTheResume(@TempDir Path data, @TempDir Path work) throws Exception {
    kafka.createTopic(topic, 1);
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "orders");
      DaemonFixture.CliResult add = d.cli("events", "add", "orders", "--source", source() + "&start=trim_horizon", "--batch-window", "200ms",
          "--filter", "{\"value\": {\"kind\": [\"order\"]}}", "--filter", "{\"value\": [{\"prefix\": \"hello\"}]}");
      assertThat(add.exit()).as(add.err()).isZero();
      kafka.produce(topic, null, "{\"kind\":\"order\",\"n\":1}", "{\"kind\":\"ping\"}", "hello world", "bye");
      eventually(Duration.ofSeconds(60), "all four settled", () -> {
        JsonNode m = mapping(d, "orders");
        return m.path("messages").asInt() + m.path("filteredMessages").asInt() == 4;
      });
      JsonNode m = mapping(d, "orders");
      assertThat(m.path("messages").asInt()).isEqualTo(2);
      assertThat(m.path("filteredMessages").asInt()).isEqualTo(2);
      String logs = d.logs("orders");
      assertThat(times(logs, "{\"kind\":\"order\",\"n\":1}")).isEqualTo(1);
      assertThat(times(logs, "hello world")).isEqualTo(1);
      assertThat(times(logs, "{\"kind\":\"ping\"}")).isZero();
      assertThat(times(logs, "bye")).isZero();

      // paused: the consumer leaves the group, records wait in the topic; resumed: read from the committed offset
      String uuid = m.path("uuid").asText();
      assertThat(d.cli("events", "pause", "orders", uuid).exit()).isZero();
      assertThat(mapping(d, "orders").path("state").asText()).isEqualTo("Disabled");
      Thread.sleep(1000);
      kafka.produce(topic, null, "hello while paused");
      Thread.sleep(1500);
      assertThat(times(d.logs("orders"), "hello while paused")).isZero();
      assertThat(d.cli("events", "resume", "orders", uuid).exit()).isZero();
      eventually(Duration.ofSeconds(60), "the record produced while paused", () -> times(d.logs("orders"), "hello while paused") == 1);
      assertThat(times(d.logs("orders"), "hello world")).isEqualTo(1);
    }
  }

  @Test
  void aBrokerThatGoesAwayShowsAProblemAndIsReadAgainOnceBack(@TempDir Path data, @TempDir Path work) throws Exception {
    kafka.createTopic(topic, 1);
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "steady");
      DaemonFixture.CliResult add = d.cli("events", "add", "steady", "--source", source(), "--batch-window", "100ms");
      assertThat(add.exit()).as(add.err()).isZero();
      kafka.produce(topic, null, "before");
      eventually(Duration.ofSeconds(60), "the record before", () -> times(d.logs("steady"), "before") == 1);
      kafka.stop();
      try {
        eventually(Duration.ofSeconds(60), "the mapping in Problem", () -> mapping(d, "steady").path("state").asText().equals("Problem"));
        assertThat(mapping(d, "steady").path("lastError").asText()).contains(kafka.bootstrap());
      } finally {
        kafka.resume();
      }
      kafka.produce(topic, null, "after");
      eventually(Duration.ofSeconds(60), "the record after the broker came back", () -> times(d.logs("steady"), "after") == 1);
      assertThat(mapping(d, "steady").path("state").asText()).isEqualTo("Enabled");
      assertThat(times(d.logs("steady"), "before")).isEqualTo(1);
      assertThat(d.logs("steady")).contains("does not answer");
    }
  }

  @Test
  void badKafkaSourcesAreRefusedWithTheirReason(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "strict");
      DaemonFixture.CliResult missing = d.cli("events", "add", "strict", "--source", "kafka://" + kafka.bootstrap() + "?topic=no-such-" + topic);
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("topic 'no-such-" + topic + "' does not exist at " + kafka.bootstrap());
      var answer = d.post("/api/v1/functions/strict/event-sources", "{\"source\": \"kafka://" + kafka.bootstrap() + "?topic=no-such-" + topic + "\"}");
      assertThat(answer.statusCode()).isEqualTo(400);
      assertThat(answer.body()).contains("does not exist");
      DaemonFixture.CliResult down = d.cli("events", "add", "strict", "--source", "kafka://127.0.0.1:1?topic=t");
      assertThat(down.exit()).isNotZero();
      assertThat(down.err()).contains("cannot reach the Kafka broker at 127.0.0.1:1");
      DaemonFixture.CliResult noTopic = d.cli("events", "add", "strict", "--source", "kafka://" + kafka.bootstrap());
      assertThat(noTopic.exit()).isNotZero();
      assertThat(noTopic.err()).contains("no topic");
      DaemonFixture.CliResult start = d.cli("events", "add", "strict", "--source", source() + "&start=at_timestamp");
      assertThat(start.exit()).isNotZero();
      assertThat(start.err()).contains("start=at_timestamp");
      DaemonFixture.CliResult failureQueue = d.cli("events", "add", "strict", "--source", source(), "--on-failure", "q");
      assertThat(failureQueue.exit()).isNotZero();
      assertThat(failureQueue.err()).contains("failures list");
      assertThat(d.cli("events", "ls", "strict").out()).contains("no event sources for strict");
    }
  }
}
