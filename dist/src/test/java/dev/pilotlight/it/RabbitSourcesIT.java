package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event source mappings against the real RabbitMQ on 127.0.0.1:5672 (guest/guest): messages in →
 * the function gets Lambda's rmqMessagesByQueue event → acknowledged; a failing function → retries →
 * the failure queue or the failures list; pause and resume; bad sources refused with their reason.
 */
class RabbitSourcesIT {
  static final String BROKER = "rabbitmq://guest:guest@127.0.0.1:5672/%2F";

  Connection rabbit;
  Channel ch;
  final String queue = "pl-it-" + UUID.randomUUID().toString().substring(0, 8);
  final String failures = queue + "-failed";

  @BeforeEach
  void connect() throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    rabbit = f.newConnection("pilotlight-it");
    ch = rabbit.createChannel();
    ch.queueDeclare(queue, false, false, false, null);
    ch.queueDeclare(failures, false, false, false, null);
  }

  @AfterEach
  void cleanUp() throws Exception {
    ch.queueDelete(queue);
    ch.queueDelete(failures);
    rabbit.close();
  }

  void publish(String... bodies) throws Exception {
    for (String b : bodies) {
      ch.basicPublish("", queue, null, b.getBytes(StandardCharsets.UTF_8));
    }
  }

  long depth(String q) throws Exception {
    return ch.queueDeclarePassive(q).getMessageCount();
  }

  static Path failing(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("main.py"), "def handler(event, context):\n    raise RuntimeError('no thanks')\n");
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: main.handler\n");
    return dir;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void messagesReachTheFunctionInBatchesAndAreAcknowledged(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "orders");
      DaemonFixture.CliResult add = d.cli("events", "add", "orders", "--source", BROKER + "?queue=" + queue, "--batch-size", "5",
          "--batch-window", "200ms");
      assertThat(add.exit()).as(add.err()).isZero();
      assertThat(add.out()).contains("guest:****@127.0.0.1").doesNotContain("guest:guest");
      for (int i = 1; i <= 12; i++) {
        publish("order-" + i);
      }
      eventually(Duration.ofSeconds(60), "all 12 messages handled", () -> {
        String logs = d.logs("orders");
        for (int i = 1; i <= 12; i++) {
          if (!logs.contains(b64("order-" + i))) {
            return false;
          }
        }
        return true;
      });
      String logs = d.logs("orders");
      assertThat(logs).contains("\"eventSource\": \"aws:rmq\"").contains("\"rmqMessagesByQueue\": {\"" + queue + "::/\": [");
      eventually(Duration.ofSeconds(10), "the queue drained", () -> {
        try {
          return depth(queue) == 0;
        } catch (Exception e) {
          return false;
        }
      });
      JsonNode listed = DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders", "--json").out()).path("eventSources").get(0);
      assertThat(listed.path("state").asText()).isEqualTo("Enabled");
      assertThat(listed.path("messages").asInt()).isEqualTo(12);
      assertThat(listed.path("batches").asInt()).isBetween(3, 12);
      assertThat(listed.path("source").asText()).doesNotContain("guest:guest");
      eventually(Duration.ofSeconds(15), "the depth asked again while idle: 0", () -> {
        try {
          return DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders", "--json").out()).path("eventSources").get(0).path("queueDepth")
              .asInt(-1) == 0;
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(d.get("/metrics").body()).containsPattern("pilotlight_event_source_messages_total\\{function=\"orders\",uuid=\"[^\"]+\"\\} 12\\.0");

      // paused, messages wait in the queue; resumed, they are read
      String uuid = listed.path("uuid").asText();
      assertThat(d.cli("events", "pause", "orders", uuid).exit()).isZero();
      publish("late-1");
      Thread.sleep(2000);
      assertThat(depth(queue)).isEqualTo(1);
      assertThat(d.cli("events", "resume", "orders", uuid).exit()).isZero();
      eventually(Duration.ofSeconds(30), "the message after the resume", () -> d.logs("orders").contains(b64("late-1")));

      // removing the function stops its poller: the queue is left alone
      assertThat(d.cli("rm", "orders").exit()).isZero();
      Thread.sleep(RECONCILE_MS);
      publish("after-rm");
      Thread.sleep(1500);
      assertThat(depth(queue)).isEqualTo(1);
    }
  }

  static final long RECONCILE_MS = 3000;

  @Test
  void aFailingBatchIsRetriedThenGoesToTheFailureQueueOrTheFailuresList(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(failing(work.resolve("fn")).toString(), "--name", "picky");
      DaemonFixture.CliResult add = d.cli("events", "add", "picky", "--source", BROKER + "?queue=" + queue, "--max-retries", "1",
          "--on-failure", failures, "--batch-window", "300ms");
      assertThat(add.exit()).as(add.err()).isZero();
      publish("a", "b");
      eventually(Duration.ofSeconds(60), "both messages in the failure queue", () -> {
        try {
          return depth(failures) == 2;
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(depth(queue)).isZero();
      assertThat(d.logs("picky")).contains("failed (attempt 2 of 2)").contains("no thanks").contains("sent to queue '" + failures + "'");
      String uuid = DaemonFixture.JSON.readTree(d.cli("events", "ls", "picky", "--json").out()).path("eventSources").get(0).path("uuid").asText();
      assertThat(d.cli("events", "rm", "picky", uuid).exit()).isZero();

      // without a failure queue, the batch is kept in the failures list, where redrive can run it again
      assertThat(d.cli("events", "add", "picky", "--source", BROKER + "?queue=" + queue, "--max-retries", "0").exit()).isZero();
      publish("c");
      eventually(Duration.ofSeconds(60), "the batch in the failures list",
          () -> d.get("/api/v1/functions/picky/failures").body().contains(b64("c")));
      assertThat(d.get("/api/v1/functions/picky/failures").body()).contains("no thanks");
    }
  }

  @Test
  void aFilterSendsOnlyTheMessagesItMatchesAndDropsTheRest(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "orders-only");
      DaemonFixture.CliResult bad = d.cli("events", "add", "orders-only", "--source", BROKER + "?queue=" + queue, "--filter", "{\"data\": 1}");
      assertThat(bad.exit()).isNotZero();
      assertThat(bad.err()).contains("filter: data: expected an array");
      DaemonFixture.CliResult add = d.cli("events", "add", "orders-only", "--source", BROKER + "?queue=" + queue, "--batch-window", "300ms",
          "--filter", "{\"data\": {\"kind\": [\"order\"]}}");
      assertThat(add.exit()).as(add.err()).isZero();
      publish("{\"kind\":\"order\",\"n\":1}", "{\"kind\":\"ping\"}", "not json", "{\"kind\":\"order\",\"n\":2}");
      eventually(Duration.ofSeconds(30), "all four settled", () -> {
        try {
          JsonNode m = DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders-only", "--json").out()).path("eventSources").get(0);
          return m.path("messages").asInt() + m.path("filteredMessages").asInt() == 4;
        } catch (Exception e) {
          return false;
        }
      });
      JsonNode m = DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders-only", "--json").out()).path("eventSources").get(0);
      assertThat(m.path("messages").asInt()).isEqualTo(2);
      assertThat(m.path("filteredMessages").asInt()).isEqualTo(2);
      assertThat(m.path("filters").get(0).path("data").path("kind").get(0).asText()).isEqualTo("order");
      String logs = d.logs("orders-only");
      assertThat(logs).contains(b64("{\"kind\":\"order\",\"n\":1}")).contains(b64("{\"kind\":\"order\",\"n\":2}"))
          .doesNotContain(b64("{\"kind\":\"ping\"}")).doesNotContain(b64("not json"));
      assertThat(depth(queue)).isZero();
    }
  }

  @Test
  void badSourcesAreRefusedWithTheirReason(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "strict");
      DaemonFixture.CliResult missing = d.cli("events", "add", "strict", "--source", BROKER + "?queue=no-such-queue-" + queue);
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("queue 'no-such-queue-" + queue + "' does not exist");
      DaemonFixture.CliResult password = d.cli("events", "add", "strict", "--source", "rabbitmq://guest:wrong@127.0.0.1:5672/%2F?queue=" + queue);
      assertThat(password.exit()).isNotZero();
      assertThat(password.err()).contains("refused the credentials of user 'guest'").doesNotContain("wrong");
      DaemonFixture.CliResult down = d.cli("events", "add", "strict", "--source", "rabbitmq://guest:guest@127.0.0.1:1/%2F?queue=" + queue);
      assertThat(down.exit()).isNotZero();
      assertThat(down.err()).contains("cannot reach the broker at 127.0.0.1:1");
      DaemonFixture.CliResult nats = d.cli("events", "add", "strict", "--source", "nats://127.0.0.1:4222?subject=t");
      assertThat(nats.exit()).isNotZero();
      assertThat(nats.err()).contains("not supported");
      DaemonFixture.CliResult size = d.cli("events", "add", "strict", "--source", BROKER + "?queue=" + queue, "--batch-size", "0");
      assertThat(size.exit()).isNotZero();
      assertThat(size.err()).contains("batch size 0");
      assertThat(d.cli("events", "ls", "strict").out()).contains("no event sources for strict");
    }
  }
}
