package dev.pilotlight.sources;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where an MQTT mapping reads: {@code mqtt://[USER:PASSWORD@]HOST[:PORT]?topic=FILTER[&qos=0|1]}
 * ({@code mqtts://} for TLS). The topic filter may hold MQTT's wildcards ({@code sensors/+/temp},
 * {@code sensors/#}, percent-encoded in the URI as {@code %23} or left as {@code #} after {@code
 * topic=}); the port defaults to 1883 (8883 with TLS); QoS to 1, so messages wait in the broker's
 * session for the poller while the daemon is away.
 */
record MqttSource(String host, int port, String user, String password, String topic, int qos, boolean tls) {

  static boolean handles(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("mqtt://") || s.startsWith("mqtts://");
  }

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  static MqttSource parse(String text) {
    // '#' is MQTT's multi-level wildcard and a URI's fragment mark: read it as part of the topic
    int q = text.indexOf('?');
    String safe = q < 0 ? text : text.substring(0, q) + text.substring(q).replace("#", "%23");
    URI u;
    try {
      u = new URI(safe);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("source: not a URI (" + e.getMessage() + "); expected mqtt://HOST:1883?topic=FILTER");
    }
    boolean tls = "mqtts".equalsIgnoreCase(u.getScheme());
    if (u.getHost() == null) {
      throw new IllegalArgumentException("source: no host (expected mqtt://HOST:1883?topic=FILTER)");
    }
    String user = null;
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    String topic = null;
    int qos = 1;
    if (u.getRawQuery() != null) {
      for (String pair : u.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException("source: '" + pair + "' (expected topic=FILTER or qos=0|1)");
        }
        switch (kv[0]) {
          case "topic" -> topic = decode(kv[1]);
          case "qos" -> {
            if (!kv[1].equals("0") && !kv[1].equals("1")) {
              throw new IllegalArgumentException("source: qos " + kv[1] + " (expected 0 or 1)");
            }
            qos = Integer.parseInt(kv[1]);
          }
          default -> throw new IllegalArgumentException("source: unknown parameter '" + kv[0] + "' (known: topic, qos)");
        }
      }
    }
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("source: no topic (add ?topic=FILTER, e.g. sensors/#)");
    }
    return new MqttSource(u.getHost(), u.getPort() > 0 ? u.getPort() : tls ? 8883 : 1883, user, password, topic, qos, tls);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  String serverUri() {
    return (tls ? "ssl://" : "tcp://") + host + ":" + port;
  }

  @Override
  public String toString() {
    return (tls ? "mqtts" : "mqtt") + "://" + (user == null ? "" : user + ":****@") + host + ":" + port + "?topic=" + topic + "&qos=" + qos;
  }
}
