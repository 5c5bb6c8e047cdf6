package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MQTT event source against the machine's Mosquitto (127.0.0.1:1883): messages published at QoS 1
 * reach the function in batches and are acknowledged; a paused mapping's persistent session keeps what
 * is published meanwhile; bad sources refused.
 */
class MqttSourcesIT {
  final String root = "pl-it/" + UUID.randomUUID().toString().substring(0, 8);
  MqttClient publisher;

  @BeforeEach
  void connect() throws Exception {
    publisher = new MqttClient("tcp://127.0.0.1:1883", "pl-it-pub-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    publisher.connect(o);
  }

  @AfterEach
  void close() throws Exception {
    publisher.disconnect();
    publisher.close();
  }

  void publish(String topic, String body) throws Exception {
    publisher.publish(topic, body.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void messagesReachTheFunctionAndAPausedSessionKeepsWhatComesMeanwhile(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "sensors");
      DaemonFixture.CliResult add = d.cli("events", "add", "sensors", "--source", "mqtt://127.0.0.1:1883?topic=" + root + "/#",
          "--batch-window", "200ms");
      assertThat(add.exit()).as(add.err()).isZero();
      JsonNode m = DaemonFixture.JSON.readTree(d.cli("events", "ls", "sensors", "--json").out()).path("eventSources").get(0);
      String uuid = m.path("uuid").asText();
      eventually(Duration.ofSeconds(20), "the poller subscribed", () -> {
        try {
          return DaemonFixture.JSON.readTree(d.cli("events", "ls", "sensors", "--json").out()).path("eventSources").get(0)
              .path("state").asText().equals("Enabled");
        } catch (Exception e) {
          return false;
        }
      });
      for (int i = 1; i <= 10; i++) {
        publish(root + "/room-" + (i % 3), "t=" + i);
      }
      eventually(Duration.ofSeconds(30), "all ten handled", () -> {
        String logs = d.logs("sensors");
        for (int i = 1; i <= 10; i++) {
          if (!logs.contains(b64("t=" + i))) {
            return false;
          }
        }
        return true;
      });
      assertThat(d.logs("sensors")).contains("\"eventSource\": \"pilotlight:mqtt\"").contains("\"topic\": \"" + root + "/room-1\"");

      // paused, the poller leaves; its session at the broker keeps what is published; resumed, it gets it
      assertThat(d.cli("events", "pause", "sensors", uuid).exit()).isZero();
      Thread.sleep(1500);
      publish(root + "/late", "while-paused");
      Thread.sleep(1000);
      assertThat(d.logs("sensors")).doesNotContain(b64("while-paused"));
      assertThat(d.cli("events", "resume", "sensors", uuid).exit()).isZero();
      eventually(Duration.ofSeconds(30), "the message published while paused", () -> d.logs("sensors").contains(b64("while-paused")));
      JsonNode after = DaemonFixture.JSON.readTree(d.cli("events", "ls", "sensors", "--json").out()).path("eventSources").get(0);
      assertThat(after.path("messages").asInt()).isEqualTo(11);
      assertThat(d.cli("events", "rm", "sensors", uuid).exit()).isZero();
    }
  }

  @Test
  void badMqttSourcesAreRefusedWithTheirReason(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "strict");
      DaemonFixture.CliResult down = d.cli("events", "add", "strict", "--source", "mqtt://127.0.0.1:1?topic=a");
      assertThat(down.exit()).isNotZero();
      assertThat(down.err()).contains("cannot reach the MQTT broker at 127.0.0.1:1");
      DaemonFixture.CliResult noTopic = d.cli("events", "add", "strict", "--source", "mqtt://127.0.0.1:1883");
      assertThat(noTopic.exit()).isNotZero();
      assertThat(noTopic.err()).contains("no topic");
      DaemonFixture.CliResult failureQueue = d.cli("events", "add", "strict", "--source", "mqtt://127.0.0.1:1883?topic=a", "--on-failure", "q");
      assertThat(failureQueue.exit()).isNotZero();
      assertThat(failureQueue.err()).contains("failures list");
      assertThat(d.cli("events", "ls", "strict").out()).contains("no event sources for strict");
    }
  }
}
