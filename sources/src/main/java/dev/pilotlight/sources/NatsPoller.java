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
import io.nats.client.api.ConsumerInfo;
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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A NATS JetStream mapping's poller ({@link BatchPoller} does the batching, retries and backoff): a
 * durable pull consumer on the stream (made if missing: explicit acknowledgements, the source's
 * subject filter and start policy, an acknowledgement wait of {@link #ACK_WAIT}; one that exists
 * must be a pull consumer with explicit acknowledgements), fetched on the poller's thread up to a
 * batch at a time. A batch's messages are acknowledged only after it succeeded or was kept in the
 * failures list (then the connection is flushed, so the server has the acknowledgements). While
 * messages are held unacknowledged (their batch running or waiting to retry, or fetched for the next
 * one) a timer marks them in progress every third of the consumer's acknowledgement wait (at most
 * every {@link #IN_PROGRESS_MAX}), so a function that runs longer than the wait does not get them
 * twice. When the poller leaves (paused, closed, removed) it hands back what it holds with a
 * negative acknowledgement, so the server delivers it again at once; only a daemon killed leaves
 * them to the wait. The queue depth is the consumer's pending count.
 *
 * <p>Lambda has no NATS source; the event follows its shape for brokers: {@code
 * {"eventSource":"pilotlight:nats","eventSourceArn":"nats://HOST:PORT/STREAM","records":[{"subject",
 * "data" (base64),"headers":{NAME:[VALUES]},"stream","consumer","streamSequence","consumerSequence",
 * "deliveredCount","timestamp"}]}}.
 */
final class NatsPoller extends BatchPoller<Message> {
  /** How long the server waits for a message's acknowledgement before it delivers it again. */
  static final Duration ACK_WAIT = Duration.ofMinutes(5);
  /** The longest pause between two in-progress marks of a held message, whatever the acknowledgement wait. */
  static final Duration IN_PROGRESS_MAX = Duration.ofSeconds(20);
  /** The shortest: a consumer with a wait of a few hundred milliseconds is not marked in a busy loop. */
  static final Duration IN_PROGRESS_MIN = Duration.ofMillis(100);
  /** The server's acknowledgement wait when a consumer's configuration does not give one. */
  static final Duration SERVER_ACK_WAIT = Duration.ofSeconds(30);
  /** JetStream's error code for "consumer not found". */
  static final int CONSUMER_NOT_FOUND = 10014;
  static final long DEPTH_BUSY_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long DEPTH_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NatsSource source;
  private final AtomicReference<Connection> connection = new AtomicReference<>();
  private JetStreamSubscription subscription;
  private final ArrayDeque<Message> fetched = new ArrayDeque<>();
  private final HeldMessages<Message> held = new HeldMessages<>();
  private volatile ScheduledFuture<?> marking;
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

  /**
   * Connects once and asks for the stream and the consumer the source names, as the poller will: an
   * unreachable server, refused credentials, no such stream or a consumer a mapping cannot read
   * through are named (a named consumer that does not exist yet is made at the first connection).
   */
  static void check(NatsSource s) {
    try (Connection c = Nats.connect(options(s))) {
      JetStreamManagement jsm = c.jetStreamManagement();
      try {
        jsm.getStreamInfo(s.stream());
      } catch (JetStreamApiException e) {
        throw new IllegalArgumentException("stream '" + s.stream() + "' does not exist at " + s.host() + ":" + s.port() + " ("
            + e.getErrorDescription() + ")");
      }
      if (s.consumer() != null) {
        try {
          requireUsable(s, s.consumer(), jsm.getConsumerInfo(s.stream(), s.consumer()).getConsumerConfiguration());
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() != CONSUMER_NOT_FOUND) {
            throw new IllegalArgumentException("cannot read consumer '" + s.consumer() + "' on stream '" + s.stream() + "' ("
                + e.getErrorDescription() + ")");
          }
        }
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

  /**
   * Why a mapping cannot read through a consumer of this configuration; null when it can. It fetches
   * (a pull consumer: no deliver subject) and acknowledges each message after its batch (explicit
   * acknowledgements: with {@code none} the server forgets a message once sent, with {@code all} one
   * acknowledgement settles every message before it, those of a batch still to retry too).
   */
  static String unusable(ConsumerConfiguration cc) {
    List<String> why = new java.util.ArrayList<>();
    if (cc.getDeliverSubject() != null && !cc.getDeliverSubject().isEmpty()) {
      why.add("it is a push consumer (deliver subject '" + cc.getDeliverSubject() + "')");
    }
    if (cc.getAckPolicy() != AckPolicy.Explicit) {
      why.add("its ack policy is " + String.valueOf(cc.getAckPolicy()).toLowerCase(java.util.Locale.ROOT));
    }
    return why.isEmpty() ? null : String.join(" and ", why);
  }

  /** Throws, naming what is wrong, unless {@link #unusable} finds nothing. */
  static void requireUsable(NatsSource s, String consumer, ConsumerConfiguration cc) {
    String why = unusable(cc);
    if (why != null) {
      throw new IllegalArgumentException("consumer '" + consumer + "' on stream '" + s.stream() + "' cannot be used: " + why
          + " (expected: a pull consumer with explicit acknowledgements)");
    }
  }

  /**
   * How often held messages are marked in progress for a consumer whose acknowledgement wait is
   * {@code ackWait} (null: the server's default): a third of it, so a mark may come late or be lost
   * once and the server still waits; at most {@link #IN_PROGRESS_MAX}, at least {@link #IN_PROGRESS_MIN}.
   */
  static Duration inProgressEvery(Duration ackWait) {
    Duration wait = ackWait == null || ackWait.isZero() || ackWait.isNegative() ? SERVER_ACK_WAIT : ackWait;
    Duration third = wait.dividedBy(3);
    return third.compareTo(IN_PROGRESS_MAX) > 0 ? IN_PROGRESS_MAX : third.compareTo(IN_PROGRESS_MIN) < 0 ? IN_PROGRESS_MIN : third;
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
    connection.set(c);
    String durable = source.durable(mapping.uuid());
    ConsumerInfo consumer = consumer(c.jetStreamManagement(), durable);
    subscription = c.jetStream().subscribe(null, PullSubscribeOptions.bind(source.stream(), durable));
    askedAt = 0;
    long every = inProgressEvery(consumer.getConsumerConfiguration().getAckWait()).toMillis();
    marking = InProgressTimer.TIMER.scheduleWithFixedDelay(this::markInProgress, every, every, TimeUnit.MILLISECONDS);
    pump(this::next);
  }

  /** The consumer the mapping reads through: checked when it exists ({@link #unusable}), made when missing. */
  private ConsumerInfo consumer(JetStreamManagement jsm, String durable) throws IOException, JetStreamApiException {
    try {
      ConsumerInfo info = jsm.getConsumerInfo(source.stream(), durable);
      requireUsable(source, durable, info.getConsumerConfiguration());
      return info;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != CONSUMER_NOT_FOUND) {
        throw e;
      }
    }
    ConsumerConfiguration.Builder cc = ConsumerConfiguration.builder().durable(durable).ackPolicy(AckPolicy.Explicit).ackWait(ACK_WAIT)
        .deliverPolicy(source.startNew() ? DeliverPolicy.New : DeliverPolicy.All).maxAckPending(Math.max(1_000, 2L * mapping.batchSize()));
    if (source.subject() != null) {
      cc.filterSubject(source.subject());
    }
    return jsm.addOrUpdateConsumer(source.stream(), cc.build());
  }

  /** The next fetched message; fetches up to a batch when none is left, waiting up to {@code nanos} (0: only what is there). */
  private Message next(long nanos) {
    if (fetched.isEmpty() && nanos > 0) {
      long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
      List<Message> got = subscription.fetch(mapping.batchSize(), Duration.ofMillis(ms));
      held.hold(got);
      fetched.addAll(got);
    }
    return fetched.pollFirst();
  }

  /**
   * Tells the server the held messages are still being worked on (on the timer's thread, while the
   * poller's may wait for the function): it then waits a whole acknowledgement wait again before it
   * delivers them anew. One pass per poller, whatever the number of messages.
   */
  private void markInProgress() {
    for (Message m : held.snapshot()) {
      try {
        m.inProgress(); // one settled meanwhile is skipped by the client, or ignored by the server
      } catch (RuntimeException closed) {
        return; // the connection is gone: the poller reconnects, and the server delivers them again
      }
    }
  }

  @Override
  void checkOpen() throws IOException {
    Connection c = connection.get();
    if (c == null || c.getStatus() != Connection.Status.CONNECTED) {
      throw new IOException("the connection to the NATS server closed" + (c == null ? "" : " (" + c.getStatus() + ")"));
    }
  }

  @Override
  void housekeep(boolean afterBatch) throws Exception {
    Connection c = connection.get();
    if (c != null && System.nanoTime() - askedAt > (afterBatch ? DEPTH_BUSY_NANOS : DEPTH_IDLE_NANOS)) {
      queueDepth = c.jetStreamManagement().getConsumerInfo(source.stream(), source.durable(mapping.uuid())).getNumPending();
      askedAt = System.nanoTime();
    }
  }

  @Override
  void retrying(List<Message> batch) {
    batch.forEach(Message::inProgress); // the server waits again before it delivers them anew
  }

  @Override
  void ack(List<Message> all) throws Exception {
    Connection c = connection.get();
    if (c == null) {
      throw new IOException("the connection to the NATS server closed"); // the poller left: what it held was handed back
    }
    for (Message m : held.settle(all)) {
      m.ack();
    }
    c.flush(Duration.ofSeconds(5)); // the server has them once this returns
  }

  @Override
  JsonNode matchView(Message m) {
    return filterView(m.getSubject(), m.getData());
  }

  @Override
  byte[] event(List<Message> batch) {
    return event(source, batch);
  }

  /**
   * Stops the in-progress marks, hands back what is held (a negative acknowledgement each, so the
   * server delivers them again at once, not after the wait; a batch running now included: it is not
   * acknowledged, as for the other brokers) and closes the connection.
   */
  @Override
  void disconnect() {
    ScheduledFuture<?> m = marking;
    if (m != null) {
      m.cancel(false);
    }
    Connection c = connection.getAndSet(null);
    List<Message> back = held.drain();
    if (c != null) {
      handBack(c, back);
      try {
        c.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
  }

  private static void handBack(Connection c, List<Message> back) {
    if (back.isEmpty() || c.getStatus() != Connection.Status.CONNECTED) {
      return; // nothing held, or no way to say it: the server delivers them again after the wait
    }
    try {
      for (Message m : back) {
        m.nak();
      }
      c.flush(Duration.ofSeconds(2));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      // the connection failed meanwhile: the server delivers them again after the wait
    }
  }

  /** One daemon thread for every NATS mapping's in-progress marks: a run is a few publishes per poller, never a wait for the server. */
  private static final class InProgressTimer {
    static final ScheduledThreadPoolExecutor TIMER = timer();

    private static ScheduledThreadPoolExecutor timer() {
      ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("nats-in-progress").factory());
      t.setRemoveOnCancelPolicy(true); // a poller that reconnects often leaves no cancelled runs behind
      return t;
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
