package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.ScalingSettings;
import java.time.Duration;

/**
 * Everything one scaling decision needs to know about a function, resolved: the function's own
 * settings over the daemon's over the defaults ({@link ScalingSettings}).
 *
 * @param concurrency requests one instance serves at once
 * @param targetUtilization share of {@code concurrency} aimed for; {@code concurrency × targetUtilization} (at least 1) is the target per instance
 * @param stableWindow averaging window for ordinary decisions
 * @param panicWindow averaging window for burst detection, at most {@code stableWindow}
 * @param panicThreshold panic when the panic window's concurrency reaches this multiple of the ready instances' target
 * @param maxScaleUpRate one decision grows to at most this multiple of the ready instances
 * @param maxScaleDownRate one decision shrinks to no less than the ready instances divided by this
 * @param minInstances never fewer
 * @param maxInstances never more
 * @param idleTimeout with no demand for this long, the function may scale to zero (the {@code fixed} keep-alive's window: see {@link KeepAliveIdlePolicy})
 * @param scaleDownDelay never below what the busiest tick of this last stretch needed (zero: off)
 */
public record ScalingPolicy(int concurrency, double targetUtilization, Duration stableWindow, Duration panicWindow,
    double panicThreshold, double maxScaleUpRate, double maxScaleDownRate, int minInstances, int maxInstances, Duration idleTimeout,
    Duration scaleDownDelay) {

  public ScalingPolicy {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 1)");
    }
    if (panicWindow.compareTo(stableWindow) > 0) {
      throw new IllegalArgumentException("panicWindow: " + panicWindow + " (expected: <= stableWindow " + stableWindow + ")");
    }
    if (minInstances < 0 || maxInstances < minInstances) {
      throw new IllegalArgumentException("instances: min " + minInstances + ", max " + maxInstances + " (expected: 0 <= min <= max)");
    }
  }

  /**
   * The function's settings over {@code daemon}'s over the defaults; a reserved concurrency caps the
   * instances ({@link FunctionSpec#instanceCap}).
   */
  public static ScalingPolicy of(FunctionSpec spec, ScalingSettings daemon) {
    ScalingSettings s = spec.scaling().over(daemon).over(ScalingSettings.DEFAULTS);
    int max = spec.instanceCap();
    return new ScalingPolicy(spec.concurrency(), s.targetUtilization(), s.stableWindow(), s.panicWindow(), s.panicThreshold(),
        s.maxScaleUpRate(), s.maxScaleDownRate(), Math.min(spec.minInstances(), max), max, spec.idleTimeout(),
        s.scaleDownDelay());
  }

  /**
   * Concurrency one instance should carry: {@code concurrency × targetUtilization}, but at least one
   * request. With {@code concurrency} 1 (Lambda's model) a target below one would keep an idle
   * instance beside every busy one: one call in flight would mean two instances.
   */
  public double targetPerInstance() {
    return Math.max(1.0, concurrency * targetUtilization);
  }

  /** How far back the demand history must reach: the stable window or the scale-down delay, whichever is longer. */
  public Duration historyKept() {
    return stableWindow.compareTo(scaleDownDelay) >= 0 ? stableWindow : scaleDownDelay;
  }
}
