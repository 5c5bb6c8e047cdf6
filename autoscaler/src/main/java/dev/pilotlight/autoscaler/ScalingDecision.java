package dev.pilotlight.autoscaler;

import java.util.Objects;

/**
 * The outcome of one decision for one function.
 *
 * @param desired instances the function should have (ready + starting)
 * @param prewarms how many of the instances to start now are pre-warms (the keep-alive policy
 *     expects a call: started through {@link ScaleTarget#prewarm}) rather than ordinary starts;
 *     0, or all of them ({@code desired} minus those ready and starting)
 * @param panicking whether the decision was taken in panic mode
 * @param stableConcurrency observed concurrency averaged over the stable window
 * @param panicConcurrency observed concurrency averaged over the panic window
 * @param reason what bound the result
 * @param state what the next decision starts from
 */
public record ScalingDecision(int desired, int prewarms, boolean panicking, double stableConcurrency, double panicConcurrency,
    Reason reason, ScalingState state) {

  public ScalingDecision {
    if (desired < 0) {
      throw new IllegalArgumentException("desired: " + desired + " (expected: >= 0)");
    }
    if (prewarms < 0 || prewarms > desired) {
      throw new IllegalArgumentException("prewarms: " + prewarms + " (expected: 0.." + desired + ")");
    }
    Objects.requireNonNull(reason, "reason");
  }

  /** What bound a decision's count; {@link #id} is the short word shown wherever a reason is printed. */
  public enum Reason {
    /** The stable window's average. */
    STABLE("stable"),
    /** Panic mode: the larger of the two averages, and never down. */
    PANIC("panic"),
    /** What is in flight and queued now needs at full concurrency. */
    DEMAND("demand"),
    /** The scale-down delay: what the busiest tick of its stretch needed. */
    DELAY("delay"),
    /** No scale-down while requests queue or instances start. */
    STARTING("starting"),
    /** Kept (or, at zero, pre-warmed) by the keep-alive policy while idle. */
    KEEP_ALIVE("idle"),
    /** Idle past the keep-alive policy's window: scaled to zero. */
    SCALE_TO_ZERO("zero"),
    /** A recurring burst the keep-alive policy expects: its instances kept or pre-warmed. */
    EXPECTED_BURST("expected"),
    /** {@code minInstances}. */
    MIN_INSTANCES("min"),
    /** {@code maxInstances}. */
    MAX_INSTANCES("max");

    private final String id;

    Reason(String id) {
      this.id = id;
    }

    /** The short word: {@code stable}, {@code panic}, {@code demand}, {@code delay}, {@code starting}, {@code idle}, {@code zero}, {@code expected}, {@code min}, {@code max}. */
    public String id() {
      return id;
    }

    @Override
    public String toString() {
      return id;
    }
  }
}
