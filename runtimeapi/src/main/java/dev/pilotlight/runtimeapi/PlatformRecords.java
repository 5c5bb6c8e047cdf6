package dev.pilotlight.runtimeapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The {@code record} objects of the Telemetry API's platform events, in the 2022-12-13 schema's shapes. */
final class PlatformRecords {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private PlatformRecords() {}

  static ObjectNode initStart(String functionName, String functionVersion) {
    return F.objectNode().put("initializationType", "on-demand").put("phase", "init").put("functionName", functionName)
        .put("functionVersion", functionVersion);
  }

  static ObjectNode initRuntimeDone() {
    return F.objectNode().put("initializationType", "on-demand").put("phase", "init").put("status", "success");
  }

  static ObjectNode start(String requestId, String version) {
    return F.objectNode().put("requestId", requestId).put("version", version);
  }

  static ObjectNode runtimeDone(String requestId, String status, double durationMs) {
    ObjectNode r = F.objectNode().put("requestId", requestId).put("status", status);
    r.set("metrics", F.objectNode().put("durationMs", round(durationMs)));
    return r;
  }

  /** {@code durationMs} is the runtime's (event handed over to response); billed is it rounded up to the millisecond. */
  static ObjectNode report(String requestId, String status, double durationMs, int memoryMb) {
    ObjectNode r = F.objectNode().put("requestId", requestId).put("status", status);
    r.set("metrics", F.objectNode().put("durationMs", round(durationMs)).put("billedDurationMs", (long) Math.ceil(durationMs))
        .put("memorySizeMB", memoryMb));
    return r;
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }
}
