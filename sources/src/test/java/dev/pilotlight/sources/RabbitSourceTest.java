package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.pilotlight.model.source.EventSourceMapping;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Source URIs (read, defaults, redaction, refusals) and the event a batch becomes. */
class RabbitSourceTest {
  @Test
  void sourcesAreReadWithTheirDefaults() {
    RabbitSource s = RabbitSource.parse("rabbitmq://app:s%3Acret@mq.local:5673/prod?queue=orders");
    assertThat(s).isEqualTo(new RabbitSource("mq.local", 5673, "prod", "app", "s:cret", "orders", false));
    assertThat(RabbitSource.parse("amqp://127.0.0.1?queue=q")).isEqualTo(new RabbitSource("127.0.0.1", 5672, "/", "guest", "guest", "q", false));
    assertThat(RabbitSource.parse("rabbitmq://u:p@h/%2F?queue=q").vhost()).isEqualTo("/");
    assertThat(RabbitSource.parse("amqps://u:p@h?queue=q")).satisfies(t -> {
      assertThat(t.tls()).isTrue();
      assertThat(t.port()).isEqualTo(5671);
    });
    assertThat(RabbitSource.parse("rabbitmq://u:p@h/%2F?queue=orders").key()).isEqualTo("orders::/");
    assertThat(RabbitSource.parse("rabbitmq://u:secret@h?queue=q").toString()).doesNotContain("secret");
  }

  @Test
  void badSourcesSayWhatIsWrong() {
    assertThatThrownBy(() -> RabbitSource.parse("sqs://h:4222?queue=t")).hasMessageContaining("not supported");
    assertThatThrownBy(() -> RabbitSource.parse("rabbitmq://u:p@h/%2F")).hasMessageContaining("no queue");
    assertThatThrownBy(() -> RabbitSource.parse("rabbitmq://u:p@h/%2F?queue=q&prefetch=9")).hasMessageContaining("unknown parameter 'prefetch'");
    assertThatThrownBy(() -> RabbitSource.parse("rabbitmq:///%2F?queue=q")).hasMessageContaining("no host");
    assertThatThrownBy(() -> RabbitSource.parse("not a uri")).hasMessageContaining("not a URI");
  }

  @Test
  void mqttSourcesAreReadWithTheirWildcardsAndDefaults() {
    assertThat(MqttSource.handles("mqtt://h?topic=a")).isTrue();
    assertThat(MqttSource.handles("rabbitmq://h?queue=a")).isFalse();
    assertThat(MqttSource.parse("mqtt://127.0.0.1?topic=sensors/#"))
        .isEqualTo(new MqttSource("127.0.0.1", 1883, null, null, "sensors/#", 1, false));
    assertThat(MqttSource.parse("mqtts://u:p%40ss@broker:8884?topic=a/%2B/b&qos=0"))
        .isEqualTo(new MqttSource("broker", 8884, "u", "p@ss", "a/+/b", 0, true));
    assertThat(MqttSource.parse("mqtt://u:secret@h?topic=t").toString()).doesNotContain("secret");
    assertThatThrownBy(() -> MqttSource.parse("mqtt://h")).hasMessageContaining("no topic");
    assertThatThrownBy(() -> MqttSource.parse("mqtt://h?topic=t&qos=2")).hasMessageContaining("qos 2");
    assertThatThrownBy(() -> MqttSource.parse("mqtt://h?topic=t&retain=1")).hasMessageContaining("unknown parameter 'retain'");
    assertThat(MqttPoller.clientId("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")).isEqualTo("pl-0f1e2d3c4b5a69788796").hasSize(23);
  }

  @Test
  void theSourceIsShownWithoutItsPassword() {
    assertThat(EventSourceMapping.redact("rabbitmq://app:s3cr3t@h:5672/%2F?queue=q")).isEqualTo("rabbitmq://app:****@h:5672/%2F?queue=q");
    assertThat(EventSourceMapping.redact("rabbitmq://h:5672/%2F?queue=q")).isEqualTo("rabbitmq://h:5672/%2F?queue=q");
  }

  @Test
  void aBatchBecomesLambdasRabbitMqEvent() throws Exception {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("text/plain").messageId("m-1").deliveryMode(2)
        .headers(Map.of("tenant", "acme")).build();
    List<RabbitEvents.Message> batch = List.of(
        new RabbitEvents.Message(new Envelope(1, false, "", "orders"), props, "hello".getBytes(StandardCharsets.UTF_8)),
        new RabbitEvents.Message(new Envelope(2, true, "", "orders"), null, new byte[] {0, (byte) 0xff}));
    JsonNode e = new ObjectMapper().readTree(RabbitEvents.event("abc", RabbitSource.parse("rabbitmq://h/%2F?queue=orders"), batch));
    assertThat(e.path("eventSource").asText()).isEqualTo("aws:rmq");
    assertThat(e.path("eventSourceArn").asText()).endsWith(":b-abc");
    JsonNode messages = e.path("rmqMessagesByQueue").path("orders::/");
    assertThat(messages).hasSize(2);
    JsonNode first = messages.get(0);
    assertThat(first.path("data").asText()).isEqualTo("aGVsbG8=");
    assertThat(first.path("redelivered").asBoolean()).isFalse();
    assertThat(first.path("basicProperties").path("contentType").asText()).isEqualTo("text/plain");
    assertThat(first.path("basicProperties").path("messageId").asText()).isEqualTo("m-1");
    assertThat(first.path("basicProperties").path("deliveryMode").asInt()).isEqualTo(2);
    assertThat(first.path("basicProperties").path("headers").path("tenant").asText()).isEqualTo("acme");
    assertThat(first.path("basicProperties").path("bodySize").asInt()).isEqualTo(5);
    assertThat(messages.get(1).path("data").asText()).isEqualTo("AP8=");
    assertThat(messages.get(1).path("redelivered").asBoolean()).isTrue();
  }

  @Test
  void batchesInFlightFollowTheMessagesWaitingUpToFive() {
    assertThat(RabbitPoller.inFlightFor(0, 100)).isEqualTo(1);
    assertThat(RabbitPoller.inFlightFor(1, 100)).isEqualTo(1);
    assertThat(RabbitPoller.inFlightFor(100, 100)).isEqualTo(1);
    assertThat(RabbitPoller.inFlightFor(101, 100)).isEqualTo(2);
    assertThat(RabbitPoller.inFlightFor(350, 100)).isEqualTo(4);
    assertThat(RabbitPoller.inFlightFor(10_000, 100)).isEqualTo(RabbitPoller.MAX_IN_FLIGHT);
    assertThat(RabbitPoller.inFlightFor(Long.MAX_VALUE / 2, 1)).isEqualTo(RabbitPoller.MAX_IN_FLIGHT);
  }
}
