package dev.pilotlight.autoscaler;

import java.time.Duration;

/**
 * One level's histogram made ready to be priced ({@link KeepAlivePrice}): the hull of its windows
 * and what the choice at a price is judged by. Built once per histogram change; immutable, so the
 * price search reads it outside the tracker's lock.
 *
 * <p>Level 1 (the zero ↔ one edge): keeps and pre-warms, the fixed keep-alive of the budget a
 * candidate, a window past every idle time seen closing no earlier than the budget, nothing
 * learned before {@value ExpectedCostPolicy#MIN_IDLE_TIMES} idle time, and the hold-out at the
 * price (see {@link #choose}). Levels 2 and up: pre-warm windows only, over the gaps of a minute
 * or more, at least {@value ExpectedCostPolicy#MIN_SCALE_OUT_GAPS} of them (as before; the fixed
 * keep-alive spends nothing there, so a level's window is bought entirely at the price).
 */
final class PricedWindows {
  private static final long BIN_MS = IdleTimeHistogram.BIN.toMillis();

  private final boolean first;
  private final int total;
  private final WindowHull hull;
  /** Level 1: the fixed keep-alive of the budget, as a window over the histogram. */
  private final WindowHull.Point fixed;
  /** Level 1, two idle times or more: the halves and their hulls, for the hold-out. */
  private final IdleTimeHistogram[] halves;
  private final WindowHull[] halfHulls;
  private final WindowHull.Point[] halfFixed;
  /** The idle time the histogram holds (ms; the denominator of the share of idle time held) and the count the hull's points are per. */
  private final double idleMs;
  private final double perGapCount;
  /** Level 1: the fixed keep-alive's exact length (its point's end is rounded up to a bin edge). */
  private final Duration budget;
  private PricedWindows(Duration budget, boolean first, int total, WindowHull hull, WindowHull.Point fixed, IdleTimeHistogram[] halves, WindowHull[] halfHulls,
      WindowHull.Point[] halfFixed, double idleMs, double perGapCount) {
    this.budget = budget;
    this.first = first;
    this.total = total;
    this.hull = hull;
    this.fixed = fixed;
    this.halves = halves;
    this.halfHulls = halfHulls;
    this.halfFixed = halfFixed;
    this.idleMs = idleMs;
    this.perGapCount = perGapCount;
  }

  /** The zero ↔ one edge of a function whose fixed keep-alive is {@code budget}. */
  static PricedWindows firstLevel(IdleTimeHistogram h, Duration budget) {
    int atLeast = budgetBins(budget);
    WindowHull.Point fixed = fixedPoint(h, budget);
    IdleTimeHistogram[] halves = null;
    WindowHull[] halfHulls = null;
    WindowHull.Point[] halfFixed = null;
    if (h.total() >= 2) {
      halves = h.halves();
      halfHulls = new WindowHull[2];
      halfFixed = new WindowHull.Point[2];
      for (int k = 0; k < 2; k++) {
        halfFixed[k] = fixedPoint(halves[k], budget);
        halfHulls[k] = halves[k].total() < ExpectedCostPolicy.MIN_IDLE_TIMES ? null : WindowHull.of(halves[k], true, atLeast, halfFixed[k]);
      }
    }
    WindowHull hull = h.total() < ExpectedCostPolicy.MIN_IDLE_TIMES ? null : WindowHull.of(h, true, atLeast, fixed);
    return new PricedWindows(budget, true, h.total(), hull, fixed, halves, halfHulls, halfFixed, h.idleMs(), h.total());
  }

  /**
   * A scale-out level (2 and up): pre-warms only, over its gaps of a minute or more. Its window holds
   * one instance, its own ({@link IdleTimeTracker#expectedInstances} adds one per open window).
   */
  static PricedWindows scaleOut(IdleTimeHistogram h) {
    IdleTimeHistogram gaps = h.withoutFirstBin();
    WindowHull hull = gaps.total() < ExpectedCostPolicy.MIN_SCALE_OUT_GAPS ? null : WindowHull.of(gaps, false, 0, null);
    return new PricedWindows(Duration.ZERO, false, gaps.total(), hull, null, null, null, null, h.idleMs(), gaps.total());
  }

  /** Whether the window depends on the price: something was learned. */
  boolean learned() {
    return hull != null;
  }

  /** The window chosen at {@code mu} (idle ms of this function's instance a cold start is worth). */
  WindowHull.Point choose(double mu) {
    if (hull == null) {
      return first ? fixed : WindowHull.NOTHING;
    }
    WindowHull.Point w = hull.argmin(mu);
    if (!first) {
      return w;
    }
    if (w.sameWindow(fixed) || halves != null && !holdsOut(mu)) {
      return fixed;
    }
    return w;
  }

  /** {@link #choose}'s window as a decision. */
  KeepAliveDecision decision(double mu) {
    WindowHull.Point w = choose(mu);
    if (!first) {
      return w.b() == 0 ? KeepAliveDecision.NONE : w.decision("learned");
    }
    String basis = hull == null ? "uncertain" : "learned";
    return w == fixed ? new KeepAliveDecision(Duration.ZERO, budget, basis) : w.decision(basis);
  }

  /**
   * Whether choosing at {@code mu} beats the fixed keep-alive on idle times it was not chosen on: a
   * window is chosen on each half and judged on the other, and together they must cost no more at
   * {@code mu} than the fixed keep-alive on the same halves.
   */
  private boolean holdsOut(double mu) {
    double learned = 0;
    double fixedCost = 0;
    for (int k = 0; k < 2; k++) {
      IdleTimeHistogram test = halves[1 - k];
      if (test.total() == 0) {
        continue;
      }
      WindowHull.Point w = halfHulls[k] == null ? halfFixed[k] : halfHulls[k].argmin(mu);
      learned += judged(test, w == halfFixed[k] ? Duration.ZERO : Duration.ofMillis(w.a() * BIN_MS),
          w == halfFixed[k] ? budget : Duration.ofMillis(w.b() * BIN_MS), mu);
      fixedCost += judged(test, Duration.ZERO, budget, mu);
    }
    return learned <= fixedCost + 1e-9 * Math.max(1, Math.abs(fixedCost));
  }

  private static double judged(IdleTimeHistogram h, Duration a, Duration b, double mu) {
    double cold = h.coldStarts(a, b);
    return Double.isInfinite(mu) ? cold : h.heldMs(a, b) + mu * cold;
  }

  /**
   * The share of the idle time in the histogram during which window {@code w} holds an instance:
   * the function's expected idle instance-time per unit of its idle time (× memory: its weight in
   * the platform's budget).
   */
  double heldShare(WindowHull.Point w) {
    return idleMs == 0 ? 0 : w.idleMs() * perGapCount / idleMs;
  }

  /** {@link #heldShare} of the fixed keep-alive (level 1; levels above it: nothing). */
  double fixedShare() {
    return first ? heldShare(fixed) : 0;
  }

  int total() {
    return total;
  }

  private static int budgetBins(Duration budget) {
    return (int) Math.min(Integer.MAX_VALUE, (budget.toMillis() + BIN_MS - 1) / BIN_MS);
  }

  /**
   * The fixed keep-alive of {@code keep} as a window over {@code h} (whose end need not be on a bin
   * edge: held and cold exactly), charged as {@link WindowHull#charged} charges every window.
   */
  static WindowHull.Point fixedPoint(IdleTimeHistogram h, Duration keep) {
    double n = h.total();
    return new WindowHull.Point(0, budgetBins(keep), (h.heldMs(Duration.ZERO, keep) + keep.toMillis()) / (n + 1),
        n == 0 ? 1 : h.coldStarts(Duration.ZERO, keep) / n);
  }
}
