package dev.pilotlight.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry's JSON form of a {@link FunctionSpec}: runtime by id, durations as ISO-8601
 * ({@code PT30S}). Written by hand rather than by data binding so that renaming a record component
 * cannot silently change what is on disk.
 */
final class SpecJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SpecJson() {}

  static String write(FunctionSpec spec) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", spec.name());
    n.put("runtime", spec.runtime().id());
    if (spec.handler() != null) n.put("handler", spec.handler());
    if (spec.command() != null) n.put("command", spec.command());
    n.put("memoryMb", spec.memoryMb());
    n.put("timeout", spec.timeout().toString());
    n.put("concurrency", spec.concurrency());
    n.put("minInstances", spec.minInstances());
    n.put("maxInstances", spec.maxInstances());
    n.put("idleTimeout", spec.idleTimeout().toString());
    ObjectNode env = n.putObject("env");
    spec.env().forEach(env::put);
    n.put("maxEventAge", spec.maxEventAge().toString());
    n.put("maxRetries", spec.maxRetries());
    if (spec.retryDelay() != null) n.put("retryDelay", spec.retryDelay().toString());
    return n.toString();
  }

  /** Reads what {@link #write} wrote; throws if the JSON is damaged or no longer validates. */
  static FunctionSpec read(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("spec JSON is damaged: " + e.getOriginalMessage(), e);
    }
    Map<String, String> env = new TreeMap<>();
    n.path("env").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    return new FunctionSpec(
        n.path("name").asText(null),
        Runtime.parse(n.path("runtime").asText(null)),
        n.path("handler").asText(null),
        n.path("command").asText(null),
        n.path("memoryMb").asInt(),
        Duration.parse(n.path("timeout").asText()),
        n.path("concurrency").asInt(),
        n.path("minInstances").asInt(),
        n.path("maxInstances").asInt(),
        Duration.parse(n.path("idleTimeout").asText()),
        env,
        // absent from specs stored before asynchronous invocations existed: their defaults then
        n.hasNonNull("maxEventAge") ? Duration.parse(n.get("maxEventAge").asText()) : FunctionSpec.DEFAULT_MAX_EVENT_AGE,
        n.hasNonNull("maxRetries") ? n.get("maxRetries").asInt() : FunctionSpec.DEFAULT_MAX_RETRIES,
        n.hasNonNull("retryDelay") ? Duration.parse(n.get("retryDelay").asText()) : null);
  }
}
