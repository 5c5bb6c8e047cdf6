package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingStore;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A NATS JetStream mapping's poller ({@link BatchPoller} does the batching, retries and backoff): a
 * durable pull consumer on the stream (made if missing: explicit acknowledgements, the source's
 * subject filter and start policy, an acknowledgement wait of {@link #ACK_WAIT}), fetched on the
 * poller's thread up to a batch at a time. A batch's messages are acknowledged only after it
 * succeeded or was kept in the failures list (then the connection is flushed, so the server has the
 * acknowledgements); before each retry they are marked in progress, so the server does not deliver
 * them again meanwhile. A message not acknowledged within the wait (the daemon gone) is delivered
 * again by the server. The queue depth is the consumer's pending count. A pause stops fetching;
 * what was fetched and not handled comes again after the wait.
 *
 * <p>Lambda has no NATS source; the event follows its shape for brokers: {@code
 * {"eventSource":"pilotlight:nats","eventSourceArn":"nats://HOST:PORT/STREAM","records":[{"subject",
 * "data" (base64),"headers":{NAME:[VALUES]},"stream","consumer","streamSequence","consumerSequence",
 * "deliveredCount","timestamp"}]}}.
 */
final class NatsPoller extends BatchPoller<Message> {
  /** How long the server waits for a message's acknowledgement before it delivers it again. */
  static final Duration ACK_WAIT = Duration.ofMinutes(5);
  static final long DEPTH_BUSY_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long DEPTH_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NatsSource source;
  private volatile Connection connection;
  private JetStreamSubscription subscription;
  private final ArrayDeque<Message> fetched = new ArrayDeque<>();
  private long askedAt;

  NatsPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    super(mapping, invoker, store, clock, log);
    this.source = NatsSource.parse(mapping.source());
  }

  static Options options(NatsSource s) {
    Options.Builder b = new Options.Builder().server(s.serverUrl()).connectionTimeout(Duration.ofSeconds(5)).maxReconnects(0)
        .connectionName("pilotlight").noNoResponders()
        .errorListener(new io.nats.client.ErrorListener() {}); // the poller says what failed (its state, a SOURCE line), not the client's logger
    if (s.user() != null && s.password() != null) {
      b.userInfo(s.user().toCharArray(), s.password().toCharArray());
    } else if (s.user() != null) {
      b.token(s.user().toCharArray());
    }
    if (s.tls()) {
      try {
        b.secure();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("TLS: " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /** Connects once and asks for the stream, as the poller will: an unreachable server, refused credentials or no such stream are named. */
  static void check(NatsSource s) {
    try (Connection c = Nats.connect(options(s))) {
      try {
        c.jetStreamManagement().getStreamInfo(s.stream());
      } catch (JetStreamApiException e) {
        throw new IllegalArgumentException("stream '" + s.stream() + "' does not exist at " + s.host() + ":" + s.port() + " ("
            + e.getErrorDescription() + ")");
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException e) {
      String why = describe(e);
      throw new IllegalArgumentException(why.toLowerCase(java.util.Locale.ROOT).contains("authorization")
          ? "the NATS server at " + s.host() + ":" + s.port() + " refused the credentials"
          : "cannot reach the NATS server at " + s.host() + ":" + s.port() + " (" + why + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalArgumentException("interrupted while checking the NATS server at " + s.host() + ":" + s.port());
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot use the NATS server at " + s.host() + ":" + s.port() + " (" + describe(e) + ")");
    }
  }

  /** The event a batch becomes. */
  static byte[] event(NatsSource s, List<Message> batch) {
    ObjectNode root = JSON.createObjectNode();
    root.put("eventSource", "pilotlight:nats");
    root.put("eventSourceArn", s.arn());
    ArrayNode records = root.putArray("records");
    for (Message m : batch) {
      ObjectNode r = records.addObject();
      r.put("subject", m.getSubject());
      r.put("data", Base64.getEncoder().encodeToString(m.getData() == null ? new byte[0] : m.getData()));
      ObjectNode headers = r.putObject("headers");
      Headers h = m.getHeaders();
      if (h != null) {
        for (String key : h.keySet()) {
          ArrayNode values = headers.putArray(key);
          h.get(key).forEach(values::add);
        }
      }
      if (m.isJetStream()) {
        NatsJetStreamMetaData meta = m.metaData();
        r.put("stream", meta.getStream());
        r.put("consumer", meta.getConsumer());
        r.put("streamSequence", meta.streamSequence());
        r.put("consumerSequence", meta.consumerSequence());
        r.put("deliveredCount", meta.deliveredCount());
        r.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(meta.timestamp()));
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a filter pattern is matched against: {@code {"subject", "data"}}, the data parsed when it is JSON, else its text. */
  static JsonNode filterView(String subject, byte[] data) {
    ObjectNode view = JSON.createObjectNode();
    view.put("subject", subject);
    JsonNode parsed;
    try {
      parsed = data == null || data.length == 0 ? null : JSON.readTree(data);
    } catch (IOException notJson) {
      parsed = null;
    }
    if (parsed == null || parsed.isMissingNode()) {
      view.put("data", data == null ? "" : new String(data, StandardCharsets.UTF_8));
    } else {
      view.set("data", parsed);
    }
    return view;
  }

  // ---- BatchPoller ------------------------------------------------------------------------------

  @Override
  String shown() {
    return source.toString();
  }

  @Override
  void consume() throws Exception {
    fetched.clear();
    Connection c = Nats.connect(options(source));
    connection = c;
    JetStreamManagement jsm = c.jetStreamManagement();
    String durable = source.durable(mapping.uuid());
    try {
      jsm.getConsumerInfo(source.stream(), durable);
    } catch (JetStreamApiException missing) {
      ConsumerConfiguration.Builder cc = ConsumerConfiguration.builder().durable(durable).ackPolicy(AckPolicy.Explicit).ackWait(ACK_WAIT)
          .deliverPolicy(source.startNew() ? DeliverPolicy.New : DeliverPolicy.All)
          .maxAckPending(Math.max(1_000, 2L * mapping.batchSize()));
      if (source.subject() != null) {
        cc.filterSubject(source.subject());
      }
      jsm.addOrUpdateConsumer(source.stream(), cc.build());
    }
    subscription = c.jetStream().subscribe(null, PullSubscribeOptions.bind(source.stream(), durable));
    askedAt = 0;
    pump(this::next);
  }

  /** The next fetched message; fetches up to a batch when none is left, waiting up to {@code nanos} (0: only what is there). */
  private Message next(long nanos) {
    if (fetched.isEmpty() && nanos > 0) {
      long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
      fetched.addAll(subscription.fetch(mapping.batchSize(), Duration.ofMillis(ms)));
    }
    return fetched.pollFirst();
  }

  @Override
  void checkOpen() throws IOException {
    Connection c = connection;
    if (c == null || c.getStatus() != Connection.Status.CONNECTED) {
      throw new IOException("the connection to the NATS server closed" + (c == null ? "" : " (" + c.getStatus() + ")"));
    }
  }

  @Override
  void housekeep(boolean afterBatch) throws Exception {
    if (System.nanoTime() - askedAt > (afterBatch ? DEPTH_BUSY_NANOS : DEPTH_IDLE_NANOS)) {
      queueDepth = connection.jetStreamManagement().getConsumerInfo(source.stream(), source.durable(mapping.uuid())).getNumPending();
      askedAt = System.nanoTime();
    }
  }

  @Override
  void retrying(List<Message> batch) {
    batch.forEach(Message::inProgress); // the server waits again before it delivers them anew
  }

  @Override
  void ack(List<Message> all) throws Exception {
    for (Message m : all) {
      m.ack();
    }
    connection.flush(Duration.ofSeconds(5)); // the server has them once this returns
  }

  @Override
  JsonNode matchView(Message m) {
    return filterView(m.getSubject(), m.getData());
  }

  @Override
  byte[] event(List<Message> batch) {
    return event(source, batch);
  }

  @Override
  void disconnect() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
  }

  /** Deletes the mapping's own durable consumer (not one the source named); best effort. */
  @Override
  public void forget() {
    if (source.consumer() != null) {
      return;
    }
    try (Connection c = Nats.connect(options(source))) {
      c.jetStreamManagement().deleteConsumer(source.stream(), source.durable(mapping.uuid()));
    } catch (Exception e) {
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": could not delete its consumer " + source.durable(mapping.uuid()) + " ("
          + describe(e) + ")");
    }
  }
}
