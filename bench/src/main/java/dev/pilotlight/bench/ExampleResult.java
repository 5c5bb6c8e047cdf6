package dev.pilotlight.bench;

/**
 * The figures of one example in a {@code coldstart} run.
 *
 * @param example the example's name
 * @param strategy which launch strategies served the cold starts (see {@link StrategyTally})
 * @param cold cold starts through the gateway
 * @param baseline the same code started as a plain process, until its first answer
 * @param warm warm requests through the gateway; null when none were made
 * @param warmBaseline the same requests straight to a running plain instance; null where that
 *     does not apply
 */
record ExampleResult(String example, String strategy, Summary cold, Summary baseline, Summary warm, Summary warmBaseline) {

  /** Baseline p50 / Pilotlight p50 for cold starts: above 1 means Pilotlight is faster. */
  double ratio() {
    return baseline.p50() / cold.p50();
  }

  /** Direct p50 / gateway p50 for warm requests, or NaN where there is no warm baseline. */
  double warmRatio() {
    return warm == null || warmBaseline == null ? Double.NaN : warmBaseline.p50() / warm.p50();
  }
}
