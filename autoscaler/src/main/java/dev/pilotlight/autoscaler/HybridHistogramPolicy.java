package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;

/**
 * The hybrid histogram policy of "Serverless in the Wild" (Shahrad et al., USENIX ATC 2020, §4.2),
 * in three regimes:
 *
 * <ol>
 *   <li><b>out-of-range</b>: when at least {@code outOfRangeShare} of the idle times were longer than
 *       the histogram's 4 hours, the next idle time is predicted to be the last such one, and the
 *       window is that prediction ± {@code outOfRangeMargin}. (The paper forecasts it with ARIMA
 *       over the out-of-range idle times; one remembered value keeps the state to a few bytes.)
 *   <li><b>uncertain</b>: with fewer than {@code minIdleTimes} idle times, or bin counts whose
 *       coefficient of variation is below {@code cvThreshold} (spread too flat to say anything),
 *       the instance is simply kept for the {@code fallback} (4 hours) and never pre-warmed.
 *   <li><b>learned</b>: the window opens at the head percentile's bin (its lower edge, less the
 *       margin) and closes at the tail percentile's bin (its upper edge, plus the margin). A head in
 *       the first bin means calls may follow within a minute: the window opens at once, so the
 *       instance that served the last call is kept rather than stopped and pre-warmed.
 * </ol>
 *
 * <p>Scale-out levels ({@link #decideScaleOut}) are ours, not the paper's: a level's gaps between
 * bursts are predicted the same way, and only a true pre-warm window is used (see there).
 */
final class HybridHistogramPolicy implements KeepAlivePolicy {
  private final HistogramSettings s;

  HybridHistogramPolicy(HistogramSettings settings) {
    this.s = settings;
  }

  @Override
  public KeepAliveDecision decide(FunctionSpec spec, IdleTimeHistogram h) {
    int total = h.total();
    if (total >= s.minIdleTimes() && h.outOfRange() >= s.outOfRangeShare() * total && h.lastOutOfRange().isPositive()) {
      Duration predicted = h.lastOutOfRange();
      return new KeepAliveDecision(scale(predicted, 1 - s.outOfRangeMargin()), scale(predicted, 1 + s.outOfRangeMargin()), "out-of-range");
    }
    if (total < s.minIdleTimes() || h.inRange() == 0 || h.coefficientOfVariation() < s.cvThreshold()) {
      return new KeepAliveDecision(Duration.ZERO, s.fallback(), "uncertain");
    }
    Duration head = IdleTimeHistogram.BIN.multipliedBy(h.percentileBin(s.headPercentile()));
    Duration tail = IdleTimeHistogram.BIN.multipliedBy(h.percentileBin(s.tailPercentile()) + 1L);
    return new KeepAliveDecision(scale(head, 1 - s.margin()), scale(tail, 1 + s.margin()), "learned");
  }

  /**
   * The pre-warm window of a scale-out level: the instances that a burst needing k of them at once
   * used are started again shortly before the next such burst is expected.
   *
   * <ul>
   *   <li>Only gaps of a minute or more count. Shorter ones are the ups and downs inside a burst,
   *       which the autoscaler's scale-down delay bridges (60 s by default).
   *   <li>At least {@value #MIN_SCALE_OUT_GAPS} such gaps, and the percentiles never rest on the
   *       single shortest or longest one: with n gaps the head is at least the 2nd and the tail at
   *       most the (n-1)th. (The paper's 5th and 99th percentiles of fewer than 20 or 100 gaps are
   *       the extremes; at level 1 that is one instance, here it is k for hours.)
   *   <li>Only a prediction (learned, or out of range); while a level is uncertain nothing is kept:
   *       no long fallback of k instances.
   *   <li>Only a window that opens late enough to be a pre-warm: at least {@value #MIN_PREWARM_SHARE}
   *       of the way to its end. A window that opens (almost) at once would hold k instances
   *       through the whole gap, which is what the autoscaler's scale-down declined to do.
   * </ul>
   */
  @Override
  public KeepAliveDecision decideScaleOut(FunctionSpec spec, IdleTimeHistogram histogram) {
    IdleTimeHistogram gaps = histogram.withoutFirstBin();
    int n = gaps.total();
    if (n < MIN_SCALE_OUT_GAPS) {
      return KeepAliveDecision.NONE;
    }
    double tail = Math.min(s.tailPercentile(), (n - 1.0) / n);
    double head = Math.min(Math.max(s.headPercentile(), 2.0 / n), tail - 1e-9);
    HistogramSettings trimmed = new HistogramSettings(head, tail, s.margin(), s.cvThreshold(), MIN_SCALE_OUT_GAPS,
        s.outOfRangeShare(), s.outOfRangeMargin(), s.fallback());
    KeepAliveDecision d = new HybridHistogramPolicy(trimmed).decide(spec, gaps);
    if (d.basis().equals("uncertain") || d.prewarmAfter().toMillis() < MIN_PREWARM_SHARE * d.keepUntil().toMillis()) {
      return KeepAliveDecision.NONE;
    }
    return d;
  }

  /** A scale-out level predicts from at least this many gaps of a minute or more. */
  static final int MIN_SCALE_OUT_GAPS = 3;
  /** A scale-out window is used only if it opens at least this share of the way to its end (tuned on the Azure sample: docs/performance.md). */
  static final double MIN_PREWARM_SHARE = 0.3;

  /** {@code d × factor}, to the millisecond. */
  private static Duration scale(Duration d, double factor) {
    return Duration.ofMillis(Math.round(d.toMillis() * factor));
  }

  @Override
  public String toString() {
    return "HybridHistogramPolicy" + s;
  }
}
