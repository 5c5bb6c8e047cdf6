package dev.pilotlight.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings given as flags to {@code deploy}; each non-null one replaces the manifest key of the
 * same meaning, and {@code env} is merged into the manifest's env key by key.
 */
record ManifestOverrides(
    String name,
    String runtime,
    String handler,
    String command,
    Integer memory,
    String timeout,
    Integer concurrency,
    Integer minInstances,
    Integer maxInstances,
    String idleTimeout,
    Map<String, String> env,
    String maxEventAge,
    Integer maxRetries,
    String retryDelay,
    Double targetUtilization,
    String stableWindow,
    String panicWindow,
    Double panicThreshold,
    Double maxScaleUpRate,
    Double maxScaleDownRate,
    Integer maxQueue,
    String maxQueueWait,
    String keepAlive,
    String readinessPath,
    String scaleDownDelay) {

  ManifestOverrides {
    env = env == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(env));
  }

  /** Flags without the asynchronous invocation settings. */
  ManifestOverrides(String name, String runtime, String handler, String command, Integer memory, String timeout,
      Integer concurrency, Integer minInstances, Integer maxInstances, String idleTimeout, Map<String, String> env) {
    this(name, runtime, handler, command, memory, timeout, concurrency, minInstances, maxInstances, idleTimeout, env, null, null, null);
  }

  /** Flags without the autoscaler and queue settings. */
  ManifestOverrides(String name, String runtime, String handler, String command, Integer memory, String timeout,
      Integer concurrency, Integer minInstances, Integer maxInstances, String idleTimeout, Map<String, String> env,
      String maxEventAge, Integer maxRetries, String retryDelay) {
    this(name, runtime, handler, command, memory, timeout, concurrency, minInstances, maxInstances, idleTimeout, env, maxEventAge,
        maxRetries, retryDelay, null, null, null, null, null, null, null, null);
  }

  /** Flags without the keep-alive policy. */
  ManifestOverrides(String name, String runtime, String handler, String command, Integer memory, String timeout,
      Integer concurrency, Integer minInstances, Integer maxInstances, String idleTimeout, Map<String, String> env,
      String maxEventAge, Integer maxRetries, String retryDelay, Double targetUtilization, String stableWindow, String panicWindow,
      Double panicThreshold, Double maxScaleUpRate, Double maxScaleDownRate, Integer maxQueue, String maxQueueWait) {
    this(name, runtime, handler, command, memory, timeout, concurrency, minInstances, maxInstances, idleTimeout, env, maxEventAge,
        maxRetries, retryDelay, targetUtilization, stableWindow, panicWindow, panicThreshold, maxScaleUpRate, maxScaleDownRate, maxQueue,
        maxQueueWait, null);
  }

  /** Flags without the readiness path. */
  ManifestOverrides(String name, String runtime, String handler, String command, Integer memory, String timeout,
      Integer concurrency, Integer minInstances, Integer maxInstances, String idleTimeout, Map<String, String> env,
      String maxEventAge, Integer maxRetries, String retryDelay, Double targetUtilization, String stableWindow, String panicWindow,
      Double panicThreshold, Double maxScaleUpRate, Double maxScaleDownRate, Integer maxQueue, String maxQueueWait, String keepAlive) {
    this(name, runtime, handler, command, memory, timeout, concurrency, minInstances, maxInstances, idleTimeout, env, maxEventAge,
        maxRetries, retryDelay, targetUtilization, stableWindow, panicWindow, panicThreshold, maxScaleUpRate, maxScaleDownRate, maxQueue,
        maxQueueWait, keepAlive, null);
  }

  /** Flags without the scale-down delay. */
  ManifestOverrides(String name, String runtime, String handler, String command, Integer memory, String timeout,
      Integer concurrency, Integer minInstances, Integer maxInstances, String idleTimeout, Map<String, String> env,
      String maxEventAge, Integer maxRetries, String retryDelay, Double targetUtilization, String stableWindow, String panicWindow,
      Double panicThreshold, Double maxScaleUpRate, Double maxScaleDownRate, Integer maxQueue, String maxQueueWait, String keepAlive,
      String readinessPath) {
    this(name, runtime, handler, command, memory, timeout, concurrency, minInstances, maxInstances, idleTimeout, env, maxEventAge,
        maxRetries, retryDelay, targetUtilization, stableWindow, panicWindow, panicThreshold, maxScaleUpRate, maxScaleDownRate, maxQueue,
        maxQueueWait, keepAlive, readinessPath, null);
  }

  /** No flags: the manifest as it is. */
  static ManifestOverrides none() {
    return new ManifestOverrides(null, null, null, null, null, null, null, null, null, null, Map.of());
  }

  /** The non-null settings other than name and env, keyed by their manifest names. */
  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    put(s, "runtime", runtime);
    put(s, "handler", handler);
    put(s, "command", command);
    put(s, "memory", memory);
    put(s, "timeout", timeout);
    put(s, "concurrency", concurrency);
    put(s, "minInstances", minInstances);
    put(s, "maxInstances", maxInstances);
    put(s, "idleTimeout", idleTimeout);
    put(s, "maxEventAge", maxEventAge);
    put(s, "maxRetries", maxRetries);
    put(s, "retryDelay", retryDelay);
    put(s, "targetUtilization", targetUtilization);
    put(s, "stableWindow", stableWindow);
    put(s, "panicWindow", panicWindow);
    put(s, "panicThreshold", panicThreshold);
    put(s, "maxScaleUpRate", maxScaleUpRate);
    put(s, "maxScaleDownRate", maxScaleDownRate);
    put(s, "maxQueue", maxQueue);
    put(s, "maxQueueWait", maxQueueWait);
    put(s, "scaleDownDelay", scaleDownDelay);
    put(s, "keepAlive", keepAlive);
    put(s, "readinessPath", readinessPath);
    return s;
  }

  private static void put(Map<String, Object> s, String key, Object value) {
    if (value != null) {
      s.put(key, value);
    }
  }
}
