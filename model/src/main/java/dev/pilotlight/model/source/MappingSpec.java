package dev.pilotlight.model.source;

import java.time.Duration;
import java.util.List;

/**
 * An event source mapping as {@code pilotlight.yaml} declares it under {@code events:}: where to
 * read and how; a null setting takes the daemon's default (the same as {@code events add} without
 * that flag).
 *
 * @param source the broker URI (see {@link EventSourceMapping#source}), which identifies the
 *     mapping among the function's: a deploy keeps the mapping of an unchanged source, with its
 *     progress, and updates its settings
 * @param batchSize null: the default
 * @param batchWindow null: the default
 * @param maxRetries null: the default
 * @param onFailure a queue on the same broker for given-up messages; null: the failures list
 * @param filters Lambda's filter patterns as JSON text; empty: every message
 * @param enabled false: the mapping is kept paused; null: enabled
 */
public record MappingSpec(String source, Integer batchSize, Duration batchWindow, Integer maxRetries, String onFailure,
    List<String> filters, Boolean enabled) {

  public MappingSpec {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source is required, e.g. source: rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME");
    }
    filters = filters == null ? List.of() : List.copyOf(filters);
  }
}
