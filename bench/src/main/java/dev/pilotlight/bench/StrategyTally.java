package dev.pilotlight.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Counts which launch strategy served each cold start, in the order they were first seen. */
final class StrategyTally {
  private final Map<String, Integer> counts = new LinkedHashMap<>();

  void add(String strategy) {
    counts.merge(strategy == null || strategy.isBlank() ? "unknown" : strategy, 1, Integer::sum);
  }

  /** Strategy → cold starts it served, in the order first seen (a copy). */
  Map<String, Integer> counts() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }

  String describe() {
    return describe(counts);
  }

  /** {@code plain} when every cold start used one strategy, else e.g. {@code plain 28, snapshot 2}. */
  static String describe(Map<String, Integer> counts) {
    if (counts.isEmpty()) {
      return "none";
    }
    if (counts.size() == 1) {
      return counts.keySet().iterator().next();
    }
    return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }
}
