package dev.pilotlight.gateway;

import dev.pilotlight.activation.ScalingStatus;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Setting;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of a function in the native API (see docs/api.md). */
final class FunctionView {
  private FunctionView() {}

  static Map<String, Object> of(Deployment d, PoolSnapshot pool, ScalingStatus scaling, FunctionStats.Entry stats, String baseUrl) {
    Map<String, Object> m = fixed(d, baseUrl);
    m.putAll(live(pool, scaling, stats));
    return m;
  }

  /** What a revision shows that never changes: its settings, code and URL (the view's first fields). */
  static Map<String, Object> fixed(Deployment d, String baseUrl) {
    FunctionSpec s = d.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.putAll(settings(s));
    m.put("revision", d.revision());
    m.put("codeSha256", d.codeSha256());
    m.put("codeSize", d.codeSize());
    m.put("deployedAt", d.deployedAt().toString());
    m.put("url", baseUrl + "/fn/" + s.name() + "/");
    return m;
  }

  /** What changes from one moment to the next: instances, demand, counters (the view's last fields). */
  static Map<String, Object> live(PoolSnapshot pool, ScalingStatus scaling, FunctionStats.Entry stats) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("instances", pool == null ? 0 : pool.ready());
    m.put("starting", pool == null ? 0 : pool.starting());
    m.put("inFlight", pool == null ? 0 : pool.inFlight());
    m.put("queued", pool == null ? 0 : pool.queued());
    m.put("desired", scaling == null || scaling.desired() < 0 ? null : scaling.desired());
    m.put("panicking", scaling != null && scaling.panicking());
    m.putAll(stats == null ? FunctionStats.Entry.NONE : stats.toMap());
    return m;
  }

  /**
   * The settings as the view shows them ({@link Setting#viewKey()}), in declaration order; those
   * it leaves to the daemon are absent.
   */
  static Map<String, Object> settings(FunctionSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Setting<?> setting : FunctionSettings.ALL) {
      Object value = setting.shown() == Setting.Shown.NEVER ? null : setting.view(s);
      if (setting.shown() == Setting.Shown.ALWAYS || setting.shown() == Setting.Shown.WHEN_SET && value != null) {
        m.put(setting.viewKey(), value);
      }
    }
    return m;
  }
}
