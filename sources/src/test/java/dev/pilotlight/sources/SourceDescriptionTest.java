package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A stored source taken apart as its poller reads it, never with its password. */
class SourceDescriptionTest {
  @Test
  void aRabbitQueueWithItsDefaults() {
    assertThat(EventSources.describe("rabbitmq://127.0.0.1/%2F?queue=orders"))
        .isEqualTo(new SourceDescription.Rabbit("127.0.0.1", 5672, "/", "guest", "orders", false));
    assertThat(EventSources.describe("amqps://app:s%40cret@mq.example/prod?queue=a%20b"))
        .isEqualTo(new SourceDescription.Rabbit("mq.example", 5671, "prod", "app", "a b", true));
  }

  @Test
  void aKafkaTopicWithSeveralServers() {
    assertThat(EventSources.describe("kafka://app:secret@k1:9092,k2:9092?topic=orders&group=g&start=trim_horizon&sasl=scram-sha-512"))
        .isEqualTo(new SourceDescription.Kafka(List.of("k1:9092", "k2:9092"), "app", "orders", "g", "trim_horizon", "SCRAM-SHA-512", false));
    SourceDescription.Kafka plain = (SourceDescription.Kafka) EventSources.describe("kafkas://k1:9093?topic=t");
    assertThat(plain.user()).isNull();
    assertThat(plain.group()).as("the mapping's own").isNull();
    assertThat(plain.start()).isEqualTo("latest");
    assertThat(plain.tls()).isTrue();
  }

  @Test
  void otherSourcesAreShownWithoutTheirPassword() {
    SourceDescription d = EventSources.describe("nats://app:secret@127.0.0.1:4222?stream=S&subject=orders.>");
    assertThat(d).isInstanceOf(SourceDescription.Other.class);
    assertThat(((SourceDescription.Other) d).shown()).contains("stream=S").doesNotContain("secret");
    assertThat(EventSources.describe("mqtt://u:pw@h:1883?topic=a/#").toString()).doesNotContain("pw@");
  }
}
