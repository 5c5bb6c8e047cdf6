package dev.pilotlight.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cold starts of one rung of one example.
 *
 * @param rung the rung's key: {@code default}, {@code pool} or {@code plain}
 * @param function the deployed copy that was called
 * @param strategies the status's {@code lastColdStart.strategy} after each call, counted
 * @param cold cold starts through the gateway, send → whole response
 * @param init the daemon's own init duration of each of those cold starts (status
 *     {@code lastColdStart.initMs}: launch → instance ready), or null when it reported none
 */
record RungResult(String rung, String function, Map<String, Integer> strategies, Summary cold, Summary init) {

  RungResult {
    strategies = Collections.unmodifiableMap(new LinkedHashMap<>(strategies)); // keeps the order first seen
  }

  /** e.g. {@code pool-layer}, or {@code pool-layer 29, pool 1} when mixed. */
  String strategy() {
    return StrategyTally.describe(strategies);
  }
}
