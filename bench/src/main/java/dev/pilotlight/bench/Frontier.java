package dev.pilotlight.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Where a policy sits against the curve the fixed keep-alives draw (cold-start fraction against idle
 * GB-s, straight lines between the fixed points): the cold-start fraction the curve has at the
 * policy's idle GB-s, and the idle GB-s the curve needs for the policy's cold-start fraction. A
 * policy is below the frontier when it has fewer cold starts than the curve at its own idle GB-s.
 * Everything is computed from the per-function figures, so any subset of the functions (a half of a
 * split) gets its own frontier.
 */
final class Frontier {

  /** A policy's totals over some functions. */
  record Point(String policy, long invocations, long coldStarts, double idleGbSeconds) {
    double coldFraction() {
      return invocations == 0 ? 0 : (double) coldStarts / invocations;
    }
  }

  /**
   * One policy against the fixed curve and against {@code baseline}.
   *
   * @param frontierColdFraction the curve's cold-start fraction at the policy's idle GB-s
   * @param frontierIdleGbSeconds the curve's idle GB-s at the policy's cold-start fraction; null
   *     when no fixed keep-alive replayed gets that few
   * @param worseOnBoth the share of functions (with invocations) for which the policy has more cold
   *     starts and more idle GB-s than the baseline
   */
  record Position(Point policy, Point baseline, double frontierColdFraction, Double frontierIdleGbSeconds, double worseOnBoth) {
    boolean below() {
      return policy.coldFraction() < frontierColdFraction;
    }

    double coldVsBaseline() {
      return ratio(policy.coldFraction(), baseline.coldFraction());
    }

    double idleVsBaseline() {
      return ratio(policy.idleGbSeconds(), baseline.idleGbSeconds());
    }

    double coldVsFrontier() {
      return ratio(policy.coldFraction(), frontierColdFraction);
    }

    Double idleVsFrontier() {
      return frontierIdleGbSeconds == null ? null : ratio(policy.idleGbSeconds(), frontierIdleGbSeconds);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("policy", policy.policy());
      m.put("coldStartFraction", policy.coldFraction());
      m.put("idleGbSeconds", policy.idleGbSeconds());
      m.put("coldStartFractionVsBaseline", coldVsBaseline());
      m.put("idleGbSecondsVsBaseline", idleVsBaseline());
      m.put("frontierColdStartFractionAtSameIdle", frontierColdFraction);
      m.put("coldStartFractionVsFrontier", coldVsFrontier());
      m.put("frontierIdleGbSecondsAtSameColdStarts", frontierIdleGbSeconds);
      m.put("idleGbSecondsVsFrontier", idleVsFrontier());
      m.put("belowFrontier", below());
      m.put("functionsWorseOnBothThanBaseline", worseOnBoth);
      return m;
    }
  }

  private final List<Point> fixed;
  private final Map<String, Point> points = new LinkedHashMap<>();
  private final Map<String, Map<Integer, TraceReplay.FunctionResult>> byFunction = new HashMap<>();

  /** The frontier of {@code results}' fixed policies over the functions {@code which} accepts (by trace index). */
  Frontier(List<TraceReplay.Result> results, IntPredicate which) {
    for (TraceReplay.Result r : results) {
      long inv = 0;
      long cold = 0;
      double idle = 0;
      Map<Integer, TraceReplay.FunctionResult> fs = new HashMap<>();
      for (TraceReplay.FunctionResult f : r.perFunction()) {
        if (which.test(f.index())) {
          inv += f.invocations();
          cold += f.coldStarts();
          idle += f.idleGbSeconds();
          fs.put(f.index(), f);
        }
      }
      points.put(r.policy(), new Point(r.policy(), inv, cold, idle));
      byFunction.put(r.policy(), fs);
    }
    List<Point> f = new ArrayList<>();
    points.values().stream().filter(p -> TraceReplay.isFixed(p.policy())).forEach(f::add);
    f.sort(Comparator.comparingDouble(Point::idleGbSeconds));
    this.fixed = List.copyOf(f);
    if (fixed.isEmpty()) {
      throw new IllegalArgumentException("no fixed keep-alive among " + points.keySet());
    }
  }

  Frontier(List<TraceReplay.Result> results) {
    this(results, i -> true);
  }

  /** The fixed points, by idle GB-s. */
  List<Point> fixed() {
    return fixed;
  }

  Point point(String policy) {
    return points.get(policy);
  }

  /** The curve's cold-start fraction at {@code idle} GB-s: flat beyond its ends. */
  double coldFractionAt(double idle) {
    if (idle <= fixed.getFirst().idleGbSeconds()) {
      return fixed.getFirst().coldFraction();
    }
    for (int i = 1; i < fixed.size(); i++) {
      Point lo = fixed.get(i - 1);
      Point hi = fixed.get(i);
      if (idle <= hi.idleGbSeconds()) {
        double span = hi.idleGbSeconds() - lo.idleGbSeconds();
        double t = span <= 0 ? 1 : (idle - lo.idleGbSeconds()) / span;
        return lo.coldFraction() + t * (hi.coldFraction() - lo.coldFraction());
      }
    }
    return fixed.getLast().coldFraction();
  }

  /** The least idle GB-s at which the curve reaches {@code coldFraction}; null if no fixed keep-alive gets that low. */
  Double idleGbSecondsAt(double coldFraction) {
    if (coldFraction >= fixed.getFirst().coldFraction()) {
      return fixed.getFirst().idleGbSeconds();
    }
    for (int i = 1; i < fixed.size(); i++) {
      Point lo = fixed.get(i - 1);
      Point hi = fixed.get(i);
      if (hi.coldFraction() <= coldFraction) {
        double drop = lo.coldFraction() - hi.coldFraction();
        double t = drop <= 0 ? 1 : (lo.coldFraction() - coldFraction) / drop;
        return lo.idleGbSeconds() + t * (hi.idleGbSeconds() - lo.idleGbSeconds());
      }
    }
    return null;
  }

  /** Where {@code policy} sits, against the curve and against {@code baseline}. */
  Position position(String policy, String baseline) {
    Point p = points.get(policy);
    Point b = points.get(baseline);
    if (p == null || b == null) {
      throw new IllegalArgumentException("no results for " + (p == null ? policy : baseline));
    }
    Map<Integer, TraceReplay.FunctionResult> mine = byFunction.get(policy);
    Map<Integer, TraceReplay.FunctionResult> theirs = byFunction.get(baseline);
    int worse = 0;
    int counted = 0;
    for (TraceReplay.FunctionResult f : mine.values()) {
      TraceReplay.FunctionResult g = theirs.get(f.index());
      if (g == null || f.invocations() == 0) {
        continue;
      }
      counted++;
      if (f.coldStarts() > g.coldStarts() && f.idleGbSeconds() > g.idleGbSeconds() + 1e-9) {
        worse++;
      }
    }
    return new Position(p, b, coldFractionAt(p.idleGbSeconds()), idleGbSecondsAt(p.coldFraction()), counted == 0 ? 0 : (double) worse / counted);
  }

  static double ratio(double a, double b) {
    return b == 0 ? (a == 0 ? 1 : Double.NaN) : a / b;
  }
}
