package dev.pilotlight.model;

/**
 * What a function used over some period: the figures {@code pilotlight cost} prices. Memory-time is
 * in MB-milliseconds (the function's configured memory times the time), so sums stay exact.
 *
 * @param invocations requests that got an instance
 * @param coldStarts of them, those that waited for an instance to start
 * @param prewarmHits of them, the first request of a pre-warmed instance, which found it ready: a
 *     cold start the keep-alive policy avoided
 * @param prewarms instances started by the keep-alive policy before an expected call
 * @param billedMs the invocations' billed durations (each rounded up to the millisecond, as Lambda bills)
 * @param usedMbMs memory × billed duration of every invocation
 * @param keepAliveIdleMbMs memory × time instances were up with nothing to do after serving
 * @param prewarmIdleMbMs memory × time pre-warmed instances waited for their first request
 * @param initMs the init durations of the cold starts
 * @param maxMemoryUsedMb the highest peak resident memory an instance reported (0 when unknown)
 */
public record Usage(long invocations, long coldStarts, long prewarmHits, long prewarms, long billedMs, long usedMbMs,
    long keepAliveIdleMbMs, long prewarmIdleMbMs, long initMs, long maxMemoryUsedMb) {

  public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Both periods together. */
  public Usage plus(Usage o) {
    return new Usage(invocations + o.invocations, coldStarts + o.coldStarts, prewarmHits + o.prewarmHits, prewarms + o.prewarms,
        billedMs + o.billedMs, usedMbMs + o.usedMbMs, keepAliveIdleMbMs + o.keepAliveIdleMbMs, prewarmIdleMbMs + o.prewarmIdleMbMs,
        initMs + o.initMs, Math.max(maxMemoryUsedMb, o.maxMemoryUsedMb));
  }

  public boolean isEmpty() {
    return equals(NONE);
  }

  /** GB-seconds of invocations (GB = 1,024 MB, as Lambda counts). */
  public double usedGbSeconds() {
    return usedMbMs / 1024.0 / 1000.0;
  }

  /** GB-seconds instances were held idle, after serving and before a pre-warmed first request. */
  public double idleGbSeconds() {
    return (keepAliveIdleMbMs + prewarmIdleMbMs) / 1024.0 / 1000.0;
  }
}
