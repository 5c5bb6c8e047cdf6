package dev.pilotlight.sources;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a NATS JetStream mapping reads: {@code
 * nats://[USER:PASSWORD@|TOKEN@]HOST[:PORT]?stream=NAME[&subject=FILTER][&consumer=DURABLE][&start=all|new]}
 * ({@code tls://} for TLS). The stream must exist; the mapping reads it through a durable pull
 * consumer, {@code consumer} or {@code pilotlight-<the mapping's uuid>} by default, made if missing
 * with explicit acknowledgements, the {@code subject} filter and the {@code start} policy ({@code
 * all}, the default: every message the stream holds; {@code new}: those stored after it was made);
 * one that exists must be a pull consumer with explicit acknowledgements.
 * The port defaults to 4222.
 *
 * @param user null without credentials; a user without a password is a token
 * @param consumer the durable consumer named in the URI; null: the mapping's own
 */
record NatsSource(String host, int port, String user, String password, String stream, String subject, String consumer, boolean startNew,
    boolean tls) {

  static final String FORM = "nats://[USER:PASSWORD@]HOST:4222?stream=NAME[&subject=FILTER][&consumer=DURABLE][&start=all|new]";

  static boolean handles(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("nats://") || s.startsWith("tls://");
  }

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  static NatsSource parse(String text) {
    URI u;
    try {
      u = new URI(text.replace(">", "%3E").replace("*", "%2A"));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("source: not a URI (" + e.getMessage() + "); expected " + FORM);
    }
    boolean tls = "tls".equalsIgnoreCase(u.getScheme());
    if (u.getHost() == null) {
      throw new IllegalArgumentException("source: no host (expected " + FORM + ")");
    }
    String user = null;
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    String stream = null;
    String subject = null;
    String consumer = null;
    boolean startNew = false;
    if (u.getRawQuery() != null) {
      for (String pair : u.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv.length != 2 || kv[1].isEmpty()) {
          throw new IllegalArgumentException("source: '" + pair + "' (expected stream=NAME, subject=FILTER, consumer=NAME or start=all|new)");
        }
        String v = decode(kv[1]);
        switch (kv[0]) {
          case "stream" -> stream = v;
          case "subject" -> subject = v;
          case "consumer" -> consumer = v;
          case "start" -> {
            if (!v.equalsIgnoreCase("all") && !v.equalsIgnoreCase("new")) {
              throw new IllegalArgumentException("source: start=" + v + " (expected all or new)");
            }
            startNew = v.equalsIgnoreCase("new");
          }
          default -> throw new IllegalArgumentException("source: unknown parameter '" + kv[0] + "' (known: stream, subject, consumer, start)");
        }
      }
    }
    if (stream == null) {
      throw new IllegalArgumentException("source: no stream (add ?stream=NAME; the stream must exist)");
    }
    for (String name : consumer == null ? new String[] {stream} : new String[] {stream, consumer}) {
      if (!name.matches("[A-Za-z0-9_-]{1,255}")) {
        throw new IllegalArgumentException("source: '" + name + "' is not a JetStream stream or consumer name (letters, digits, _ and -)");
      }
    }
    return new NatsSource(u.getHost(), u.getPort() > 0 ? u.getPort() : 4222, user, password, stream, subject, consumer, startNew, tls);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  String serverUrl() {
    return (tls ? "tls://" : "nats://") + host + ":" + port;
  }

  /** The durable consumer this mapping reads through. */
  String durable(String mappingUuid) {
    return consumer != null ? consumer : "pilotlight-" + mappingUuid;
  }

  /** What events name as the source: {@code nats://HOST:PORT/STREAM}. */
  String arn() {
    return (tls ? "tls://" : "nats://") + host + ":" + port + "/" + stream;
  }

  @Override
  public String toString() {
    // a user without a password is a token: shown as **** whole
    return (tls ? "tls" : "nats") + "://" + (user == null ? "" : password == null ? "****@" : user + ":****@") + host + ":" + port + "?stream="
        + stream + (subject == null ? "" : "&subject=" + subject) + (consumer == null ? "" : "&consumer=" + consumer);
  }
}
