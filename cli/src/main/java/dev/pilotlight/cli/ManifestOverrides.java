package dev.pilotlight.cli;

import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.Setting;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings given as flags to {@code deploy}; each one replaces the manifest key of the same
 * setting, and {@code env} is merged into the manifest's env key by key.
 *
 * @param name the function name, or null for the manifest's (else one derived from the path)
 * @param env variables merged over the manifest's
 * @param settings the other settings given, by manifest key, in manifest order, valued as the
 *     manifest writes them (numbers, or text such as {@code 30s})
 */
record ManifestOverrides(String name, Map<String, String> env, Map<String, Object> settings) {

  ManifestOverrides {
    env = env == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(env));
    Map<String, Object> ordered = new LinkedHashMap<>();
    for (Setting<?> s : FunctionSettings.ALL) {
      if (settings != null && settings.get(s.key()) != null) {
        if (s == FunctionSettings.NAME || s == FunctionSettings.ENV) {
          throw new IllegalArgumentException(s.key() + ": set through its own component");
        }
        ordered.put(s.key(), settings.get(s.key()));
      }
    }
    if (settings != null && settings.values().stream().filter(v -> v != null).count() != ordered.size()) {
      throw new IllegalArgumentException("settings: " + settings.keySet() + " (expected: keys of " + FunctionSettings.keys() + ")");
    }
    settings = Collections.unmodifiableMap(ordered);
  }

  /** No flags: the manifest as it is. */
  static ManifestOverrides none() {
    return builder().build();
  }

  static Builder builder() {
    return new Builder();
  }

  /** Collects flags; a null value leaves the manifest's. */
  static final class Builder {
    private String name;
    private Map<String, String> env = Map.of();
    private final Map<String, Object> settings = new LinkedHashMap<>();

    Builder name(String n) {
      name = n;
      return this;
    }

    Builder env(Map<String, String> e) {
      env = e;
      return this;
    }

    /** Sets one setting, valued as the manifest writes it. */
    Builder set(Setting<?> setting, Object value) {
      settings.put(setting.key(), value);
      return this;
    }

    ManifestOverrides build() {
      return new ManifestOverrides(name, env, settings);
    }
  }
}
