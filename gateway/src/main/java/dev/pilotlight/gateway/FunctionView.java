package dev.pilotlight.gateway;

import dev.pilotlight.gateway.activation.ScalingStatus;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of a function in the native API (see docs/api.md). */
final class FunctionView {
  private FunctionView() {}

  static Map<String, Object> of(Deployment d, PoolSnapshot pool, ScalingStatus scaling, FunctionStats.Entry stats, String baseUrl) {
    FunctionSpec s = d.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("runtime", s.runtime().id());
    m.put("handler", s.handler());
    m.put("command", s.command());
    if (s.runtime() == dev.pilotlight.model.Runtime.HTTP) {
      m.put("readinessPath", s.effectiveReadinessPath());
    }
    m.put("memoryMb", s.memoryMb());
    m.put("timeoutSeconds", s.timeout().toMillis() / 1000.0);
    m.put("concurrency", s.concurrency());
    m.put("minInstances", s.minInstances());
    m.put("maxInstances", s.maxInstances());
    m.put("idleTimeoutSeconds", s.idleTimeout().toMillis() / 1000.0);
    m.put("env", s.env());
    m.putAll(scalingSettings(s.scaling()));
    m.put("revision", d.revision());
    m.put("codeSha256", d.codeSha256());
    m.put("codeSize", d.codeSize());
    m.put("deployedAt", d.deployedAt().toString());
    m.put("url", baseUrl + "/fn/" + s.name() + "/");
    m.put("instances", pool == null ? 0 : pool.ready());
    m.put("starting", pool == null ? 0 : pool.starting());
    m.put("inFlight", pool == null ? 0 : pool.inFlight());
    m.put("queued", pool == null ? 0 : pool.queued());
    m.put("desired", scaling == null || scaling.desired() < 0 ? null : scaling.desired());
    m.put("panicking", scaling != null && scaling.panicking());
    m.putAll(stats.toMap());
    return m;
  }

  /** The scaling settings the function sets itself, by manifest key; those it leaves to the daemon are absent. */
  static Map<String, Object> scalingSettings(ScalingSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (s.targetUtilization() != null) m.put("targetUtilization", s.targetUtilization());
    if (s.stableWindow() != null) m.put("stableWindow", Durations.format(s.stableWindow()));
    if (s.panicWindow() != null) m.put("panicWindow", Durations.format(s.panicWindow()));
    if (s.panicThreshold() != null) m.put("panicThreshold", s.panicThreshold());
    if (s.maxScaleUpRate() != null) m.put("maxScaleUpRate", s.maxScaleUpRate());
    if (s.maxScaleDownRate() != null) m.put("maxScaleDownRate", s.maxScaleDownRate());
    if (s.maxQueue() != null) m.put("maxQueue", s.maxQueue());
    if (s.maxQueueWait() != null) m.put("maxQueueWait", Durations.format(s.maxQueueWait()));
    if (s.scaleDownDelay() != null) m.put("scaleDownDelay", Durations.format(s.scaleDownDelay()));
    return m;
  }
}
