package dev.pilotlight.autoscaler;

import static dev.pilotlight.autoscaler.KeepAlivePolicyTest.SPEC;
import static dev.pilotlight.autoscaler.KeepAlivePolicyTest.histogram;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The default keep-alive: the fewest expected cold starts within a fixed 10-minute keep-alive's
 * expected idle time (and, at a price, the least expected cost). The rows are cases whose right
 * answer follows from the rule, worked out by hand; the properties hold on any histogram.
 */
class ExpectedCostPolicyTest {
  private static final KeepAlivePolicy POLICY = KeepAlivePolicy.histogram();
  private static final long PRICE_MS = Duration.ofMinutes(10).toMillis();

  @ParameterizedTest(name = "[{0}] → {1}..{2} ({3})")
  @CsvSource(delimiter = '|', textBlock = """
      # idle times (min)    | opens | closes | basis      | why
      ''                    | PT0S  | PT10M  | uncertain  | nothing learned: the fixed keep-alive of the budget
      30                    | PT30M | PT31M  | learned    | one idle time longer than the budget: a pre-warm costs less than keeping
      5                     | PT5M  | PT10M  | learned    | one idle time of 5 min: stopped, pre-warmed at 5, held to where the fixed one ends
      0.5x100               | PT0S  | PT10M  | learned    | every idle time under a minute: kept, for as long as the fixed keep-alive (free on the history)
      60x5                  | PT1H  | PT1H1M | learned    | an hourly cron: one pre-warm a minute before, nothing kept
      30x2                  | PT30M | PT31M  | learned    | two equal gaps are a rhythm
      5 6 7 8 9 10 11 12 13 14 | PT5M | PT15M | learned   | spread over ten minutes: pre-warm for all of it
      300x3                 | PT0S  | PT0S   | learned    | only longer than the range: nothing is worth keeping
      0.5x50 300x50         | PT0S  | PT1M   | learned    | short ones kept for, long ones not waited for
      0.5x20 3 50 70        | PT0S  | PT10M  | learned    | cut at 4 min on all, but chosen on one half it misses the other's 3-min gap: fixed
      0.5x20 3x2 50 70      | PT0S  | PT4M   | learned    | the same cut, with a 3-min gap in each half: it holds
      """)
  void windows(String idle, Duration opens, Duration closes, String basis, String why) {
    assertThat(POLICY.decide(SPEC, histogram(idle))).as(why).isEqualTo(new KeepAliveDecision(opens, closes, basis));
  }

  @ParameterizedTest(name = "scale-out [{0}] → {1}..{2} ({3})")
  @CsvSource(delimiter = '|', textBlock = """
      # gaps (min)          | opens | closes | basis
      0.5x100               | PT0S  | PT0S   | none
      10x2 0.5x50           | PT0S  | PT0S   | none
      10x3                  | PT10M | PT11M  | learned
      300x3                 | PT0S  | PT0S   | none
      """)
  void scaleOutWindows(String gaps, Duration opens, Duration closes, String basis) {
    assertThat(POLICY.decideScaleOut(SPEC, histogram(gaps))).isEqualTo(new KeepAliveDecision(opens, closes, basis));
  }

  /** Exponential idle times (Poisson calls) have no rhythm: no window beats the fixed one, and none may hold more. */
  @Test
  void poissonCallsGetNoMoreIdleTimeThanTheFixedKeepAlive() {
    SplittableRandom random = new SplittableRandom(7);
    for (double meanMinutes : new double[] {0.5, 2, 5, 10, 30, 120}) {
      IdleTimeHistogram h = new IdleTimeHistogram();
      for (int i = 0; i < 2000; i++) {
        h.record(Duration.ofMillis(Math.round(-Math.log(1 - random.nextDouble()) * meanMinutes * 60_000)));
      }
      KeepAliveDecision d = POLICY.decide(SPEC, h);
      assertThat(idleMs(h, d)).as("mean %s min: %s", meanMinutes, d).isLessThanOrEqualTo(idleMs(h, fixed()) + 1e-6);
    }
  }

  /** On any histogram: never more expected idle time than the fixed keep-alive of the budget, never more expected cold starts. */
  @Test
  void neverAboveTheFixedKeepAlivesIdleTimeOrCost() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 500; round++) {
      IdleTimeHistogram h = new IdleTimeHistogram();
      int n = 2 + random.nextInt(200);
      int modes = 1 + random.nextInt(4);
      long[] centre = new long[modes];
      for (int m = 0; m < modes; m++) {
        centre[m] = (long) (Math.exp(random.nextDouble() * Math.log(6 * 3600)) * 1000); // 1 s .. 6 h, log-uniform
      }
      for (int i = 0; i < n; i++) {
        long c = centre[random.nextInt(modes)];
        h.record(Duration.ofMillis(Math.max(0, Math.round(c * (1 + 0.3 * random.nextGaussian())))));
      }
      KeepAliveDecision d = POLICY.decide(SPEC, h);
      assertThat(idleMs(h, d)).as("%s: %s", h, d).isLessThanOrEqualTo(idleMs(h, fixed()) + 1e-6);
      assertThat(coldShare(h, d)).as("%s: %s", h, d).isLessThanOrEqualTo(coldShare(h, fixed()) + 1e-12);
      // and at a price, never a higher expected cost
      KeepAliveDecision priced = KeepAlivePolicy.histogram(Duration.ofMinutes(10), Duration.ofMinutes(10)).decide(SPEC, h);
      assertThat(idleMs(h, priced)).as("%s: %s", h, priced).isLessThanOrEqualTo(idleMs(h, fixed()) + 1e-6);
      assertThat(costMs(h, priced)).as("%s: %s", h, priced).isLessThanOrEqualTo(costMs(h, fixed()) + 1e-6);
    }
  }

  @Test
  void theBudgetAndThePriceAreTheKnobs() {
    IdleTimeHistogram spread = histogram("5 6 7 8 9 10 11 12 13 14");
    // free cold starts: nothing is worth keeping
    assertThat(KeepAlivePolicy.histogram(Duration.ofMinutes(10), Duration.ZERO).decide(SPEC, spread)).isEqualTo(new KeepAliveDecision(Duration.ZERO, Duration.ZERO,
        "learned"));
    // before it knows, the fixed keep-alive of the budget
    assertThat(KeepAlivePolicy.histogram(Duration.ofMinutes(3), null).decide(SPEC, histogram("")).keepUntil()).isEqualTo(Duration.ofMinutes(3));
  }

  private static KeepAliveDecision fixed() {
    return new KeepAliveDecision(Duration.ZERO, Duration.ofMillis(PRICE_MS), "fixed");
  }

  /** Expected idle time of window {@code d} over {@code h}, each idle time at its bin's middle (the policy's estimate). */
  static double idleMs(IdleTimeHistogram h, KeepAliveDecision d) {
    long a = d.prewarmAfter().toMillis();
    long b = d.keepUntil().toMillis();
    double sum = 0;
    for (int i = 0; i < IdleTimeHistogram.BINS; i++) {
      double g = (i + 0.5) * 60_000;
      sum += h.count(i) * Math.max(0, Math.min(g, b) - a);
    }
    sum += h.outOfRange() * (double) Math.max(0, b - a);
    return sum / h.total();
  }

  static double coldShare(IdleTimeHistogram h, KeepAliveDecision d) {
    long a = d.prewarmAfter().toMillis();
    long b = d.keepUntil().toMillis();
    double cold = h.outOfRange();
    for (int i = 0; i < IdleTimeHistogram.BINS; i++) {
      double g = (i + 0.5) * 60_000;
      if (g < a || g >= b) {
        cold += h.count(i);
      }
    }
    return cold / h.total();
  }

  static double costMs(IdleTimeHistogram h, KeepAliveDecision d) {
    return idleMs(h, d) + PRICE_MS * coldShare(h, d);
  }
}
