package dev.pilotlight.model.source;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A broker's queue mapped to a function, as Lambda's event source mappings are: its messages are
 * read in batches by a poller in the daemon and sent to the function, and acknowledged once it
 * succeeded.
 *
 * @param uuid its identifier
 * @param function the function it invokes
 * @param source where to read, with the broker's credentials, e.g. {@code
 *     rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=orders}; never shown whole ({@link #shownSource})
 * @param batchSize at most this many messages per invocation
 * @param batchWindow how long a batch may wait to fill after its first message
 * @param maxRetries how many times a failed batch is retried before its messages are given up on
 * @param onFailure where given-up messages go: a queue on the same broker, or null for the
 *     function's failures list
 * @param filters Lambda's filter patterns (JSON); a message is sent when one matches, none: every message
 * @param enabled false while paused
 * @param createdAt when it was created
 */
public record EventSourceMapping(String uuid, String function, String source, int batchSize, Duration batchWindow, int maxRetries,
    String onFailure, List<String> filters, boolean enabled, Instant createdAt) {

  public EventSourceMapping {
    if (uuid == null || function == null || source == null || batchWindow == null || createdAt == null) {
      throw new IllegalArgumentException("event source mapping: uuid, function, source, batchWindow and createdAt are required");
    }
    filters = filters == null ? List.of() : List.copyOf(filters);
  }

  public EventSourceMapping withEnabled(boolean e) {
    return new EventSourceMapping(uuid, function, source, batchSize, batchWindow, maxRetries, onFailure, filters, e, createdAt);
  }

  /** The source without its password ({@code rabbitmq://guest:****@127.0.0.1:5672/%2F?queue=orders}). */
  public String shownSource() {
    return redact(source);
  }

  /**
   * {@code uri} with the password of its user info replaced by {@code ****}, and NATS's token (user
   * info without a colon in a {@code nats://} or {@code tls://} URI) replaced whole; unchanged when it
   * has neither. Read as text, not as a {@link java.net.URI}: a source may hold what a URI may not,
   * such as NATS's {@code >} wildcard in its query, or Kafka's list of hosts.
   */
  public static String redact(String uri) {
    int start = uri.indexOf("://");
    if (start < 0) {
      return uri;
    }
    int end = start + 3;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    int at = uri.lastIndexOf('@', end - 1);
    if (at < start + 3) {
      return uri;
    }
    String scheme = uri.substring(0, start).toLowerCase(java.util.Locale.ROOT);
    String info = uri.substring(start + 3, at);
    String shown;
    if (info.contains(":")) {
      shown = info.substring(0, info.indexOf(':')) + ":****";
    } else if (scheme.equals("nats") || scheme.equals("tls")) {
      shown = "****";
    } else {
      return uri;
    }
    return uri.substring(0, start + 3) + shown + uri.substring(at);
  }
}
