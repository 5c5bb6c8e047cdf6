package dev.pilotlight.sources;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Publishes messages to RabbitMQ queues named by the URIs event sources use
 * ({@code amqp://USER:PASSWORD@HOST:5672/%2F?queue=NAME}): the destinations of asynchronous
 * invocations. Each message is persistent and published with confirms; {@link #publish} returns
 * only once the broker confirmed it. The queue must exist (as an SQS destination must on AWS): a
 * missing one is an error that names it. One connection per broker and user, opened on first use
 * and opened again after a failure. Thread-safe (one publish at a time).
 */
public final class RabbitPublisher implements AutoCloseable {
  /** How long a publish waits for the broker's confirm. */
  static final long CONFIRM_TIMEOUT_MS = 5_000;

  private final Map<String, Link> links = new HashMap<>();

  private record Link(Connection connection, Channel channel) {}

  /**
   * @param headers message headers (strings), may be empty
   * @throws IllegalArgumentException for a URI that names no queue
   * @throws IOException when the broker cannot be reached, refuses, has no such queue, or does not confirm in time
   */
  public synchronized void publish(String uri, byte[] body, Map<String, String> headers) throws IOException {
    RabbitSource s = RabbitSource.parse(uri);
    String key = s.host() + ":" + s.port() + "/" + s.vhost() + "/" + s.user() + "/" + s.tls();
    Link link = links.get(key);
    try {
      if (link == null || !link.channel().isOpen()) {
        close(links.remove(key));
        link = open(s);
        links.put(key, link);
      }
      // Checked on every publish: a message to a missing queue would be dropped by the default exchange.
      link.channel().queueDeclarePassive(s.queue());
      AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
          .headers(new LinkedHashMap<>(headers)).build();
      link.channel().basicPublish("", s.queue(), props, body);
      link.channel().waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
    } catch (IOException | TimeoutException | RuntimeException e) {
      close(links.remove(key));
      throw new IOException(s + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close(links.remove(key));
      throw new IOException(s + ": interrupted", e);
    }
  }

  private static Link open(RabbitSource s) throws IOException, TimeoutException {
    Connection c = RabbitPoller.factory(s).newConnection("pilotlight destinations");
    try {
      Channel ch = c.createChannel();
      ch.confirmSelect();
      return new Link(c, ch);
    } catch (IOException | RuntimeException e) {
      c.abort();
      throw e;
    }
  }

  /** The broker's own words where it gave some (a missing queue is a channel error 404 NOT_FOUND). */
  private static String describe(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    String text = e instanceof TimeoutException ? "no confirm within " + CONFIRM_TIMEOUT_MS + " ms" : String.valueOf(t.getMessage());
    if (e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException sig && sig.getReason() instanceof AMQP.Channel.Close close) {
      text = close.getReplyText();
    }
    return text;
  }

  private static void close(Link link) {
    if (link != null) {
      link.connection().abort(1_000);
    }
  }

  @Override
  public synchronized void close() {
    links.values().forEach(RabbitPublisher::close);
    links.clear();
  }
}
