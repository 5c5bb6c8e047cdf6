package dev.pilotlight.bench;

import java.util.List;

/**
 * The figures of one example in a {@code coldstart} run.
 *
 * @param example the example's name
 * @param runtime its runtime as in the manifest
 * @param rungs its rungs, {@code default} first
 * @param baseline the same code started as a plain process, until its first answer
 * @param interpreter a bare interpreter start (python, node), else null
 * @param warm warm requests through the gateway; null when none were made
 * @param warmBaseline the same requests straight to a running plain instance; null where that
 *     does not apply
 * @param refillTimeouts waits for the warm pool to refill that ran out (see {@link PoolWatch})
 */
record ExampleResult(String example, String runtime, List<RungResult> rungs, Summary baseline, Summary interpreter,
    Summary warm, Summary warmBaseline, int refillTimeouts) {

  ExampleResult {
    rungs = List.copyOf(rungs);
    if (rungs.isEmpty()) {
      throw new IllegalArgumentException("rungs: none (expected: at least the default)");
    }
  }

  /** The default rung: what a function gets without {@code PILOTLIGHT_LAUNCH}. */
  RungResult defaultRung() {
    return rungs.getFirst();
  }

  /** Baseline p50 / rung p50 for cold starts: above 1 means Pilotlight is faster. */
  double ratio(RungResult rung) {
    return baseline.p50() / rung.cold().p50();
  }

  /** Rung p50 / bare interpreter p50 (target for python/node: ≤ 1.5), or NaN without an interpreter baseline. */
  double vsInterpreter(RungResult rung) {
    return interpreter == null ? Double.NaN : rung.cold().p50() / interpreter.p50();
  }

  /** Direct p50 / gateway p50 for warm requests, or NaN where there is no warm baseline. */
  double warmRatio() {
    return warm == null || warmBaseline == null ? Double.NaN : warmBaseline.p50() / warm.p50();
  }
}
