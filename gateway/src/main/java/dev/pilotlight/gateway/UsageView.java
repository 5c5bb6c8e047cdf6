package dev.pilotlight.gateway;

import dev.pilotlight.model.CostModel;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Usage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of {@code GET /api/v1/functions/{name}/usage} (see docs/api.md). */
final class UsageView {
  private UsageView() {}

  /** @param period how far back {@code since} reached (null: everything recorded), for the rate and the always-on price */
  static Map<String, Object> of(Deployment d, ControlPlane.FunctionUsage fu, KeepAliveView keepAlive, Duration period) {
    Usage u = fu.usage();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("function", d.name());
    m.put("memoryMb", d.spec().memoryMb());
    m.put("since", fu.since() == null ? null : fu.since().toString());
    m.put("invocations", u.invocations());
    m.put("coldStarts", u.coldStarts());
    m.put("prewarmHits", u.prewarmHits());
    m.put("prewarms", u.prewarms());
    m.put("billedMs", u.billedMs());
    m.put("usedGbSeconds", u.usedGbSeconds());
    m.put("keepAliveIdleGbSeconds", u.keepAliveIdleMbMs() / 1024.0 / 1000.0);
    m.put("prewarmIdleGbSeconds", u.prewarmIdleMbMs() / 1024.0 / 1000.0);
    m.put("idleGbSeconds", u.idleGbSeconds());
    m.put("initMs", u.initMs());
    m.put("maxMemoryUsedMb", u.maxMemoryUsedMb());
    m.put("keepAlive", keepAlive == null ? null : keepAlive.toMap());
    // priced as `pilotlight cost` prices at its defaults (AWS Lambda per use, an always-on Fargate task of the same size)
    CostModel.Cost c = CostModel.of(u.invocations(), u.billedMs(), u.usedGbSeconds(), d.spec().memoryMb(), CostModel.Prices.DEFAULTS, period);
    Map<String, Object> price = new LinkedHashMap<>();
    price.put("perUseUsd", c.perUse());
    price.put("alwaysOnPerHourUsd", c.alwaysOnPerHour());
    price.put("alwaysOnForPeriodUsd", finite(c.alwaysOnForPeriod()));
    price.put("observedPerHour", finite(c.observedPerHour()));
    price.put("crossoverPerHour", finite(c.crossoverPerHour()));
    m.put("price", price);
    return m;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
