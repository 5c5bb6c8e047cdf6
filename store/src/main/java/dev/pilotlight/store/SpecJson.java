package dev.pilotlight.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Setting;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry's JSON form of a {@link FunctionSpec}: each setting under its declared
 * {@link Setting#storedKey()}, the autoscaler's ones in a {@code scaling} object, runtime by id,
 * durations as ISO-8601 ({@code PT30S}). Keys come from the declarations rather than from data
 * binding so that renaming a record component cannot silently change what is on disk.
 *
 * <p>Specs stored by older versions lack the settings added since: an absent key reads as the
 * setting's default, which is what those versions ran with. The settings every version has
 * stored ({@link #ALWAYS_STORED}) are different: one missing means the row is damaged, and it is
 * refused rather than read as a function that runs with defaults nobody chose.
 */
final class SpecJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Holds the autoscaler and queue settings; absent when the function sets none. */
  static final String SCALING = "scaling";
  /** Written by every version since the first: their absence is damage, not age. */
  static final Set<Setting<?>> ALWAYS_STORED = Set.of(FunctionSettings.NAME, FunctionSettings.RUNTIME,
      FunctionSettings.MEMORY, FunctionSettings.TIMEOUT, FunctionSettings.CONCURRENCY, FunctionSettings.MIN_INSTANCES,
      FunctionSettings.MAX_INSTANCES, FunctionSettings.IDLE_TIMEOUT);

  private SpecJson() {}

  static String write(FunctionSpec spec) {
    ObjectNode n = JSON.createObjectNode();
    ObjectNode scaling = JSON.createObjectNode();
    for (Setting<?> setting : FunctionSettings.ALL) {
      put(setting.isScaling() ? scaling : n, setting, spec);
      if (setting == FunctionSettings.SCALING.getFirst() && !spec.scaling().isUnset()) {
        n.set(SCALING, scaling); // where it always was: after retryDelay; filled as the loop goes on
      }
    }
    return n.toString();
  }

  private static <T> void put(ObjectNode n, Setting<T> setting, FunctionSpec spec) {
    T value = setting.get(spec);
    if (value == null || (value instanceof Map<?, ?> m && m.isEmpty() && setting != FunctionSettings.ENV)) {
      return; // no tags or permissions: nothing stored, as before they existed
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = n.putObject(setting.storedKey());
      map.forEach((k, v) -> object.put(String.valueOf(k), String.valueOf(v)));
      return;
    }
    n.set(setting.storedKey(), JSON.valueToTree(setting.store(value)));
  }

  /** Reads what {@link #write} wrote; throws if the JSON is damaged or no longer validates. */
  static FunctionSpec read(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("spec JSON is damaged: " + e.getOriginalMessage(), e);
    }
    FunctionSpec.Builder spec = FunctionSpec.builder();
    for (Setting<?> setting : FunctionSettings.ALL) {
      JsonNode v = (setting.isScaling() ? n.path(SCALING) : n).get(setting.storedKey());
      if ((v == null || v.isNull()) && ALWAYS_STORED.contains(setting)) {
        throw new IllegalStateException("spec JSON is damaged: '" + setting.storedKey() + "' is missing (every version stores it)");
      }
      if (v != null && !v.isNull()) {
        setting.setParsed(spec, setting.kind() == Setting.Kind.MAP ? map(v) : setting.unstore(v.isNumber() ? v.numberValue() : v.asText()));
      }
    }
    return spec.build();
  }

  private static Map<String, String> map(JsonNode v) {
    Map<String, String> env = new TreeMap<>();
    v.properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }
}
