package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.sources.EventSources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LambdaEventSourceMappingsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode req(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void amazonMqsShapeWithTheBrokersAddressBecomesARabbitSource() throws Exception {
    assertThat(LambdaEventSourceMappings.sourceOf(req("""
        {"FunctionName": "f", "EventSourceArn": "amqp://127.0.0.1:5672", "Queues": ["orders"],
         "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": "guest:p@ss"}, {"Type": "VIRTUAL_HOST", "URI": "/"}]}
        """))).isEqualTo("amqp://guest:p%40ss@127.0.0.1:5672/%2F?queue=orders");
    assertThat(LambdaEventSourceMappings.sourceOf(req("""
        {"EventSourceArn": "amqps://mq.example:5671", "Queues": ["a b"], "SourceAccessConfigurations": [{"Type": "VIRTUAL_HOST", "URI": "prod"}]}
        """))).isEqualTo("amqps://mq.example:5671/prod?queue=a%20b");
  }

  @Test
  void selfManagedKafkasShapeBecomesAKafkaSource() throws Exception {
    assertThat(LambdaEventSourceMappings.sourceOf(req("""
        {"SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["k1:9092", "k2:9092"]}}, "Topics": ["orders"],
         "StartingPosition": "TRIM_HORIZON", "SelfManagedKafkaEventSourceConfig": {"ConsumerGroupId": "billing"},
         "SourceAccessConfigurations": [{"Type": "SASL_SCRAM_512_AUTH", "URI": "app:secret"}]}
        """))).isEqualTo("kafka://app:secret@k1:9092,k2:9092?topic=orders&group=billing&start=trim_horizon&sasl=scram-sha-512");
    assertThat(LambdaEventSourceMappings.sourceOf(req("""
        {"SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["k1:9092"]}}, "Topics": ["t"]}
        """))).isEqualTo("kafka://k1:9092?topic=t&start=latest");
  }

  @Test
  void aSourceUriIsTakenAsItIs() throws Exception {
    assertThat(LambdaEventSourceMappings.sourceOf(req("{\"EventSourceArn\": \"mqtt://127.0.0.1:1883?topic=sensors/#\"}")))
        .isEqualTo("mqtt://127.0.0.1:1883?topic=sensors/#");
  }

  @Test
  void whatCannotBeMappedIsRefusedWithTheReason() {
    assertThatThrownBy(() -> LambdaEventSourceMappings.sourceOf(req("{\"EventSourceArn\": \"arn:aws:mq:us-east-1:1:broker:b:b-1\", "
        + "\"Queues\": [\"q\"]}"))).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("not an AWS ARN");
    assertThatThrownBy(() -> LambdaEventSourceMappings.sourceOf(req("{\"EventSourceArn\": \"amqp://h:5672\", \"Queues\": [\"q\"], "
        + "\"SourceAccessConfigurations\": [{\"Type\": \"BASIC_AUTH\", \"URI\": \"arn:aws:secretsmanager:us-east-1:1:secret:s\"}]}")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("no Secrets Manager");
    assertThatThrownBy(() -> LambdaEventSourceMappings.sourceOf(req("{\"EventSourceArn\": \"amqp://h:5672\", \"Queues\": [\"a\", \"b\"]}")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("Queues: expected exactly one");
    assertThatThrownBy(() -> LambdaEventSourceMappings.sourceOf(req("{\"SelfManagedEventSource\": {\"Endpoints\": "
        + "{\"KAFKA_BOOTSTRAP_SERVERS\": [\"k:9092\"]}}, \"Topics\": [\"t\"], \"StartingPosition\": \"AT_TIMESTAMP\"}")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("StartingPosition");
    assertThatThrownBy(() -> LambdaEventSourceMappings.sourceOf(req("{\"EventSourceArn\": \"http://h/q\"}")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("expected amqp://HOST:5672");
    assertThatThrownBy(() -> LambdaEventSourceMappings.sourceOf(req("{\"FunctionName\": \"f\"}")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
  }

  static EventSources.View view(String source, String state, String error) {
    EventSourceMapping m = new EventSourceMapping("u-1", "f", source, 10, Duration.ofSeconds(2), 2, null, List.of("{\"data\":[\"x\"]}"), true,
        Instant.ofEpochSecond(1_700_000_000));
    return new EventSources.View(m, state, error, 0, 0, 0, 0, -1);
  }

  @Test
  void aRabbitMappingIsShownInAmazonMqsShapeWithoutItsPassword() {
    Map<String, Object> c = LambdaEventSourceMappings.configuration(view("amqp://guest:secret@127.0.0.1:5672/%2F?queue=orders", "Enabled", null));
    assertThat(c).containsEntry("UUID", "u-1").containsEntry("EventSourceArn", "amqp://127.0.0.1:5672").containsEntry("Queues", List.of("orders"))
        .containsEntry("BatchSize", 10).containsEntry("MaximumBatchingWindowInSeconds", 2L).containsEntry("State", "Enabled")
        .containsEntry("FunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:f").containsEntry("LastProcessingResult", "No records processed")
        .containsEntry("FilterCriteria", Map.of("Filters", List.of(Map.of("Pattern", "{\"data\":[\"x\"]}"))));
    assertThat(c.get("SourceAccessConfigurations")).isEqualTo(List.of(Map.of("Type", "BASIC_AUTH", "URI", "guest:****"),
        Map.of("Type", "VIRTUAL_HOST", "URI", "/")));
    assertThat(c.toString()).doesNotContain("secret");
  }

  @Test
  void aKafkaMappingIsShownInSelfManagedKafkasShape() {
    Map<String, Object> c = LambdaEventSourceMappings.configuration(
        view("kafka://app:secret@k1:9092,k2:9092?topic=orders&start=trim_horizon&sasl=scram-sha-256", "Problem", "broker down"));
    assertThat(c).containsEntry("SelfManagedEventSource", Map.of("Endpoints", Map.of("KAFKA_BOOTSTRAP_SERVERS", List.of("k1:9092", "k2:9092"))))
        .containsEntry("Topics", List.of("orders")).containsEntry("StartingPosition", "TRIM_HORIZON")
        .containsEntry("SelfManagedKafkaEventSourceConfig", Map.of("ConsumerGroupId", "u-1")).containsEntry("State", "Enabled")
        .containsEntry("LastProcessingResult", "PROBLEM: broker down").doesNotContainKey("EventSourceArn");
    assertThat(c.get("SourceAccessConfigurations")).isEqualTo(List.of(Map.of("Type", "SASL_SCRAM_256_AUTH", "URI", "app:****")));
    assertThat(c.toString()).doesNotContain("secret");
  }
}
