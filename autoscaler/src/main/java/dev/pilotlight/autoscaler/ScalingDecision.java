package dev.pilotlight.autoscaler;

/**
 * The outcome of one decision for one function.
 *
 * @param desired instances the function should have (ready + starting)
 * @param panicking whether the decision was taken in panic mode
 * @param stableConcurrency observed concurrency averaged over the stable window
 * @param panicConcurrency observed concurrency averaged over the panic window
 * @param reason a short word on what bound the result: {@code stable}, {@code panic}, {@code demand}
 *     (what is in flight and queued now), {@code starting} (no scale-down while requests wait or
 *     instances start), {@code idle} (kept warm while idle), {@code zero} (scaled to zero), {@code min}, {@code max}
 * @param state what the next decision starts from
 */
public record ScalingDecision(int desired, boolean panicking, double stableConcurrency, double panicConcurrency, String reason,
    ScalingState state) {}
