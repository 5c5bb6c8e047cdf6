package dev.pilotlight.sources;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a Kafka mapping reads: {@code kafka://[USER:PASSWORD@]HOST[:PORT][,HOST[:PORT]…]?topic=NAME
 * [&group=ID][&start=latest|trim_horizon][&sasl=plain|scram-sha-256|scram-sha-512]} ({@code kafkas://}
 * for TLS, the JVM's trust store). The hosts are the bootstrap servers (port 9092 unless given). The
 * consumer group is the mapping's uuid unless {@code group} names one, as on Lambda; {@code start} is
 * where a group without committed offsets begins ({@code latest} by default: see {@link KafkaClients#check}).
 * With a user, the client authenticates with SASL ({@code PLAIN} unless {@code sasl} says otherwise).
 *
 * @param servers the bootstrap servers, {@code HOST:PORT} each
 * @param group the consumer group named in the URI; null: the mapping's uuid
 * @param start {@code latest} or {@code trim_horizon}
 * @param sasl the SASL mechanism ({@code PLAIN}, {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512}); null without a user
 */
record KafkaSource(List<String> servers, String user, String password, String topic, String group, String start, String sasl, boolean tls) {
  /** Kafka's rule for topic names. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9._-]+|\\[[0-9a-fA-F:.]+\\]");
  static final String FORM = "kafka://HOST:9092[,HOST:9092]?topic=NAME[&group=ID][&start=latest|trim_horizon]";

  KafkaSource {
    servers = List.copyOf(servers);
  }

  static boolean handles(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("kafka://") || s.startsWith("kafkas://");
  }

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  static KafkaSource parse(String text) {
    int sep = text.indexOf("://");
    if (sep < 0 || !handles(text)) {
      throw new IllegalArgumentException("source: not a Kafka source (expected " + FORM + ")");
    }
    boolean tls = text.substring(0, sep).equalsIgnoreCase("kafkas");
    String rest = text.substring(sep + 3);
    int q = rest.indexOf('?');
    String authority = q < 0 ? rest : rest.substring(0, q);
    String query = q < 0 ? null : rest.substring(q + 1);
    if (authority.endsWith("/")) {
      authority = authority.substring(0, authority.length() - 1);
    }
    if (authority.contains("/")) {
      throw new IllegalArgumentException("source: a Kafka source has no path (expected " + FORM + ")");
    }
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String[] parts = authority.substring(0, at).split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
      if (user.isEmpty()) {
        throw new IllegalArgumentException("source: an empty user name before '@'");
      }
      authority = authority.substring(at + 1);
    }
    if (authority.isEmpty()) {
      throw new IllegalArgumentException("source: no host (expected " + FORM + ")");
    }
    List<String> servers = new ArrayList<>();
    for (String server : authority.split(",", -1)) {
      servers.add(server(server));
    }
    String topic = null;
    String group = null;
    String start = "latest";
    String sasl = null;
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException("source: '" + pair + "' (expected NAME=VALUE)");
        }
        String v = decode(kv[1]);
        switch (kv[0]) {
          case "topic" -> topic = v;
          case "group" -> {
            if (v.isBlank()) {
              throw new IllegalArgumentException("source: an empty consumer group (leave group out for the mapping's own)");
            }
            group = v;
          }
          case "start" -> {
            start = v.toLowerCase(Locale.ROOT);
            if (!start.equals("latest") && !start.equals("trim_horizon")) {
              throw new IllegalArgumentException("source: start=" + v + " (expected latest or trim_horizon)");
            }
          }
          case "sasl" -> {
            sasl = v.toUpperCase(Locale.ROOT);
            if (!List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512").contains(sasl)) {
              throw new IllegalArgumentException("source: sasl=" + v + " (expected plain, scram-sha-256 or scram-sha-512)");
            }
          }
          default -> throw new IllegalArgumentException("source: unknown parameter '" + kv[0] + "' (known: topic, group, start, sasl)");
        }
      }
    }
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("source: no topic (add ?topic=NAME)");
    }
    if (!TOPIC.matcher(topic).matches()) {
      throw new IllegalArgumentException("source: topic '" + topic + "' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)");
    }
    if (sasl != null && user == null) {
      throw new IllegalArgumentException("source: sasl=" + sasl.toLowerCase(Locale.ROOT) + " needs a user (kafka://USER:PASSWORD@HOST:9092?…)");
    }
    if (user != null && sasl == null) {
      sasl = "PLAIN";
    }
    return new KafkaSource(servers, user, password, topic, group, start, sasl, tls);
  }

  private static String server(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("source: an empty host in the list of bootstrap servers");
    }
    String host = s;
    int port = 9092;
    int colon = s.lastIndexOf(':');
    if (colon > s.lastIndexOf(']')) {
      host = s.substring(0, colon);
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("source: port '" + s.substring(colon + 1) + "' of " + host + " (expected 1 to 65535)");
      }
    }
    if (!HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("source: '" + host + "' is not a host name or address");
    }
    return host + ":" + port;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The bootstrap servers as Kafka's clients take them (and Lambda's event shows them): {@code h1:9092,h2:9092}. */
  String bootstrap() {
    return String.join(",", servers);
  }

  /** {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}. */
  String securityProtocol() {
    return (sasl != null ? "SASL_" : "") + (tls ? "SSL" : "PLAINTEXT");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(tls ? "kafkas://" : "kafka://");
    if (user != null) {
      b.append(user).append(":****@");
    }
    b.append(bootstrap()).append("?topic=").append(topic);
    if (group != null) {
      b.append("&group=").append(group);
    }
    b.append("&start=").append(start);
    if (sasl != null) {
      b.append("&sasl=").append(sasl.toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }
}
