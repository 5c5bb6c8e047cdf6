package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The event Lambda sends for a batch of self-managed Kafka records ({@code eventSource:
 * SelfManagedKafka}, records grouped by {@code TOPIC-PARTITION}, key and value base64-encoded), and
 * what a filter pattern is matched against — the shape {@code aws-lambda-java-events}' {@code
 * KafkaEvent} reads. Pure: {@link KafkaPoller} calls it for each batch.
 */
final class KafkaEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KafkaEvents() {}

  /** Lambda's self-managed Kafka event for {@code batch}: records grouped by {@code TOPIC-PARTITION}, each group in offset order. */
  static byte[] event(KafkaSource s, List<ConsumerRecord<byte[], byte[]>> batch) {
    ObjectNode root = JSON.createObjectNode();
    root.put("eventSource", "SelfManagedKafka");
    root.put("bootstrapServers", s.bootstrap());
    ObjectNode records = root.putObject("records");
    Map<String, ArrayNode> byPartition = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      ArrayNode list = byPartition.computeIfAbsent(r.topic() + "-" + r.partition(), records::putArray);
      ObjectNode o = list.addObject();
      o.put("topic", r.topic());
      o.put("partition", r.partition());
      o.put("offset", r.offset());
      o.put("timestamp", r.timestamp());
      o.put("timestampType", r.timestampType().name());
      if (r.key() != null) {
        o.put("key", Base64.getEncoder().encodeToString(r.key()));
      }
      if (r.value() != null) {
        o.put("value", Base64.getEncoder().encodeToString(r.value()));
      } else {
        o.putNull("value");
      }
      ArrayNode headers = o.putArray("headers");
      for (Header h : r.headers()) {
        ArrayNode bytes = headers.addObject().putArray(h.key());
        if (h.value() != null) {
          for (byte b : h.value()) {
            bytes.add(b & 0xff);
          }
        }
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What a filter pattern is matched against: {@code {"value": …}}, the value parsed when it is JSON
   * (an object, or any JSON value), else as a UTF-8 string — Lambda filters Kafka records on {@code
   * value} only.
   */
  static JsonNode filterView(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode view = JSON.createObjectNode();
    if (r.value() == null) {
      view.putNull("value");
      return view;
    }
    JsonNode value;
    try {
      value = JSON.readTree(r.value());
    } catch (IOException notJson) {
      value = null;
    }
    if (value == null || value.isMissingNode()) {
      view.put("value", new String(r.value(), StandardCharsets.UTF_8));
    } else {
      view.set("value", value);
    }
    return view;
  }
}
