package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * {@code PATCH /api/v1/functions/NAME}: the settings an operator changes without redeploying (memory, concurrency,
 * minimum and maximum instances, timeout), read from a JSON object (pure). A key it does not know is refused, so a
 * typo is not silently ignored; the new spec is checked as a deploy's is.
 */
record ConfigurationPatch(Integer memoryMb, Integer concurrency, Integer minInstances, Integer maxInstances, Double timeoutSeconds) {
  static final Set<String> KEYS = Set.of("memoryMb", "concurrency", "minInstances", "maxInstances", "timeoutSeconds");

  static ConfigurationPatch parse(byte[] body) {
    JsonNode json = JsonBodies.object(body);
    for (Iterator<String> it = json.fieldNames(); it.hasNext();) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new Failure.InvalidInput("'" + key + "' cannot be changed here (expected some of: memoryMb, concurrency, minInstances, "
            + "maxInstances, timeoutSeconds; redeploy to change the rest)");
      }
    }
    if (!json.fieldNames().hasNext()) {
      throw new Failure.InvalidInput("nothing to change (expected some of: memoryMb, concurrency, minInstances, maxInstances, timeoutSeconds)");
    }
    Double timeout = null;
    if (json.has("timeoutSeconds")) {
      JsonNode t = json.get("timeoutSeconds");
      if (!t.isNumber() || !(t.asDouble() > 0)) {
        throw new Failure.InvalidInput("timeoutSeconds: " + t + " (expected: a number of seconds above 0)");
      }
      timeout = t.asDouble();
    }
    return new ConfigurationPatch(whole(json, "memoryMb"), whole(json, "concurrency"), whole(json, "minInstances"),
        whole(json, "maxInstances"), timeout);
  }

  private static Integer whole(JsonNode json, String key) {
    if (!json.has(key)) {
      return null;
    }
    JsonNode v = json.get(key);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new Failure.InvalidInput(key + ": " + v + " (expected: a whole number)");
    }
    return v.asInt();
  }

  /** {@code spec} with these settings; the spec's own checks (ranges, minimum ≤ maximum) apply. */
  FunctionSpec applyTo(FunctionSpec spec) {
    FunctionSpec.Builder b = spec.toBuilder();
    if (memoryMb != null) {
      b.memoryMb(memoryMb);
    }
    if (concurrency != null) {
      b.concurrency(concurrency);
    }
    if (minInstances != null) {
      b.minInstances(minInstances);
    }
    if (maxInstances != null) {
      b.maxInstances(maxInstances);
    }
    if (timeoutSeconds != null) {
      b.timeout(Duration.ofMillis(Math.round(timeoutSeconds * 1000)));
    }
    return b.build();
  }
}
