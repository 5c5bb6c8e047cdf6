package dev.pilotlight.autoscaler;

import java.time.Duration;
import java.time.Instant;

/**
 * When an idle function should have an instance up, measured from the end of its last request
 * ({@code idleSince}): from {@code idleSince + prewarmAfter} until {@code idleSince + keepUntil},
 * and not otherwise. With {@code prewarmAfter} zero the instance that served the last request is
 * simply kept until {@code keepUntil}; with a positive one it is stopped at once and another is
 * started ("pre-warmed") when the window opens.
 *
 * @param prewarmAfter the window opens this long after the last request ended (zero: at once)
 * @param keepUntil the window closes this long after it (zero: no window at all)
 * @param basis why: {@code fixed}, {@code off}, {@code learned} (from the histogram),
 *     {@code uncertain} (too few idle times, or spread too flat: the long fallback) or
 *     {@code out-of-range} (most idle times are longer than the histogram's range)
 */
public record KeepAliveDecision(Duration prewarmAfter, Duration keepUntil, String basis) {
  /** No window at all: nothing is kept or pre-warmed. */
  public static final KeepAliveDecision NONE = new KeepAliveDecision(Duration.ZERO, Duration.ZERO, "none");

  public KeepAliveDecision {
    if (prewarmAfter == null || prewarmAfter.isNegative()) {
      throw new IllegalArgumentException("prewarmAfter: " + prewarmAfter + " (expected: >= 0)");
    }
    if (keepUntil == null || keepUntil.compareTo(prewarmAfter) < 0) {
      throw new IllegalArgumentException("keepUntil: " + keepUntil + " (expected: >= prewarmAfter " + prewarmAfter + ")");
    }
  }

  /** Whether an instance is wanted at {@code now} for a function idle since {@code idleSince}. */
  public boolean wantsInstance(Instant idleSince, Instant now) {
    return !now.isBefore(idleSince.plus(prewarmAfter)) && now.isBefore(idleSince.plus(keepUntil));
  }

  /** True when the instance is started anew before the expected call rather than kept from the last one. */
  public boolean prewarms() {
    return prewarmAfter.isPositive();
  }
}
