package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An MQTT mapping's poller ({@link BatchPoller} does the batching, retries and backoff): a client of
 * its own with a persistent session (clean session off, a client id made from the mapping's uuid)
 * subscribed at the source's QoS, so QoS 1 messages published while the mapping is paused or the
 * daemon is away wait in the broker. Each message is acknowledged ({@code PUBACK}) by hand only after
 * its batch succeeded or was kept in the function's failures list. A broker lets only so many QoS 1
 * messages be unacknowledged at once (Mosquitto's {@code max_inflight_messages}, 20 by default), so a
 * batch holds at most that many. MQTT brokers do not say how many messages wait: no queue depth.
 *
 * <p>The event (Lambda has no MQTT source; the shape follows its self-managed Kafka event): {@code
 * {"eventSource":"pilotlight:mqtt","eventSourceArn":"mqtt://HOST:PORT?topic=FILTER","records":[{"topic",
 * "qos","retained","duplicate","messageId","data" (base64)}]}}.
 */
final class MqttPoller extends BatchPoller<MqttPoller.Message> {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Message(String topic, MqttMessage message) {}

  private final MqttSource source;
  private volatile MqttClient client;

  MqttPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    super(mapping, invoker, store, clock, log);
    this.source = MqttSource.parse(mapping.source());
  }

  static String clientId(String uuid) {
    return "pl-" + uuid.replace("-", "").substring(0, 20);
  }
  static MqttConnectOptions options(MqttSource s, boolean cleanSession) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(cleanSession);
    o.setAutomaticReconnect(false); // the poller reconnects itself, with backoff and a state to show
    o.setConnectionTimeout(5);
    o.setKeepAliveInterval(30);
    if (s.user() != null) {
      o.setUserName(s.user());
      o.setPassword(s.password().toCharArray());
    }
    return o;
  }
  static void check(MqttSource s) {
    try {
      MqttClient c = new MqttClient(s.serverUri(), "pl-check-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
      try {
        c.connect(options(s, true));
        c.subscribe(s.topic(), s.qos());
        c.disconnect(1000);
      } finally {
        c.close(true);
      }
    } catch (MqttException e) {
      String why = e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
          || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED
          ? "the broker at " + s.host() + ":" + s.port() + " refused the credentials" + (s.user() == null ? "" : " of user '" + s.user() + "'")
          : "cannot reach the MQTT broker at " + s.host() + ":" + s.port() + " (" + describe(e) + ")";
      throw new IllegalArgumentException(why);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("source: " + e.getMessage());
    }
  }
  static JsonNode matchView(String topic, MqttMessage m) {
    ObjectNode view = JSON.createObjectNode();
    JsonNode data;
    try {
      data = JSON.readTree(m.getPayload());
    } catch (IOException notJson) {
      data = null;
    }
    if (data == null || data.isMissingNode()) {
      view.put("data", new String(m.getPayload(), StandardCharsets.UTF_8));
    } else {
      view.set("data", data);
    }
    view.put("topic", topic);
    return view;
  }
  @Override
  byte[] event(List<Message> batch) {
    ObjectNode root = JSON.createObjectNode();
    root.put("eventSource", "pilotlight:mqtt");
    root.put("eventSourceArn", "mqtt://" + source.host() + ":" + source.port() + "?topic=" + source.topic());
    ArrayNode records = root.putArray("records");
    for (Message m : batch) {
      ObjectNode r = records.addObject();
      r.put("topic", m.topic());
      r.put("qos", m.message().getQos());
      r.put("retained", m.message().isRetained());
      r.put("duplicate", m.message().isDuplicate());
      r.put("messageId", m.message().getId());
      r.put("data", Base64.getEncoder().encodeToString(m.message().getPayload()));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
  @Override
  public void forget() {
    try {
      MqttClient c = new MqttClient(source.serverUri(), clientId(mapping.uuid()), new MemoryPersistence());
      try {
        c.connect(options(source, true));
        c.disconnect(1000);
      } finally {
        c.close(true);
      }
    } catch (MqttException e) {
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": could not end its session at the broker (" + describe(e)
          + "); the broker may keep queueing for client " + clientId(mapping.uuid()));
    }
  }

  @Override
  String shown() {
    return source.toString();
  }

  @Override
  void consume() throws Exception {
    BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    MqttClient c = new MqttClient(source.serverUri(), clientId(mapping.uuid()), new MemoryPersistence());
    client = c;
    c.setManualAcks(true);
    c.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        // seen by the loop: isConnected() turns false
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        inbox.add(new Message(topic, message));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    c.connect(options(source, false));
    c.subscribe(source.topic(), source.qos());
    pump(inbox);
  }

  @Override
  void checkOpen() throws IOException {
    MqttClient c = client;
    if (c == null || !c.isConnected()) {
      throw new IOException("the connection to the broker was lost");
    }
  }

  @Override
  void ack(List<Message> all) throws MqttException {
    for (Message m : all) {
      if (m.message().getQos() > 0) {
        client.messageArrivedComplete(m.message().getId(), m.message().getQos());
      }
    }
  }

  @Override
  JsonNode matchView(Message m) {
    return matchView(m.topic(), m.message());
  }

  @Override
  void disconnect() {
    MqttClient c = client;
    client = null;
    if (c != null) {
      try {
        if (c.isConnected()) {
          c.disconnectForcibly(0, 1000);
        }
      } catch (MqttException ignored) {
        // already gone
      }
      try {
        c.close(true);
      } catch (MqttException ignored) {
        // already closed
      }
    }
  }
}
