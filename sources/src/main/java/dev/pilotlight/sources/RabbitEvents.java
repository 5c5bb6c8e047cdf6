package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The event Lambda sends for a batch from a RabbitMQ queue (Amazon MQ for RabbitMQ): {@code
 * eventSource: aws:rmq}, the broker as {@code eventSourceArn}, and {@code rmqMessagesByQueue} keyed by
 * {@code QUEUE::VHOST}, each message with its {@code basicProperties}, {@code redelivered} and its body
 * base64-encoded in {@code data} — the shape {@code aws-lambda-java-events}' {@code RabbitMQEvent}
 * reads.
 */
final class RabbitEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RabbitEvents() {}

  /** One delivery as read from the channel. */
  record Message(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {}

  /**
   * What a filter pattern is matched against: {@code {"data": the body (parsed when it is JSON, else a
   * string), "basicProperties": {…}}}.
   */
  static JsonNode matchView(Message m) {
    ObjectNode view = JSON.createObjectNode();
    JsonNode data;
    try {
      data = JSON.readTree(m.body());
    } catch (java.io.IOException notJson) {
      data = null;
    }
    if (data == null || data.isMissingNode()) {
      view.put("data", new String(m.body(), java.nio.charset.StandardCharsets.UTF_8));
    } else {
      view.set("data", data);
    }
    ObjectNode holder = JSON.createObjectNode();
    properties(holder.putObject("basicProperties"), m);
    view.set("basicProperties", holder.get("basicProperties"));
    return view;
  }

  static byte[] event(String mappingUuid, RabbitSource source, List<Message> batch) {
    ObjectNode root = JSON.createObjectNode();
    root.put("eventSource", "aws:rmq");
    root.put("eventSourceArn", "arn:aws:mq:us-east-1:000000000000:broker:pilotlight:b-" + mappingUuid);
    ArrayNode messages = root.putObject("rmqMessagesByQueue").putArray(source.key());
    for (Message m : batch) {
      ObjectNode msg = messages.addObject();
      properties(msg.putObject("basicProperties"), m);
      msg.put("redelivered", m.envelope().isRedeliver());
      msg.put("data", Base64.getEncoder().encodeToString(m.body()));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void properties(ObjectNode p, Message m) {
    AMQP.BasicProperties b = m.properties() == null ? new AMQP.BasicProperties() : m.properties();
    p.put("contentType", b.getContentType());
    p.put("contentEncoding", b.getContentEncoding());
    ObjectNode headers = p.putObject("headers");
    if (b.getHeaders() != null) {
      for (Map.Entry<String, Object> h : b.getHeaders().entrySet()) {
        headers.put(h.getKey(), h.getValue() == null ? null : h.getValue().toString());
      }
    }
    if (b.getDeliveryMode() != null) {
      p.put("deliveryMode", b.getDeliveryMode());
    } else {
      p.putNull("deliveryMode");
    }
    if (b.getPriority() != null) {
      p.put("priority", b.getPriority());
    } else {
      p.putNull("priority");
    }
    p.put("correlationId", b.getCorrelationId());
    p.put("replyTo", b.getReplyTo());
    p.put("expiration", b.getExpiration());
    p.put("messageId", b.getMessageId());
    p.put("timestamp", b.getTimestamp() == null ? null : b.getTimestamp().toInstant().toString());
    p.put("type", b.getType());
    p.put("userId", b.getUserId());
    p.put("appId", b.getAppId());
    p.put("clusterId", b.getClusterId());
    p.put("bodySize", m.body().length);
  }
}
