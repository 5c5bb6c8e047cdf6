package dev.pilotlight.gateway;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a function's idle instance is kept now, for {@code status} and {@code cost}: its keep-alive
 * mode and the window the policy chose, measured from the end of its last request.
 *
 * @param mode {@code histogram}, {@code fixed} or {@code off} (the function's, else the daemon's)
 * @param basis why the window is what it is: {@code learned}, {@code uncertain}, {@code out-of-range}, {@code fixed}, {@code off}
 * @param prewarmAfter an instance is wanted from this long after the last request (zero: kept from it)
 * @param keepUntil until this long after it
 * @param idleTimes how many idle times the function's histogram holds (learned so far, kept across restarts)
 * @param scaleOutLevels how many levels above one instance the function has reached, each with its own
 *     histogram ({@code histogram} mode pre-warms bursts at those levels)
 * @param coldStartPriceGbSeconds the {@code histogram} mode's price of a cold start, shared by every
 *     function in it (GB-s of idle instance; set so that together they hold no more idle memory than
 *     the fixed keep-alive of the budget); null in other modes, or while nothing limits it
 * @param balanceGbSeconds the {@code histogram} mode's account since the daemon started: idle memory
 *     its functions' windows held less (positive) or more (negative, then paid back through the price)
 *     than the fixed keep-alive of the budget would have on the same idle times; null in other modes
 */
public record KeepAliveView(String mode, String basis, Duration prewarmAfter, Duration keepUntil, int idleTimes, int scaleOutLevels,
    Double coldStartPriceGbSeconds, Double balanceGbSeconds) {
  public KeepAliveView(String mode, String basis, Duration prewarmAfter, Duration keepUntil, int idleTimes, int scaleOutLevels) {
    this(mode, basis, prewarmAfter, keepUntil, idleTimes, scaleOutLevels, null, null);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode);
    m.put("basis", basis);
    m.put("prewarmAfterSeconds", prewarmAfter.toMillis() / 1000.0);
    m.put("keepUntilSeconds", keepUntil.toMillis() / 1000.0);
    m.put("idleTimes", idleTimes);
    m.put("scaleOutLevels", scaleOutLevels);
    m.put("coldStartPriceGbSeconds", coldStartPriceGbSeconds);
    m.put("balanceGbSeconds", balanceGbSeconds);
    return m;
  }
}
