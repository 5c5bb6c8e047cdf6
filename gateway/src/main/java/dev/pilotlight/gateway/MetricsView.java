package dev.pilotlight.gateway;

import dev.pilotlight.activation.history.MetricsHistory;
import dev.pilotlight.activation.history.MinuteSample;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /api/v1/functions/NAME/metrics?since=1h[&step=60]}: a window of the function's per-minute history as
 * columns, one value per step in each (ready for a chart library), with the window's cold starts by launch strategy
 * and its recent scaling events.
 */
final class MetricsView {
  private MetricsView() {}

  static Map<String, Object> of(MetricsHistory history, String function, String since, String step) {
    Duration window = since == null ? Duration.ofHours(1) : Durations.parse("since", since);
    Integer stepSeconds;
    try {
      stepSeconds = step == null ? null : Integer.valueOf(step);
    } catch (NumberFormatException e) {
      throw new Failure.InvalidInput("step: '" + step + "' (expected: seconds, a multiple of 60)");
    }
    MetricsHistory.Window w;
    try {
      w = history.window(function, window, stepSeconds);
    } catch (IllegalArgumentException e) {
      throw new Failure.InvalidInput(e.getMessage());
    }
    List<MinuteSample> s = w.samples();
    Map<String, Object> series = new LinkedHashMap<>();
    series.put("t", w.steps().stream().map(i -> i.getEpochSecond()).toList());
    series.put("invocations", column(s, MinuteSample::invocations));
    series.put("errors", column(s, MinuteSample::errors));
    series.put("throttles", column(s, MinuteSample::throttles));
    series.put("durationP50Ms", column(s, x -> rounded(x.durationPercentile(0.50))));
    series.put("durationP99Ms", column(s, x -> rounded(x.durationPercentile(0.99))));
    series.put("concurrencyMax", column(s, MinuteSample::concurrencyMax));
    series.put("instancesReady", column(s, MinuteSample::readyMax));
    series.put("instancesStarting", column(s, MinuteSample::startingMax));
    series.put("scaleUps", column(s, MinuteSample::scaleUps));
    series.put("scaleDowns", column(s, MinuteSample::scaleDowns));
    series.put("coldStarts", column(s, MinuteSample::coldStartCount));
    series.put("initMsP50", column(s, x -> rounded(x.initMsP50())));
    series.put("prewarms", column(s, MinuteSample::prewarms));
    series.put("prewarmHits", column(s, MinuteSample::prewarmHits));
    series.put("usedGbSeconds", column(s, x -> Math.round(x.usedGbSeconds() * 1e6) / 1e6));
    series.put("idleGbSeconds", column(s, x -> Math.round(x.idleGbSeconds() * 1e6) / 1e6));
    Map<String, Object> byStrategy = new LinkedHashMap<>();
    w.total().coldStarts().forEach((strategy, c) -> byStrategy.put(strategy, Map.of("count", c.count(), "initMsP50", rounded(c.initMsP50()),
        "initMsMax", rounded(c.maxInitMs()))));
    List<Map<String, Object>> events = new ArrayList<>();
    for (MetricsHistory.Event e : w.events()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", e.at().toString());
      m.put("kind", e.kind());
      if (e.strategy() != null) {
        m.put("strategy", e.strategy());
        m.put("initMs", rounded(e.initMs()));
      }
      m.put("instances", e.instances());
      events.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("function", function);
    out.put("since", w.since().toString());
    out.put("until", w.until().toString());
    out.put("stepSeconds", w.stepSeconds());
    out.put("series", series);
    out.put("coldStartsByStrategy", byStrategy);
    out.put("events", events);
    return out;
  }

  private static List<Object> column(List<MinuteSample> samples, Function<MinuteSample, Object> value) {
    List<Object> out = new ArrayList<>(samples.size());
    for (MinuteSample m : samples) {
      out.add(value.apply(m));
    }
    return out;
  }

  /** Two decimals; null (JSON {@code null}: no value in that step) for NaN. */
  private static Double rounded(double v) {
    return Double.isNaN(v) ? null : Math.round(v * 100) / 100.0;
  }
}
