package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.KeepAlive;
import java.time.Duration;

/**
 * Decides, for one function, when it should have an instance up while it is idle: a pure function
 * of the function's settings and its idle-time histogram, with no clock and no I/O.
 */
@FunctionalInterface
public interface KeepAlivePolicy {

  /** The window in which the idle function should have an instance up. */
  KeepAliveDecision decide(FunctionSpec spec, IdleTimeHistogram histogram);

  /**
   * The window in which a function whose demand fell below a scale-out level (k ≥ 2 instances)
   * should have k instances again, from that level's histogram (see {@link IdleTimeTracker}). By
   * default none: above one instance the autoscaler alone decides. Only a policy that predicts
   * says more.
   */
  default KeepAliveDecision decideScaleOut(FunctionSpec spec, IdleTimeHistogram histogram) {
    return KeepAliveDecision.NONE;
  }

  /**
   * The same, when the level may expect to hold at most {@code allowanceMs} of idle instance-time
   * over the gaps its histogram holds (all of them together). By default the allowance is ignored.
   */
  default KeepAliveDecision decideScaleOut(FunctionSpec spec, IdleTimeHistogram histogram, double allowanceMs) {
    return decideScaleOut(spec, histogram);
  }

  /** The same, for level {@code level} (2 and up); by default the level does not matter. */
  default KeepAliveDecision decideScaleOut(FunctionSpec spec, int level, IdleTimeHistogram histogram, double allowanceMs) {
    return decideScaleOut(spec, histogram, allowanceMs);
  }

  /**
   * The idle instance-time (ms, over all the idle times of {@code level1}) that the function's
   * scale-out levels may spend, given {@code decision} for its zero ↔ one edge: unlimited by
   * default; a policy with a memory budget returns what the edge's decision left of it.
   */
  default double scaleOutAllowanceMs(FunctionSpec spec, IdleTimeHistogram level1, KeepAliveDecision decision) {
    return Double.POSITIVE_INFINITY;
  }

  /**
   * Changes whenever the policy's answers for the same histogram may have changed (a shared price
   * moved, {@link KeepAlivePrice}); a cached decision is reused only within one epoch. 0 by default:
   * a pure function of the settings and the histogram.
   */
  default long epoch() {
    return 0;
  }

  /** Keeps the instance for the function's {@code idleTimeout} after its last request; never pre-warms. */
  static KeepAlivePolicy fixed() {
    return Shared.FIXED;
  }

  /** Stops the instance as soon as it is idle; never pre-warms. */
  static KeepAlivePolicy off() {
    return Shared.OFF;
  }

  /**
   * The learned keep-alive ({@code keepAlive: histogram}): the window of least expected cost over the
   * function's idle-time histogram at the default price, within a fixed keep-alive's memory
   * ({@link ExpectedCostPolicy}).
   */
  static KeepAlivePolicy histogram() {
    return Shared.HISTOGRAM;
  }

  /**
   * The learned keep-alive spending at most the memory of a fixed keep-alive of {@code budget}, with a
   * cold start worth {@code price} of idle instance (null: worth more than any memory within the budget).
   */
  static KeepAlivePolicy histogram(Duration budget, Duration price) {
    return budget.equals(ExpectedCostPolicy.DEFAULT_BUDGET) && price == null ? Shared.HISTOGRAM : new ExpectedCostPolicy(budget, price);
  }

  /** The default budget: a fixed 10-minute keep-alive's memory. */
  static Duration defaultBudget() {
    return ExpectedCostPolicy.DEFAULT_BUDGET;
  }

  /**
   * The hybrid histogram policy of "Serverless in the Wild" as issue 6 built it (percentiles,
   * margins, a 4-hour fallback; see {@link HistogramSettings#DEFAULTS}): no longer a mode, kept so
   * that {@code bench trace} can show it beside the default.
   */
  static KeepAlivePolicy paper() {
    return Shared.PAPER;
  }

  static KeepAlivePolicy paper(HistogramSettings settings) {
    return new HybridHistogramPolicy(settings);
  }

  /** One instance of each policy, so that the tracker's cached decisions ({@link KeepAliveDecisionCache}, by policy identity) are reused from tick to tick. */
  final class Shared {
    static final KeepAlivePolicy FIXED = (spec, histogram) -> new KeepAliveDecision(Duration.ZERO, spec.idleTimeout(), "fixed");
    static final KeepAlivePolicy OFF = (spec, histogram) -> new KeepAliveDecision(Duration.ZERO, Duration.ZERO, "off");
    static final KeepAlivePolicy HISTOGRAM = new ExpectedCostPolicy(ExpectedCostPolicy.DEFAULT_BUDGET, null);
    static final KeepAlivePolicy PAPER = new HybridHistogramPolicy(HistogramSettings.DEFAULTS);

    private Shared() {}
  }

  /** The policy of a mode: {@code fixed} and {@code off} as above, {@code histogram} with its defaults. */
  static KeepAlivePolicy of(KeepAlive mode) {
    return switch (mode) {
      case HISTOGRAM -> histogram();
      case FIXED -> fixed();
      case OFF -> off();
    };
  }

  /**
   * The knobs of the hybrid histogram policy. Where the paper (Shahrad et al., ATC 2020, §4.2) gives
   * a value, the default is the paper's.
   *
   * @param headPercentile the instance is wanted from this quantile of the idle times (paper: 5th)
   * @param tailPercentile until this one (paper: 99th)
   * @param margin the window opens this share earlier and closes this share later (paper: 10 %)
   * @param cvThreshold below this coefficient of variation of the bin counts the histogram is
   *     too flat to predict from (paper: 2)
   * @param minIdleTimes with fewer idle times recorded, nothing is predicted (not in the paper,
   *     which has no such floor; ours, because a pattern of one or two gaps is often a coincidence)
   * @param outOfRangeShare at or above this share of idle times longer than the range, the next
   *     one is predicted from the last of those (paper: 50 %, with an ARIMA forecast instead)
   * @param outOfRangeMargin the window around that prediction: this share before and after (paper: 15 %)
   * @param fallback how long the instance is kept while nothing can be predicted; never pre-warms
   *     (paper: the histogram's range, 4 hours)
   */
  record HistogramSettings(double headPercentile, double tailPercentile, double margin, double cvThreshold, int minIdleTimes,
      double outOfRangeShare, double outOfRangeMargin, Duration fallback) {

    /** The paper's values, with at least {@value #DEFAULT_MIN_IDLE_TIMES} idle times before anything is predicted. */
    public static final HistogramSettings DEFAULTS =
        new HistogramSettings(0.05, 0.99, 0.10, 2.0, HistogramSettings.DEFAULT_MIN_IDLE_TIMES, 0.5, 0.15, IdleTimeHistogram.RANGE);

    public static final int DEFAULT_MIN_IDLE_TIMES = 2;

    public HistogramSettings {
      if (!(headPercentile >= 0 && headPercentile < tailPercentile && tailPercentile <= 1)) {
        throw new IllegalArgumentException("percentiles: head " + headPercentile + ", tail " + tailPercentile
            + " (expected: 0 <= head < tail <= 1)");
      }
      if (!(margin >= 0 && margin < 1) || !(outOfRangeMargin >= 0 && outOfRangeMargin < 1)) {
        throw new IllegalArgumentException("margins: " + margin + ", " + outOfRangeMargin + " (expected: 0 <= margin < 1)");
      }
      if (!(cvThreshold >= 0) || minIdleTimes < 1 || !(outOfRangeShare > 0 && outOfRangeShare <= 1)) {
        throw new IllegalArgumentException("cvThreshold " + cvThreshold + ", minIdleTimes " + minIdleTimes + ", outOfRangeShare "
            + outOfRangeShare + " (expected: cvThreshold >= 0, minIdleTimes >= 1, 0 < outOfRangeShare <= 1)");
      }
      if (fallback == null || fallback.isNegative()) {
        throw new IllegalArgumentException("fallback: " + fallback + " (expected: >= 0)");
      }
    }

    public HistogramSettings withMinIdleTimes(int n) {
      return new HistogramSettings(headPercentile, tailPercentile, margin, cvThreshold, n, outOfRangeShare, outOfRangeMargin, fallback);
    }

    public HistogramSettings withFallback(Duration d) {
      return new HistogramSettings(headPercentile, tailPercentile, margin, cvThreshold, minIdleTimes, outOfRangeShare, outOfRangeMargin, d);
    }

    public HistogramSettings withMargin(double m) {
      return new HistogramSettings(headPercentile, tailPercentile, m, cvThreshold, minIdleTimes, outOfRangeShare, outOfRangeMargin, fallback);
    }
  }
}
