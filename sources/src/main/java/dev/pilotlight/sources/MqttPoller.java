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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One MQTT mapping's poller: a client of its own with a persistent session (clean session off, a
 * client id made from the mapping's uuid) subscribed at QoS 1, so messages published while the
 * daemon is away wait in the broker. Messages are acknowledged (PUBACK) by hand only after the
 * function succeeded, or after the batch was given up on and kept in the function's failures list.
 * Batching, retries, filters and the {@code Problem} state with backoff are as for RabbitMQ ({@link
 * RabbitPoller}); a broker lets only so many QoS 1 messages be unacknowledged at once (Mosquitto's
 * {@code max_inflight_messages}, 20 by default), so a batch holds at most that many.
 *
 * <p>The event (Lambda has no MQTT source; the shape follows its self-managed Kafka event): {@code
 * {"eventSource":"pilotlight:mqtt","eventSourceArn":"mqtt://HOST:PORT?topic=FILTER","records":[{"topic",
 * "qos","retained","duplicate","messageId","data" (base64)}]}}.
 */
final class MqttPoller implements SourcePoller {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Message(String topic, MqttMessage message) {}

  private final EventSourceMapping mapping;
  private final MqttSource source;
  private final EventInvoker invoker;
  private final MappingStore store;
  private final InstantSource clock;
  private final EventSources.Log log;
  private final List<FilterPattern> filters;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean enabled;
  private volatile String state = "Creating";
  private volatile String lastError;
  private volatile MqttClient client;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong failedMessages = new AtomicLong();
  private final AtomicLong filteredMessages = new AtomicLong();

  MqttPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    this.mapping = mapping;
    this.source = MqttSource.parse(mapping.source());
    this.invoker = invoker;
    this.store = store;
    this.clock = clock;
    this.log = log;
    this.enabled = mapping.enabled();
    this.filters = mapping.filters().stream().map(FilterPattern::parse).toList();
    this.thread = Thread.ofPlatform().daemon().name("source-" + mapping.uuid().substring(0, 8)).unstarted(this::run);
  }

  /** The client id of a mapping's session: stable across restarts, 23 characters (MQTT 3.1.1's guaranteed length). */
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

  /** Connects once with a throwaway clean session, as the poller will connect, and subscribes to check the filter. */
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
          : "cannot reach the MQTT broker at " + s.host() + ":" + s.port() + " (" + RabbitPoller.describe(e) + ")";
      throw new IllegalArgumentException(why);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("source: " + e.getMessage());
    }
  }

  @Override
  public EventSourceMapping mapping() {
    return mapping.withEnabled(enabled);
  }

  @Override
  public void start() {
    thread.start();
  }

  @Override
  public String state() {
    return !enabled ? "Disabled" : state;
  }

  @Override
  public String lastError() {
    return lastError;
  }

  @Override
  public long batches() {
    return batches.get();
  }

  @Override
  public long messages() {
    return messages.get();
  }

  @Override
  public long failedMessages() {
    return failedMessages.get();
  }

  @Override
  public long filteredMessages() {
    return filteredMessages.get();
  }

  @Override
  public long queueDepth() {
    return -1; // MQTT brokers do not say
  }

  @Override
  public synchronized void enable(boolean on) {
    enabled = on;
    notifyAll();
  }

  private void run() {
    long backoffMs = 1000;
    while (!closed) {
      synchronized (this) {
        while (!enabled && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            if (closed) {
              return;
            }
          }
        }
      }
      if (closed) {
        return;
      }
      try {
        consume();
        backoffMs = 1000;
      } catch (Exception e) {
        if (closed) {
          return;
        }
        if (!enabled) {
          continue;
        }
        String why = RabbitPoller.describe(e);
        if (!"Problem".equals(state) || !why.equals(lastError)) {
          log.line(mapping.function(), "SOURCE " + mapping.uuid() + " (" + source + "): " + why + "; trying again in " + backoffMs + " ms");
        }
        state = "Problem";
        lastError = why;
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, RabbitPoller.MAX_BACKOFF.toMillis());
      } finally {
        disconnect();
      }
    }
  }

  private void consume() throws MqttException, InterruptedException, IOException {
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
    if (!"Enabled".equals(state)) {
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + " (" + source + "): consuming");
    }
    state = "Enabled";
    lastError = null;
    while (!closed && enabled) {
      if (!c.isConnected()) {
        throw new IOException("the connection to the broker was lost");
      }
      Message first = inbox.poll(500, TimeUnit.MILLISECONDS);
      if (first == null) {
        continue;
      }
      List<Message> batch = new ArrayList<>();
      batch.add(first);
      long deadline = System.nanoTime() + mapping.batchWindow().toNanos();
      while (batch.size() < mapping.batchSize()) {
        long left = deadline - System.nanoTime();
        Message m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : inbox.poll();
        if (m == null) {
          break;
        }
        batch.add(m);
      }
      process(c, batch);
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

  private byte[] event(List<Message> batch) {
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

  private void ack(MqttClient c, List<Message> all) throws MqttException {
    for (Message m : all) {
      if (m.message().getQos() > 0) {
        c.messageArrivedComplete(m.message().getId(), m.message().getQos());
      }
    }
  }

  private void process(MqttClient c, List<Message> all) throws MqttException, InterruptedException {
    List<Message> batch = all;
    if (!filters.isEmpty()) {
      batch = all.stream().filter(m -> filters.stream().anyMatch(f -> f.matches(matchView(m.topic(), m.message())))).toList();
      filteredMessages.addAndGet(all.size() - batch.size());
      if (batch.isEmpty()) {
        ack(c, all);
        return;
      }
    }
    byte[] event = event(batch);
    String error = null;
    String requestId = null;
    for (int attempt = 0; attempt <= mapping.maxRetries() && !closed && enabled; attempt++) {
      if (attempt > 0) {
        sleep(Math.min(1000L << Math.min(attempt - 1, 15), RabbitPoller.MAX_BACKOFF.toMillis()));
        if (closed || !enabled) {
          return; // not acknowledged: the broker sends the batch again on the next connection
        }
      }
      requestId = UUID.randomUUID().toString();
      EventInvoker.Outcome o;
      try {
        o = invoker.invoke(mapping.function(), requestId, event).get();
      } catch (ExecutionException e) {
        o = new EventInvoker.Outcome(String.valueOf(e.getCause()));
      }
      if (o.succeeded()) {
        ack(c, all);
        batches.incrementAndGet();
        messages.addAndGet(batch.size());
        return;
      }
      error = o.error();
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": a batch of " + batch.size() + " failed (attempt " + (attempt + 1) + " of "
          + (mapping.maxRetries() + 1) + "): " + error);
    }
    if (closed || !enabled) {
      return;
    }
    store.recordFailed(mapping.function(), requestId, event, error, clock.instant());
    log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": a batch of " + batch.size() + " message(s) kept in the failures list "
        + "(request " + requestId + ") after " + (mapping.maxRetries() + 1) + " failed attempt(s)");
    ack(c, all);
    batches.incrementAndGet();
    failedMessages.addAndGet(batch.size());
  }

  private void sleep(long ms) {
    synchronized (this) {
      long end = System.currentTimeMillis() + ms;
      long left;
      while (!closed && (left = end - System.currentTimeMillis()) > 0) {
        try {
          wait(left);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void disconnect() {
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

  /** Ends the mapping's persistent session: connecting with a clean session under its client id makes the broker drop it. */
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
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": could not end its session at the broker (" + RabbitPoller.describe(e)
          + "); the broker may keep queueing for client " + clientId(mapping.uuid()));
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    disconnect();
    thread.interrupt();
  }
}
