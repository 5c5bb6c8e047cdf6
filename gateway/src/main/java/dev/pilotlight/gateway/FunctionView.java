package dev.pilotlight.gateway;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.PoolSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of a function in the native API (see docs/api.md). */
final class FunctionView {
  private FunctionView() {}

  static Map<String, Object> of(Deployment d, PoolSnapshot pool, FunctionStats.Entry stats, String baseUrl) {
    FunctionSpec s = d.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("runtime", s.runtime().id());
    m.put("handler", s.handler());
    m.put("command", s.command());
    m.put("memoryMb", s.memoryMb());
    m.put("timeoutSeconds", s.timeout().toMillis() / 1000.0);
    m.put("concurrency", s.concurrency());
    m.put("minInstances", s.minInstances());
    m.put("maxInstances", s.maxInstances());
    m.put("idleTimeoutSeconds", s.idleTimeout().toMillis() / 1000.0);
    m.put("env", s.env());
    m.put("revision", d.revision());
    m.put("codeSha256", d.codeSha256());
    m.put("codeSize", d.codeSize());
    m.put("deployedAt", d.deployedAt().toString());
    m.put("url", baseUrl + "/fn/" + s.name() + "/");
    m.put("instances", pool == null ? 0 : pool.ready());
    m.put("starting", pool == null ? 0 : pool.starting());
    m.put("inFlight", pool == null ? 0 : pool.inFlight());
    m.put("queued", pool == null ? 0 : pool.queued());
    m.putAll(stats.toMap());
    return m;
  }
}
