package dev.pilotlight.gateway;

import dev.pilotlight.model.AsyncEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of a function's failed asynchronous invocations in the native API (see docs/api.md). */
final class FailureView {
  private FailureView() {}

  static Map<String, Object> of(String function, List<AsyncEvent> failed) {
    List<Map<String, Object>> items = new ArrayList<>();
    for (AsyncEvent e : failed) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id());
      m.put("requestId", e.requestId());
      m.put("payload", new String(e.payload(), StandardCharsets.UTF_8));
      m.put("attempts", e.attempts());
      m.put("error", e.lastError());
      m.put("acceptedAt", e.acceptedAt().toString());
      m.put("failedAt", e.failedAt() == null ? null : e.failedAt().toString());
      items.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("function", function);
    body.put("failures", items);
    return body;
  }
}
