package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingStore;
import java.io.IOException;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ mapping's poller ({@link BatchPoller} does the batching, retries and backoff): it
 * consumes the queue with manual acknowledgements and a prefetch of two batches (the next arrives
 * while the function runs one), acknowledges a batch with one {@code basic.ack} up to its last
 * delivery tag, asks the queue's depth every second while busy and every 5 s while idle, and sends a
 * batch given up on to the failure queue (published with publisher confirms) when the mapping names
 * one. A batch not acknowledged when the connection or the daemon goes is delivered again by the broker.
 */
final class RabbitPoller extends BatchPoller<RabbitEvents.Message> {
  private static final long DEPTH_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long DEPTH_BUSY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The most batches of one mapping that run at once (see {@link #maxInFlight}). */
  static final int MAX_IN_FLIGHT = 5;

  private final RabbitSource source;
  private volatile Connection connection;
  private volatile Channel channel;
  private volatile BlockingQueue<RabbitEvents.Message> inbox;
  private long askedAt;
  /** Finished batches not acknowledged yet (first delivery tag → last), and the tag acknowledged up to; also the channel's lock. */
  private final java.util.Map<Long, Long> acks = new java.util.HashMap<>();
  private long ackedUpTo;

  RabbitPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    super(mapping, invoker, store, clock, log);
    this.source = RabbitSource.parse(mapping.source());
  }

  static ConnectionFactory factory(RabbitSource s) {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost(s.host());
    f.setPort(s.port());
    f.setVirtualHost(s.vhost());
    f.setUsername(s.user());
    f.setPassword(s.password());
    f.setConnectionTimeout(5_000);
    f.setHandshakeTimeout(5_000);
    f.setAutomaticRecoveryEnabled(false); // the poller reconnects itself, with backoff and a state to show
    if (s.tls()) {
      try {
        f.useSslProtocol();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("TLS: " + e.getMessage(), e);
      }
    }
    return f;
  }


  @Override
  String shown() {
    return source.toString();
  }

  @Override
  void consume() throws Exception {
    Connection c = factory(source).newConnection("pilotlight " + mapping.function() + " " + mapping.uuid());
    connection = c;
    Channel ch = c.createChannel();
    channel = ch;
    ch.queueDeclarePassive(source.queue());
    // one batch more than may run at once is unacknowledged at most: the next is delivered while the
    // function runs these (a batch acknowledged is never delivered again; one not yet run, if the
    // poller goes, is delivered once)
    ch.basicQos(Math.min((MAX_IN_FLIGHT + 1) * mapping.batchSize(), 65_535));
    BlockingQueue<RabbitEvents.Message> inbox = new LinkedBlockingQueue<>();
    this.inbox = inbox;
    synchronized (acks) {
      acks.clear();
      ackedUpTo = 0; // delivery tags start again at 1 on a new channel
    }
    ch.basicConsume(source.queue(), false, new DefaultConsumer(ch) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        inbox.add(new RabbitEvents.Message(envelope, properties, body));
      }
    });
    askedAt = 0;
    pump(inbox);
  }

  @Override
  void checkOpen() throws IOException {
    Channel ch = channel;
    if (ch == null || !ch.isOpen()) {
      throw new IOException("the channel closed: " + (ch == null ? "" : ch.getCloseReason()));
    }
  }

  @Override
  void housekeep(boolean afterBatch) throws IOException {
    // a round trip to the broker: not after every batch
    if (System.nanoTime() - askedAt > (afterBatch ? DEPTH_BUSY_NANOS : DEPTH_IDLE_NANOS)) {
      long depth;
      synchronized (acks) { // the channel is used by one thread at a time
        depth = channel.messageCount(source.queue());
      }
      queueDepth = depth;
      askedAt = System.nanoTime();
    }
  }

  /**
   * As many batches at once as the messages waiting (at the broker and received) fill, one more per
   * {@code batchSize} of them, up to {@link #MAX_IN_FLIGHT}: KEDA's rule for a queue (desired
   * consumers = backlog / per-consumer target) with the batch as the target.
   */
  @Override
  int maxInFlight() {
    return inFlightFor(Math.max(queueDepth, 0) + inboxSize(), mapping.batchSize());
  }

  static int inFlightFor(long waiting, int batchSize) {
    return (int) Math.clamp((waiting + batchSize - 1) / batchSize, 1, MAX_IN_FLIGHT);
  }

  private long inboxSize() {
    BlockingQueue<RabbitEvents.Message> in = inbox;
    return in == null ? 0 : in.size();
  }

  /**
   * Acknowledges a batch when every batch delivered before it is acknowledged too: with batches
   * ending out of order, one {@code basicAck(tag, multiple)} up to the end of the run of finished
   * batches (an acknowledgement never covers a message still being handled).
   */
  @Override
  void ack(List<RabbitEvents.Message> all) throws IOException {
    synchronized (acks) {
      acks.put(all.getFirst().envelope().getDeliveryTag(), all.getLast().envelope().getDeliveryTag());
      long upTo = ackedUpTo;
      Long last;
      while ((last = acks.remove(upTo + 1)) != null) {
        upTo = last;
      }
      if (upTo > ackedUpTo) {
        channel.basicAck(upTo, true);
        ackedUpTo = upTo;
      }
    }
  }

  @Override
  JsonNode matchView(RabbitEvents.Message m) {
    return RabbitEvents.matchView(m);
  }

  @Override
  byte[] event(List<RabbitEvents.Message> batch) {
    return RabbitEvents.event(mapping.uuid(), source, batch);
  }

  @Override
  void giveUp(List<RabbitEvents.Message> batch, byte[] event, String requestId, String error) throws Exception {
    if (mapping.onFailure() == null) {
      super.giveUp(batch, event, requestId, error);
      return;
    }
    synchronized (acks) { // the channel is used by one thread at a time
      Channel ch = channel;
      ch.confirmSelect();
      for (RabbitEvents.Message m : batch) {
        ch.basicPublish("", mapping.onFailure(), m.properties(), m.body());
      }
      ch.waitForConfirmsOrDie(10_000);
    }
    log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": " + batch.size() + " message(s) sent to queue '" + mapping.onFailure()
        + "' after " + (mapping.maxRetries() + 1) + " failed attempt(s)");
  }

  @Override
  void disconnect() {
    Connection c = connection;
    connection = null;
    channel = null;
    if (c != null) {
      try {
        c.abort(2_000);
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
  }
}
