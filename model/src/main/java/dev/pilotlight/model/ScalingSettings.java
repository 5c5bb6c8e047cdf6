package dev.pilotlight.model;

import java.time.Duration;

/**
 * How a function scales and queues, as the user set it: each null field falls back to the daemon's
 * setting, then to the default documented here. The same record holds a function's settings
 * ({@link FunctionSpec#scaling()}, mostly null) and the daemon's ({@code serve} flags); {@link #over}
 * layers one on the other. Validated on construction; every error names the key.
 *
 * @param targetUtilization share of {@code concurrency} the autoscaler aims to keep busy per instance
 *     (default {@value #DEFAULT_TARGET_UTILIZATION}; 0.01 to 1): desired instances =
 *     ceil(observed concurrency / max(1, targetUtilization × concurrency))
 * @param stableWindow observed concurrency is averaged over this long for ordinary decisions
 *     (default 60 s; 6 s to 1 h)
 * @param panicWindow and over this long to detect a burst (default 6 s; 1 s to 1 h, at most the
 *     stable window, else it is cut to it)
 * @param panicThreshold the autoscaler panics (scales on the panic window and never down) when the
 *     panic window's concurrency reaches this multiple of what the ready instances serve at target
 *     (default {@value #DEFAULT_PANIC_THRESHOLD}; 1.1 to 10)
 * @param maxScaleUpRate one decision may grow the instances to at most this multiple of the ready
 *     ones (default {@value #DEFAULT_MAX_SCALE_UP_RATE}; more than 1)
 * @param maxScaleDownRate and shrink them to no less than the ready ones divided by this (default
 *     {@value #DEFAULT_MAX_SCALE_DOWN_RATE}; more than 1)
 * @param maxQueue requests that may wait for a free instance (default: the daemon's {@code --max-queue},
 *     1000; 1 to 100,000); one more is answered {@code 429}
 * @param maxQueueWait how long a request may wait for a free instance (default: the function's
 *     timeout, at least 10 s; 1 ms to 15 min); then it is answered {@code 429}
 * @param scaleDownDelay the autoscaler never goes below what the busiest second of this last
 *     stretch of time needed (default 60 s; 0 to 1 h, 0 turns it off), as Knative's
 *     {@code scale-down-delay}: the ups and downs inside a burst do not stop an instance only to
 *     start another seconds later
 */
public record ScalingSettings(
    Double targetUtilization,
    Duration stableWindow,
    Duration panicWindow,
    Double panicThreshold,
    Double maxScaleUpRate,
    Double maxScaleDownRate,
    Integer maxQueue,
    Duration maxQueueWait,
    Duration scaleDownDelay) {

  public static final double DEFAULT_TARGET_UTILIZATION = 0.7;
  public static final Duration DEFAULT_STABLE_WINDOW = Duration.ofSeconds(60);
  public static final Duration DEFAULT_PANIC_WINDOW = Duration.ofSeconds(6);
  public static final double DEFAULT_PANIC_THRESHOLD = 2.0;
  public static final double DEFAULT_MAX_SCALE_UP_RATE = 1000.0;
  public static final double DEFAULT_MAX_SCALE_DOWN_RATE = 2.0;
  public static final int DEFAULT_MAX_QUEUE = 1000;
  public static final Duration DEFAULT_SCALE_DOWN_DELAY = Duration.ofSeconds(60);

  /** Nothing set: every value comes from the daemon or the defaults. */
  public static final ScalingSettings UNSET = new ScalingSettings(null, null, null, null, null, null, null, null, null);

  /** Every value at its default, except {@code maxQueueWait}, whose default depends on the function's timeout. */
  public static final ScalingSettings DEFAULTS = new ScalingSettings(DEFAULT_TARGET_UTILIZATION, DEFAULT_STABLE_WINDOW,
      DEFAULT_PANIC_WINDOW, DEFAULT_PANIC_THRESHOLD, DEFAULT_MAX_SCALE_UP_RATE, DEFAULT_MAX_SCALE_DOWN_RATE, DEFAULT_MAX_QUEUE, null,
      DEFAULT_SCALE_DOWN_DELAY);

  public ScalingSettings(Double targetUtilization, Duration stableWindow, Duration panicWindow, Double panicThreshold,
      Double maxScaleUpRate, Double maxScaleDownRate, Integer maxQueue, Duration maxQueueWait, Duration scaleDownDelay) {
    this.targetUtilization = targetUtilization;
    this.stableWindow = stableWindow;
    this.panicWindow = panicWindow;
    this.panicThreshold = panicThreshold;
    this.maxScaleUpRate = maxScaleUpRate;
    this.maxScaleDownRate = maxScaleDownRate;
    this.maxQueue = maxQueue;
    this.maxQueueWait = maxQueueWait;
    this.scaleDownDelay = scaleDownDelay;
    for (Setting<?> s : FunctionSettings.SCALING) {
      check(s);
    }
    if (stableWindow != null && panicWindow != null && panicWindow.compareTo(stableWindow) > 0) {
      throw new Failure.InvalidInput("panicWindow: " + Durations.format(panicWindow) + " (expected: at most stableWindow "
          + Durations.format(stableWindow) + ")");
    }
  }

  private <T> void check(Setting<T> s) {
    s.check(s.get(this));
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder(UNSET);
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** These settings where set, else {@code base}'s; a panic window longer than the stable window is cut to it. */
  public ScalingSettings over(ScalingSettings base) {
    Builder layered = builder();
    for (Setting<?> s : FunctionSettings.SCALING) {
      layer(s, base, layered);
    }
    if (layered.stableWindow != null && layered.panicWindow != null && layered.panicWindow.compareTo(layered.stableWindow) > 0) {
      layered.panicWindow = layered.stableWindow; // e.g. a function that sets only a stable window shorter than the daemon's panic window
    }
    return layered.build();
  }

  private <T> void layer(Setting<T> s, ScalingSettings base, Builder layered) {
    T own = s.get(this);
    s.set(layered, own != null ? own : s.get(base));
  }

  public boolean isUnset() {
    return equals(UNSET);
  }

  public ScalingSettings withMaxQueue(Integer n) {
    return toBuilder().maxQueue(n).build();
  }

  public ScalingSettings withScaleDownDelay(Duration d) {
    return toBuilder().scaleDownDelay(d).build();
  }

  public ScalingSettings withMaxQueueWait(Duration d) {
    return toBuilder().maxQueueWait(d).build();
  }

  /** Builds scaling settings; each one left alone stays unset (the daemon's). */
  public static final class Builder {
    private Double targetUtilization;
    private Duration stableWindow;
    private Duration panicWindow;
    private Double panicThreshold;
    private Double maxScaleUpRate;
    private Double maxScaleDownRate;
    private Integer maxQueue;
    private Duration maxQueueWait;
    private Duration scaleDownDelay;

    private Builder(ScalingSettings s) {
      for (Setting<?> setting : FunctionSettings.SCALING) {
        copy(setting, s);
      }
    }

    private <T> void copy(Setting<T> setting, ScalingSettings from) {
      setting.set(this, setting.get(from));
    }

    public Builder targetUtilization(Double v) {
      targetUtilization = v;
      return this;
    }

    public Builder stableWindow(Duration v) {
      stableWindow = v;
      return this;
    }

    public Builder panicWindow(Duration v) {
      panicWindow = v;
      return this;
    }

    public Builder panicThreshold(Double v) {
      panicThreshold = v;
      return this;
    }

    public Builder maxScaleUpRate(Double v) {
      maxScaleUpRate = v;
      return this;
    }

    public Builder maxScaleDownRate(Double v) {
      maxScaleDownRate = v;
      return this;
    }

    public Builder maxQueue(Integer v) {
      maxQueue = v;
      return this;
    }

    public Builder maxQueueWait(Duration v) {
      maxQueueWait = v;
      return this;
    }

    public Builder scaleDownDelay(Duration v) {
      scaleDownDelay = v;
      return this;
    }

    /** The settings; {@link #UNSET} itself when nothing is set. */
    public ScalingSettings build() {
      ScalingSettings s = new ScalingSettings(targetUtilization, stableWindow, panicWindow, panicThreshold, maxScaleUpRate, maxScaleDownRate,
          maxQueue, maxQueueWait, scaleDownDelay);
      return s.equals(UNSET) ? UNSET : s;
    }
  }
}
