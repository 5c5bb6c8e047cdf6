package dev.pilotlight.sources;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a RabbitMQ mapping reads: {@code rabbitmq://USER:PASSWORD@HOST:PORT/VHOST?queue=NAME} (also
 * {@code amqp://}; {@code amqps://} or {@code rabbitmqs://} for TLS). The virtual host is the path,
 * percent-encoded ({@code %2F} is {@code /}, the default when there is no path); the port defaults to
 * 5672 (5671 with TLS); user and password to {@code guest}.
 */
record RabbitSource(String host, int port, String vhost, String user, String password, String queue, boolean tls) {

  /**
   * @throws IllegalArgumentException naming what is wrong, for anything else
   */
  static RabbitSource parse(String text) {
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("source: not a URI (" + e.getMessage() + "); expected rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean tls = scheme.equals("amqps") || scheme.equals("rabbitmqs");
    if (!tls && !scheme.equals("rabbitmq") && !scheme.equals("amqp")) {
      throw new IllegalArgumentException("source: '" + scheme + "://' is not supported (supported: rabbitmq://, amqp://, amqps://, "
          + "mqtt://, mqtts://, kafka://, kafkas://, nats://, tls://)");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("source: no host (expected rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME)");
    }
    String user = "guest";
    String password = "guest";
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/") ? "%2F" : u.getRawPath().substring(1);
    String queue = null;
    if (u.getRawQuery() != null) {
      for (String pair : u.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals("queue") && kv.length == 2) {
          queue = decode(kv[1]);
        } else {
          throw new IllegalArgumentException("source: unknown parameter '" + kv[0] + "' (known: queue)");
        }
      }
    }
    if (queue == null || queue.isBlank()) {
      throw new IllegalArgumentException("source: no queue (add ?queue=NAME)");
    }
    return new RabbitSource(u.getHost(), u.getPort() > 0 ? u.getPort() : tls ? 5671 : 5672, decode(path), user, password, queue, tls);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** How Lambda keys a queue in {@code rmqMessagesByQueue}: {@code NAME::VHOST}. */
  String key() {
    return queue + "::" + vhost;
  }

  @Override
  public String toString() {
    return (tls ? "amqps" : "amqp") + "://" + user + ":****@" + host + ":" + port + "/" + vhost + "?queue=" + queue;
  }
}
