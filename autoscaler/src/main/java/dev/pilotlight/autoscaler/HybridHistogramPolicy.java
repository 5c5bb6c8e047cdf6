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

  /** {@code d × factor}, to the millisecond. */
  private static Duration scale(Duration d, double factor) {
    return Duration.ofMillis(Math.round(d.toMillis() * factor));
  }

  @Override
  public String toString() {
    return "HybridHistogramPolicy" + s;
  }
}
