package dev.pilotlight.autoscaler;

import static dev.pilotlight.autoscaler.KeepAlivePolicyTest.histogram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hull's binary search finds what a search over every candidate window finds, at any price. */
class WindowHullTest {

  /** A histogram of a few random clusters of idle times, sometimes some past the range. */
  static IdleTimeHistogram random(SplittableRandom r) {
    IdleTimeHistogram h = new IdleTimeHistogram();
    int clusters = 1 + r.nextInt(6);
    for (int c = 0; c < clusters; c++) {
      int centre = r.nextInt(IdleTimeHistogram.BINS);
      int spread = r.nextInt(1, 30);
      int n = r.nextInt(1, 200);
      for (int i = 0; i < n; i++) {
        h.record(Duration.ofSeconds(Math.max(0, centre * 60 + r.nextInt(-spread * 60, spread * 60 + 1))));
      }
    }
    for (int i = r.nextInt(4) == 0 ? r.nextInt(1, 20) : 0; i > 0; i--) {
      h.record(Duration.ofHours(5));
    }
    return h;
  }

  @Test
  void theHullsCheapestWindowIsTheCheapestOfAllCandidatesAtAnyPrice() {
    SplittableRandom r = new SplittableRandom(14);
    for (int round = 0; round < 300; round++) {
      IdleTimeHistogram h = random(r);
      boolean keeps = r.nextBoolean();
      WindowHull.Point fixed = keeps ? PricedWindows.fixedPoint(h, Duration.ofMinutes(10)) : null;
      List<WindowHull.Point> all = WindowHull.candidates(h, keeps, keeps ? 10 : 0);
      if (fixed != null) {
        all.add(fixed);
      }
      WindowHull hull = WindowHull.of(h, keeps, keeps ? 10 : 0, fixed);
      for (double mu : new double[] {0, 1, 1e3, 6e4, 6e5, 3.6e6, 1e8, 1e12, Math.exp(r.nextDouble() * 30), Double.POSITIVE_INFINITY}) {
        double best = all.stream().mapToDouble(p -> p.cost(mu)).min().orElseThrow();
        WindowHull.Point chosen = hull.argmin(mu);
        assertThat(chosen.cost(mu)).as("round %d, mu %s, %s", round, mu, h).isCloseTo(best, within(1e-6 * Math.max(1, best)));
        if (Double.isInfinite(mu)) {
          // the fewest cold starts, then the least idle time among them
          double leastIdle = all.stream().filter(p -> p.cold() <= best + 1e-12).mapToDouble(WindowHull.Point::idleMs).min().orElseThrow();
          assertThat(chosen.idleMs()).isCloseTo(leastIdle, within(1e-6));
        }
      }
    }
  }

  @Test
  void theHullRunsFromNothingToTheFewestColdStarts() {
    WindowHull hull = WindowHull.of(histogram("30x5 60x5"), true, 10, null);
    List<WindowHull.Point> v = hull.vertices();
    assertThat(v.getFirst()).isEqualTo(WindowHull.NOTHING);
    assertThat(v.getLast().cold()).isZero();
    for (int i = 1; i < v.size(); i++) {
      assertThat(v.get(i).idleMs()).isGreaterThan(v.get(i - 1).idleMs());
      assertThat(v.get(i).cold()).isLessThan(v.get(i - 1).cold());
    }
  }
}
