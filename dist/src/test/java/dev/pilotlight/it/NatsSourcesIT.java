package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event source mappings against the machine's NATS server with JetStream (127.0.0.1:4222): a
 * stream's messages reach the function in batches through a durable pull consumer and are
 * acknowledged; messages published while the daemon is down are handled after it starts again, none
 * twice; a failing function's batch goes to the failures list after its retries; filters; bad sources
 * refused with their reason; the mapping's consumer deleted with it.
 */
class NatsSourcesIT {
  static final String SERVER = "nats://127.0.0.1:4222";

  Connection nats;
  JetStream js;
  JetStreamManagement jsm;
  final String stream = "PLIT" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
  final String subject = stream.toLowerCase(java.util.Locale.ROOT) + ".orders";

  @BeforeEach
  void connect() throws Exception {
    nats = Nats.connect(SERVER);
    jsm = nats.jetStreamManagement();
    jsm.addStream(StreamConfiguration.builder().name(stream).subjects(stream.toLowerCase(java.util.Locale.ROOT) + ".>")
        .storageType(StorageType.File).build());
    js = nats.jetStream();
  }

  @AfterEach
  void cleanUp() throws Exception {
    jsm.deleteStream(stream);
    nats.close();
  }

  void publish(String... bodies) throws Exception {
    for (String b : bodies) {
      js.publish(subject, b.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Messages the consumer has not had acknowledged or not delivered yet; -1 when there is no such consumer. */
  long pending(String consumer) {
    try {
      var info = jsm.getConsumerInfo(stream, consumer);
      return info.getNumAckPending() + info.getNumPending();
    } catch (io.nats.client.JetStreamApiException e) {
      return -1;
    } catch (java.io.IOException e) {
      return -2;
    }
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  @Test
  void messagesReachTheFunctionAreAcknowledgedAndSurviveARestart(@TempDir Path data, @TempDir Path work) throws Exception {
    String uuid;
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "nats-fn");
      DaemonFixture.CliResult add = d.cli("events", "add", "nats-fn", "--source", SERVER + "?stream=" + stream + "&subject=" + subject,
          "--batch-size", "5", "--batch-window", "200ms");
      assertThat(add.exit()).as(add.err()).isZero();
      for (int i = 1; i <= 12; i++) {
        publish("n-" + i);
      }
      eventually(Duration.ofSeconds(60), "all 12 messages handled", () -> {
        String logs = d.logs("nats-fn");
        for (int i = 1; i <= 12; i++) {
          if (!logs.contains(RabbitSourcesIT.b64("n-" + i))) {
            return false;
          }
        }
        return true;
      });
      String logs = d.logs("nats-fn");
      assertThat(logs).contains("\"eventSource\": \"pilotlight:nats\"").contains("\"eventSourceArn\": \"nats://127.0.0.1:4222/" + stream + "\"")
          .contains("\"subject\": \"" + subject + "\"").contains("\"streamSequence\": 1");
      JsonNode listed = DaemonFixture.JSON.readTree(d.cli("events", "ls", "nats-fn", "--json").out()).path("eventSources").get(0);
      uuid = listed.path("uuid").asText();
      assertThat(listed.path("state").asText()).isEqualTo("Enabled");
      assertThat(listed.path("messages").asInt()).isEqualTo(12);
      eventually(Duration.ofSeconds(15), "nothing pending at the consumer", () -> pending("pilotlight-" + uuid) == 0);
    }
    // published while the daemon is down: handled after it starts again, and nothing before them twice
    publish("late-1", "late-2", "late-3");
    try (DaemonFixture d = new DaemonFixture(data)) {
      eventually(Duration.ofSeconds(60), "the messages published while down", () -> {
        String logs = d.logs("nats-fn");
        return logs.contains(RabbitSourcesIT.b64("late-1")) && logs.contains(RabbitSourcesIT.b64("late-3"));
      });
      String logs = d.logs("nats-fn");
      for (int i = 1; i <= 12; i++) {
        assertThat(count(logs, RabbitSourcesIT.b64("n-" + i) + "\"")).as("n-" + i + " handled once").isEqualTo(1);
      }
      // removing the mapping deletes its durable consumer
      assertThat(d.cli("events", "rm", "nats-fn", uuid).exit()).isZero();
      eventually(Duration.ofSeconds(15), "the consumer deleted", () -> pending("pilotlight-" + uuid) == -1);
    }
  }

  @Test
  void aFailingBatchGoesToTheFailuresListAndFiltersDropTheRest(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(RabbitSourcesIT.failing(work.resolve("fn")).toString(), "--name", "nats-picky");
      DaemonFixture.CliResult add = d.cli("events", "add", "nats-picky", "--source", SERVER + "?stream=" + stream, "--max-retries", "1",
          "--batch-window", "0s", "--filter", "{\"data\": {\"kind\": [\"order\"]}}");
      assertThat(add.exit()).as(add.err()).isZero();
      publish("{\"kind\": \"noise\"}", "not json", "{\"kind\": \"order\", \"n\": 1}");
      eventually(Duration.ofSeconds(60), "the order in the failures list", () -> d.cli("failures", "nats-picky").out()
          .contains("no thanks"));
      JsonNode listed = DaemonFixture.JSON.readTree(d.cli("events", "ls", "nats-picky", "--json").out()).path("eventSources").get(0);
      assertThat(listed.path("failedMessages").asInt()).isEqualTo(1);
      assertThat(listed.path("filteredMessages").asInt()).isEqualTo(2);
      String uuid = listed.path("uuid").asText();
      eventually(Duration.ofSeconds(15), "all acknowledged", () -> pending("pilotlight-" + uuid) == 0);
    }
  }

  @Test
  void badSourcesAreRefusedWithTheirReason(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "nats-strict");
      DaemonFixture.CliResult missing = d.cli("events", "add", "nats-strict", "--source", SERVER + "?stream=NOSUCHSTREAM");
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("stream 'NOSUCHSTREAM' does not exist");
      DaemonFixture.CliResult down = d.cli("events", "add", "nats-strict", "--source", "nats://127.0.0.1:1?stream=" + stream);
      assertThat(down.exit()).isNotZero();
      assertThat(down.err()).contains("cannot reach the NATS server at 127.0.0.1:1");
      DaemonFixture.CliResult noStream = d.cli("events", "add", "nats-strict", "--source", SERVER + "?subject=x");
      assertThat(noStream.exit()).isNotZero();
      assertThat(noStream.err()).contains("no stream");
      DaemonFixture.CliResult onFailure = d.cli("events", "add", "nats-strict", "--source", SERVER + "?stream=" + stream, "--on-failure", "q");
      assertThat(onFailure.err()).contains("failures list");
      DaemonFixture.CliResult token = d.cli("events", "add", "nats-strict", "--source", "nats://s3cr3t@127.0.0.1:1?stream=" + stream);
      assertThat(token.err()).doesNotContain("s3cr3t");
      assertThat(d.cli("events", "ls", "nats-strict").out()).contains("no event sources for nats-strict");
    }
  }
}
