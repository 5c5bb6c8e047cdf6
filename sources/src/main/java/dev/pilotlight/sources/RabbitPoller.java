package dev.pilotlight.sources;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingStore;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mapping's poller: a thread of its own that consumes the queue with manual acknowledgements
 * and a prefetch of two batches (the next arrives while the function runs one), gathers up to {@code batchSize} messages or for {@code batchWindow}
 * after the first, runs the batch on the function, and acknowledges it only then (at least once: a
 * batch not acknowledged when the connection or the daemon goes is delivered again by the broker).
 * A failed batch is retried after 1 s, 2 s, 4 s… (at most 30 s) up to {@code maxRetries} times, then
 * its messages go to the failure queue (published with publisher confirms) or, without one, to the
 * function's failures list, and are acknowledged. A broker that cannot be reached puts the mapping
 * in {@code PROBLEM} with the reason and is tried again after 1 s, doubling to 30 s: never a busy loop.
 */
final class RabbitPoller implements SourcePoller {
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final EventSourceMapping mapping;
  private final RabbitSource source;
  private final EventInvoker invoker;
  private final MappingStore store;
  private final InstantSource clock;
  private final EventSources.Log log;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean enabled;
  private volatile String state = "Creating";
  private volatile String lastError;
  private volatile Connection connection;
  final AtomicLong batches = new AtomicLong();
  final AtomicLong messages = new AtomicLong();
  final AtomicLong failedMessages = new AtomicLong();
  final AtomicLong filteredMessages = new AtomicLong();
  private final List<FilterPattern> filters;
  /** Messages ready in the queue when last asked (every second while busy, every 5 s while idle); -1: not known. */
  volatile long queueDepth = -1;

  RabbitPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    this.mapping = mapping;
    this.source = RabbitSource.parse(mapping.source());
    this.invoker = invoker;
    this.store = store;
    this.clock = clock;
    this.log = log;
    this.enabled = mapping.enabled();
    this.filters = mapping.filters().stream().map(FilterPattern::parse).toList();
    this.thread = Thread.ofPlatform().daemon().name("source-" + mapping.uuid().substring(0, 8)).unstarted(this::run);
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
    return queueDepth;
  }

  /**
   * Pauses or resumes. A pause lets the batch in flight finish (and be acknowledged), then the
   * consumer leaves the queue within half a second and the messages it had prefetched go back to it.
   */
  @Override
  public synchronized void enable(boolean on) {
    enabled = on;
    notifyAll();
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
        String why = describe(e);
        if (!"Problem".equals(state) || !why.equals(lastError)) {
          log.line(mapping.function(), "SOURCE " + mapping.uuid() + " (" + source + "): " + why + "; trying again in " + backoffMs + " ms");
        }
        state = "Problem";
        lastError = why;
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      } finally {
        closeConnection();
      }
    }
  }

  /** Consumes until the mapping is paused or closed, or the connection fails (thrown). */
  private void consume() throws IOException, TimeoutException, InterruptedException {
    Connection c = factory(source).newConnection("pilotlight " + mapping.function() + " " + mapping.uuid());
    connection = c;
    Channel ch = c.createChannel();
    ch.queueDeclarePassive(source.queue());
    // two batches unacknowledged at most: the next is delivered while the function runs this one (a
    // batch acknowledged is never delivered again; one not yet run, if the poller goes, is delivered once)
    ch.basicQos(Math.min(2 * mapping.batchSize(), 65_535));
    BlockingQueue<RabbitEvents.Message> inbox = new LinkedBlockingQueue<>();
    ch.basicConsume(source.queue(), false, new DefaultConsumer(ch) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        inbox.add(new RabbitEvents.Message(envelope, properties, body));
      }
    });
    if (!"Enabled".equals(state)) {
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + " (" + source + "): consuming");
    }
    state = "Enabled";
    lastError = null;
    long askedAt = 0;
    while (!closed && enabled) {
      if (!ch.isOpen()) {
        throw new IOException("the channel closed: " + ch.getCloseReason());
      }
      RabbitEvents.Message first = inbox.poll(500, TimeUnit.MILLISECONDS);
      if (first == null) {
        if (System.nanoTime() - askedAt > DEPTH_EVERY_NANOS) {
          queueDepth = ch.messageCount(source.queue());
          askedAt = System.nanoTime();
        }
        continue;
      }
      List<RabbitEvents.Message> batch = new ArrayList<>();
      batch.add(first);
      long deadline = System.nanoTime() + mapping.batchWindow().toNanos();
      while (batch.size() < mapping.batchSize()) {
        long left = deadline - System.nanoTime();
        RabbitEvents.Message m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : inbox.poll();
        if (m == null) {
          break;
        }
        batch.add(m);
      }
      process(ch, batch);
      if (System.nanoTime() - askedAt > DEPTH_BUSY_NANOS) { // a round trip to the broker: not after every batch
        queueDepth = ch.messageCount(source.queue());
        askedAt = System.nanoTime();
      }
    }
  }

  private static final long DEPTH_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long DEPTH_BUSY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private void process(Channel ch, List<RabbitEvents.Message> all) throws IOException, InterruptedException, TimeoutException {
    long lastTag = all.getLast().envelope().getDeliveryTag();
    List<RabbitEvents.Message> batch = all;
    if (!filters.isEmpty()) {
      // messages no filter matches are acknowledged with the batch and dropped, as on Lambda
      batch = all.stream().filter(m -> filters.stream().anyMatch(f -> f.matches(RabbitEvents.matchView(m)))).toList();
      filteredMessages.addAndGet(all.size() - batch.size());
      if (batch.isEmpty()) {
        ch.basicAck(lastTag, true);
        return;
      }
    }
    byte[] event = RabbitEvents.event(mapping.uuid(), source, batch);
    String error = null;
    String requestId = null;
    for (int attempt = 0; attempt <= mapping.maxRetries() && !closed && enabled; attempt++) {
      if (attempt > 0) {
        sleep(Math.min(1000L << Math.min(attempt - 1, 15), MAX_BACKOFF.toMillis()));
        if (closed || !enabled) {
          return; // not acknowledged: the broker delivers the batch again
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
        ch.basicAck(lastTag, true);
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
    giveUp(ch, batch, event, requestId, error);
    ch.basicAck(lastTag, true);
    batches.incrementAndGet();
    failedMessages.addAndGet(batch.size());
  }

  private void giveUp(Channel ch, List<RabbitEvents.Message> batch, byte[] event, String requestId, String error)
      throws IOException, InterruptedException, TimeoutException {
    if (mapping.onFailure() != null) {
      ch.confirmSelect();
      for (RabbitEvents.Message m : batch) {
        ch.basicPublish("", mapping.onFailure(), m.properties(), m.body());
      }
      ch.waitForConfirmsOrDie(10_000);
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": " + batch.size() + " message(s) sent to queue '" + mapping.onFailure()
          + "' after " + (mapping.maxRetries() + 1) + " failed attempt(s)");
    } else {
      store.recordFailed(mapping.function(), requestId, event, error, clock.instant());
      log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": a batch of " + batch.size() + " message(s) kept in the failures list "
          + "(request " + requestId + ") after " + (mapping.maxRetries() + 1) + " failed attempt(s)");
    }
  }

  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) { // the AMQP client wraps the broker's reason (a ShutdownSignalException) in IOExceptions
      t = t.getCause();
    }
    String m = t.getMessage();
    if (m != null && m.contains("ACCESS_REFUSED")) {
      return "the broker refused the credentials";
    }
    if (m != null && m.contains("NOT_FOUND")) {
      return "the queue does not exist: " + m;
    }
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
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

  private void closeConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.abort(2_000);
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    closeConnection();
    thread.interrupt();
  }
}
