package dev.pilotlight.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instances a function launched, from the daemon's {@code /metrics}: per launch strategy, how
 * many ({@code pilotlight_instance_starts_total}) and their init durations in all
 * ({@code pilotlight_instance_init_duration_seconds_sum}, launch → ready as the daemon measured).
 */
record Launches(Map<String, Integer> byStrategy, Map<String, Double> initSecondsByStrategy) {

  /** The launches of {@code function} counted in a metrics text. */
  static Launches in(String metrics, String function) {
    return new Launches(series(metrics, "pilotlight_instance_starts_total", function, v -> (int) Math.round(v)),
        series(metrics, "pilotlight_instance_init_duration_seconds_sum", function, v -> v));
  }

  private static <T> Map<String, T> series(String metrics, String name, String function, DoubleFunction<T> as) {
    Map<String, T> by = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(metrics);
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("function=\"" + function + "\"")) {
        Matcher s = Pattern.compile("strategy=\"([^\"]*)\"").matcher(labels);
        if (s.find()) {
          by.put(s.group(1), as.apply(Double.parseDouble(m.group(2))));
        }
      }
    }
    return by;
  }

  /** What was launched after {@code before} was read. */
  Launches since(Launches before) {
    Map<String, Integer> by = new TreeMap<>(byStrategy);
    before.byStrategy.forEach((k, v) -> by.merge(k, -v, Integer::sum));
    by.values().removeIf(v -> v <= 0);
    Map<String, Double> init = new TreeMap<>();
    for (String k : by.keySet()) {
      init.put(k, initSecondsByStrategy.getOrDefault(k, 0.0) - before.initSecondsByStrategy.getOrDefault(k, 0.0));
    }
    return new Launches(by, init);
  }

  int count() {
    return byStrategy.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** {@code pool-layer 1 (init 35 ms), aot 9 (init mean 412 ms)}. */
  String describe() {
    if (byStrategy.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    byStrategy.forEach((k, n) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(' ').append(n)
        .append(String.format(Locale.ROOT, " (init mean %.0f ms)", 1000 * initSecondsByStrategy.getOrDefault(k, 0.0) / n)));
    return s.toString();
  }
}
