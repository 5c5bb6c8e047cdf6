package dev.pilotlight.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
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
    ScalingSettings sc = spec.scaling();
    if (!sc.isUnset()) {
      ObjectNode scaling = n.putObject("scaling");
      if (sc.targetUtilization() != null) scaling.put("targetUtilization", sc.targetUtilization());
      if (sc.stableWindow() != null) scaling.put("stableWindow", sc.stableWindow().toString());
      if (sc.panicWindow() != null) scaling.put("panicWindow", sc.panicWindow().toString());
      if (sc.panicThreshold() != null) scaling.put("panicThreshold", sc.panicThreshold());
      if (sc.maxScaleUpRate() != null) scaling.put("maxScaleUpRate", sc.maxScaleUpRate());
      if (sc.maxScaleDownRate() != null) scaling.put("maxScaleDownRate", sc.maxScaleDownRate());
      if (sc.maxQueue() != null) scaling.put("maxQueue", sc.maxQueue());
      if (sc.maxQueueWait() != null) scaling.put("maxQueueWait", sc.maxQueueWait().toString());
      if (sc.scaleDownDelay() != null) scaling.put("scaleDownDelay", sc.scaleDownDelay().toString());
    }
    if (spec.keepAlive() != null) n.put("keepAlive", spec.keepAlive().id());
    if (spec.readinessPath() != null) n.put("readinessPath", spec.readinessPath());
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
        n.hasNonNull("retryDelay") ? Duration.parse(n.get("retryDelay").asText()) : null,
        scaling(n.path("scaling")),
        // absent: the daemon's policy (and from specs stored before keep-alive policies existed)
        n.hasNonNull("keepAlive") ? KeepAlive.parse("keepAlive", n.get("keepAlive").asText()) : null,
        // absent: the default path (and from specs stored before readiness paths existed)
        n.path("readinessPath").asText(null));
  }

  /** Absent from specs stored before the autoscaler's settings existed: all the daemon's then. */
  private static ScalingSettings scaling(JsonNode s) {
    if (s.isMissingNode() || s.isNull()) {
      return ScalingSettings.UNSET;
    }
    return new ScalingSettings(
        s.hasNonNull("targetUtilization") ? s.get("targetUtilization").asDouble() : null,
        s.hasNonNull("stableWindow") ? Duration.parse(s.get("stableWindow").asText()) : null,
        s.hasNonNull("panicWindow") ? Duration.parse(s.get("panicWindow").asText()) : null,
        s.hasNonNull("panicThreshold") ? s.get("panicThreshold").asDouble() : null,
        s.hasNonNull("maxScaleUpRate") ? s.get("maxScaleUpRate").asDouble() : null,
        s.hasNonNull("maxScaleDownRate") ? s.get("maxScaleDownRate").asDouble() : null,
        s.hasNonNull("maxQueue") ? s.get("maxQueue").asInt() : null,
        s.hasNonNull("maxQueueWait") ? Duration.parse(s.get("maxQueueWait").asText()) : null,
        s.hasNonNull("scaleDownDelay") ? Duration.parse(s.get("scaleDownDelay").asText()) : null);
  }
}
