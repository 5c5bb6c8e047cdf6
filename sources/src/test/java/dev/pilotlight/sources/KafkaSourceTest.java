package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.source.EventSourceMapping;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Kafka source URIs (read, defaults, redaction, refusals), the event a batch becomes and what filters see. */
class KafkaSourceTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, String key, String value, TimestampType type,
      RecordHeaders headers) {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    return new ConsumerRecord<>(topic, partition, offset, 1_545_084_650_987L + offset, type, k == null ? -1 : k.length, v == null ? -1 : v.length,
        k, v, headers, Optional.empty());
  }

  @Test
  void sourcesAreReadWithTheirDefaults() {
    assertThat(KafkaSource.handles("kafka://h?topic=t")).isTrue();
    assertThat(KafkaSource.handles("KAFKAS://h?topic=t")).isTrue();
    assertThat(KafkaSource.handles("mqtt://h?topic=t")).isFalse();
    assertThat(KafkaSource.parse("kafka://127.0.0.1:9092?topic=orders"))
        .isEqualTo(new KafkaSource(List.of("127.0.0.1:9092"), null, null, "orders", null, "latest", null, false));
    KafkaSource two = KafkaSource.parse("kafka://k1.local,k2.local:9093/?topic=a.b_c-1&group=billing&start=TRIM_HORIZON");
    assertThat(two.servers()).containsExactly("k1.local:9092", "k2.local:9093");
    assertThat(two.bootstrap()).isEqualTo("k1.local:9092,k2.local:9093");
    assertThat(two.group()).isEqualTo("billing");
    assertThat(two.start()).isEqualTo("trim_horizon");
    assertThat(two.securityProtocol()).isEqualTo("PLAINTEXT");
    KafkaSource sasl = KafkaSource.parse("kafkas://app:s%3Acr%40t@[::1]:9094?topic=t&sasl=scram-sha-512");
    assertThat(sasl.user()).isEqualTo("app");
    assertThat(sasl.password()).isEqualTo("s:cr@t");
    assertThat(sasl.servers()).containsExactly("[::1]:9094");
    assertThat(sasl.sasl()).isEqualTo("SCRAM-SHA-512");
    assertThat(sasl.securityProtocol()).isEqualTo("SASL_SSL");
    assertThat(KafkaSource.parse("kafka://u:p@h?topic=t").sasl()).isEqualTo("PLAIN");
    assertThat(KafkaSource.parse("kafka://u:p@h?topic=t").securityProtocol()).isEqualTo("SASL_PLAINTEXT");
    assertThat(KafkaSource.parse("kafkas://h?topic=t").securityProtocol()).isEqualTo("SSL");
    assertThat(KafkaClients.group(KafkaSource.parse("kafka://h?topic=t"), "uuid-1")).isEqualTo("uuid-1");
    assertThat(KafkaClients.group(KafkaSource.parse("kafka://h?topic=t&group=g"), "uuid-1")).isEqualTo("g");
  }

  @Test
  void theSourceIsShownWithoutItsPassword() {
    KafkaSource s = KafkaSource.parse("kafka://app:s3cr3t@h1:9092,h2:9092?topic=t");
    assertThat(s.toString()).isEqualTo("kafka://app:****@h1:9092,h2:9092?topic=t&start=latest&sasl=plain");
    // the stored source as the API and the CLI show it: a list of hosts is no server-based authority
    assertThat(EventSourceMapping.redact("kafka://app:s3cr3t@h1:9092,h2:9092?topic=t")).isEqualTo("kafka://app:****@h1:9092,h2:9092?topic=t");
    assertThat(EventSourceMapping.redact("kafka://h1:9092,h2:9092?topic=t")).isEqualTo("kafka://h1:9092,h2:9092?topic=t");
  }

  @Test
  void badSourcesSayWhatIsWrong() {
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h:9092")).hasMessageContaining("no topic");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://?topic=t")).hasMessageContaining("no host");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h1,,h2?topic=t")).hasMessageContaining("empty host");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h:99999?topic=t")).hasMessageContaining("port '99999'");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h:x?topic=t")).hasMessageContaining("port 'x'");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h?topic=a/b")).hasMessageContaining("not a Kafka topic name");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h?topic=t&start=at_timestamp")).hasMessageContaining("start=at_timestamp");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h?topic=t&acks=all")).hasMessageContaining("unknown parameter 'acks'");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h?topic=t&group=")).hasMessageContaining("empty consumer group");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h?topic=t&sasl=plain")).hasMessageContaining("needs a user");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://u:p@h?topic=t&sasl=gssapi")).hasMessageContaining("sasl=gssapi");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://h/path?topic=t")).hasMessageContaining("no path");
    assertThatThrownBy(() -> KafkaSource.parse("kafka://bad host?topic=t")).hasMessageContaining("not a host name");
  }

  @Test
  void aBatchBecomesLambdasSelfManagedKafkaEvent() throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add("headerKey", "headerValue".getBytes(StandardCharsets.UTF_8));
    headers.add("raw", new byte[] {(byte) 0xff, 0});
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(
        record("mytopic", 0, 15, "recordKey", "{\"key\":\"value\"}", TimestampType.CREATE_TIME, headers),
        record("mytopic", 1, 3, null, "b", TimestampType.LOG_APPEND_TIME, new RecordHeaders()),
        record("mytopic", 0, 16, null, null, TimestampType.CREATE_TIME, new RecordHeaders()));
    JsonNode e = JSON.readTree(KafkaEvents.event(KafkaSource.parse("kafka://b-1:9092,b-2:9092?topic=mytopic"), batch));
    assertThat(e.path("eventSource").asText()).isEqualTo("SelfManagedKafka");
    assertThat(e.path("bootstrapServers").asText()).isEqualTo("b-1:9092,b-2:9092");
    assertThat(e.path("records").size()).isEqualTo(2);
    JsonNode p0 = e.path("records").path("mytopic-0");
    assertThat(p0).hasSize(2);
    JsonNode first = p0.get(0);
    assertThat(first.path("topic").asText()).isEqualTo("mytopic");
    assertThat(first.path("partition").isInt()).isTrue();
    assertThat(first.path("partition").asInt()).isZero();
    assertThat(first.path("offset").asLong()).isEqualTo(15);
    assertThat(first.path("timestamp").asLong()).isEqualTo(1_545_084_650_987L + 15);
    assertThat(first.path("timestampType").asText()).isEqualTo("CREATE_TIME");
    assertThat(first.path("key").asText()).isEqualTo("cmVjb3JkS2V5");
    assertThat(first.path("value").asText()).isEqualTo("eyJrZXkiOiJ2YWx1ZSJ9");
    assertThat(first.path("headers").get(0).path("headerKey").toString()).isEqualTo("[104,101,97,100,101,114,86,97,108,117,101]");
    assertThat(first.path("headers").get(1).path("raw").toString()).isEqualTo("[255,0]");
    JsonNode tombstone = p0.get(1);
    assertThat(tombstone.path("offset").asLong()).isEqualTo(16);
    assertThat(tombstone.has("key")).isFalse();
    assertThat(tombstone.path("value").isNull()).isTrue();
    JsonNode other = e.path("records").path("mytopic-1").get(0);
    assertThat(other.path("timestampType").asText()).isEqualTo("LOG_APPEND_TIME");
    assertThat(other.path("headers")).isEmpty();
  }

  @Test
  void filtersSeeTheValueParsedWhenItIsJsonElseAString() {
    JsonNode json = KafkaEvents.filterView(record("t", 0, 0, "k", "{\"device_ID\":\"AB1234\",\"n\":5}", TimestampType.CREATE_TIME,
        new RecordHeaders()));
    assertThat(json.path("value").path("device_ID").asText()).isEqualTo("AB1234");
    assertThat(json.size()).isEqualTo(1);
    assertThat(FilterPattern.parse("{\"value\": {\"device_ID\": [{\"prefix\": \"AB\"}]}}").matches(json)).isTrue();
    assertThat(FilterPattern.parse("{\"value\": {\"n\": [{\"numeric\": [\">\", 9]}]}}").matches(json)).isFalse();
    JsonNode plain = KafkaEvents.filterView(record("t", 0, 0, null, "Hello, this is a test.", TimestampType.CREATE_TIME, new RecordHeaders()));
    assertThat(plain.path("value").asText()).isEqualTo("Hello, this is a test.");
    assertThat(FilterPattern.parse("{\"value\": [{\"prefix\": \"Hello\"}]}").matches(plain)).isTrue();
    assertThat(KafkaEvents.filterView(record("t", 0, 0, null, null, TimestampType.CREATE_TIME, new RecordHeaders())).path("value").isNull())
        .isTrue();
  }
}
