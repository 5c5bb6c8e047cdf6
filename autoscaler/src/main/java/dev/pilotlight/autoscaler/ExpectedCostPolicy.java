package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;

/**
 * The learned keep-alive ({@code keepAlive: histogram}, the default): for each function, the window
 * with the fewest expected cold starts over the idle times it has had, among those that expect to
 * hold no more idle memory than a fixed keep-alive of {@code budget} (10 minutes, Lambda's) would
 * on the same history. A pure function of the histogram and two durations; no clock, no I/O.
 *
 * <p><b>The model.</b> After a function's last request ends, an instance up costs its memory for as
 * long as it is up; a call that finds none is a cold start. A window has an instance up from
 * {@code a} to {@code b} after the last request (a = 0: the instance that served it is kept; a &gt;
 * 0: it stops at once and another is started, pre-warmed, at {@code a}). Over the next idle time G:
 *
 * <pre>  idle = max(0, min(G, b) − a),  cold = G &lt; a or G ≥ b</pre>
 *
 * <p>with both expectations taken over the function's {@link IdleTimeHistogram} (each idle time at
 * its 1-minute bin's middle; one past the 4-hour range is always cold). Memory is the function's
 * own on both sides, so it drops out: the rule is the same for a 128 MB and a 4 GB function.
 *
 * <p><b>The rule</b> (issue 14; no constant in it was fitted to a trace): a default must never cost
 * more memory than the simple policy it replaces, so the fixed keep-alive's expected idle time is a
 * hard budget per function, and within it the fewest expected cold starts (ties: the least idle
 * time). The fixed window itself is a candidate, so the choice expects no more cold starts and no
 * more idle time than the fixed keep-alive on the function's history: the function is never worse
 * on either count than its baseline as far as its history can tell. With a {@code price} (a cold
 * start worth that much idle time; not the default) the choice within the budget is the least
 * expected {@code idle + price × cold} instead: less memory, more cold starts.
 *
 * <p><b>Candidates.</b> Windows on bin edges: {@code a} at the lower edge of a bin that holds idle
 * times (or 0), {@code b} at the upper edge of one. Moving an edge across empty bins changes the
 * idle time and not the cold starts, so the best window has its edges there. One exception: a
 * window that covers every idle time seen closes no earlier than the fixed keep-alive would, which
 * costs nothing on the history and guards against the idle time longer than any seen so far (the
 * plug-in estimate's blind spot: without it a function called at random would be stopped just past
 * its longest gap yet). Nothing past the range is predicted (a window around one idle time of more
 * than 4 hours would hold an instance for an hour or more).
 *
 * <p><b>Held out.</b> A window chosen on the history is used only if choosing also beats the fixed
 * keep-alive on idle times it was not chosen on: the histogram is split in two halves, a window is
 * chosen on each and judged on the other, and together they must miss no more calls than the fixed
 * keep-alive on the same halves (at a price: cost no more). Otherwise the fixed keep-alive is kept.
 * This catches windows fitted to where a few idle times happened to fall (a keep cut just past the
 * short idle times seen, say, when the next half's first longer one would have been caught).
 *
 * <p><b>Before it knows.</b> With no idle time yet the function gets the fixed keep-alive of the
 * budget: exactly the baseline. From the first idle time on, the rule applies: the budget bounds
 * what a wrong guess from a short history can cost in memory.
 *
 * <p><b>Scale-out levels</b> ({@link #decideScaleOut}): the gaps between the spells that needed k
 * instances at once, per instance. Gaps under a minute are left out (the ups and downs inside a
 * burst, which the autoscaler's scale-down delay bridges); at least {@value #MIN_SCALE_OUT_GAPS}
 * gaps; only pre-warm windows (a &gt; 0), since keeping k instances after a spell is the
 * autoscaler's decision. The fixed keep-alive spends nothing above one instance, so there is no
 * budget to spend there: a window must pay for itself at the price that the fixed keep-alive of the
 * budget implies (the ski-rental break-even: keeping an instance for the budget's length is worth
 * one cold start avoided), or at {@code price} when one is set.
 */
final class ExpectedCostPolicy implements KeepAlivePolicy {
  /** The fixed keep-alive whose memory the learned one may spend: Lambda's 10 minutes, the benchmark's baseline. */
  static final Duration DEFAULT_BUDGET = Duration.ofMinutes(10);
  /** Below this many idle times, the fixed keep-alive of the budget: one gap is a coincidence, not a rhythm. */
  static final int MIN_IDLE_TIMES = 1;
  /** A scale-out level predicts from at least this many gaps of a minute or more. */
  static final int MIN_SCALE_OUT_GAPS = 3;

  private static final long BIN_MS = IdleTimeHistogram.BIN.toMillis();

  private final Duration budget;
  /** Null: cold starts are priced above any memory within the budget (the fewest cold starts it allows). */
  private final Duration price;

  ExpectedCostPolicy(Duration budget, Duration price) {
    if (budget == null || budget.isNegative() || price != null && price.isNegative()) {
      throw new IllegalArgumentException("budget " + budget + ", price " + price + " (expected: >= 0)");
    }
    this.budget = budget;
    this.price = price;
  }

  @Override
  public KeepAliveDecision decide(FunctionSpec spec, IdleTimeHistogram h) {
    if (h.total() < MIN_IDLE_TIMES) {
      return new KeepAliveDecision(Duration.ZERO, budget, "uncertain");
    }
    Window best = choose(h);
    if (best == null || h.total() >= 2 && !holdsOut(h)) {
      return new KeepAliveDecision(Duration.ZERO, budget, "learned");
    }
    return best.decision("learned");
  }

  /** The window the rule picks on {@code h}; null when it is the fixed one. */
  private Window choose(IdleTimeHistogram h) {
    double priceMs = price == null ? Double.POSITIVE_INFINITY : price.toMillis();
    Window fixed = Window.fixed(h, budget.toMillis());
    Window best = best(h, true, fixed.idleMs, priceMs, fixed.b);
    return best.better(fixed, priceMs) ? best : null;
  }

  /**
   * Whether choosing beats the fixed keep-alive on idle times it was not chosen on: the histogram
   * is split in two halves (each bin's count halved, odd ones alternately to one side), a window is
   * chosen on each half and judged on the other, and together they must have no more cold starts
   * (at a price: no higher cost) than the fixed keep-alive on the same halves. A window fitted to
   * idle times that happened to fall where they did, rather than to a rhythm, fails this.
   */
  private boolean holdsOut(IdleTimeHistogram h) {
    IdleTimeHistogram[] halves = h.halves();
    long fixedB = budget.toMillis();
    double learned = 0;
    double fixed = 0;
    for (int k = 0; k < 2; k++) {
      IdleTimeHistogram train = halves[k];
      IdleTimeHistogram test = halves[1 - k];
      if (test.total() == 0) {
        continue;
      }
      Window w = train.total() < MIN_IDLE_TIMES ? null : choose(train);
      KeepAliveDecision d = w == null ? new KeepAliveDecision(Duration.ZERO, budget, "fixed") : w.decision("learned");
      learned += judged(test, d);
      fixed += judged(test, new KeepAliveDecision(Duration.ZERO, budget, "fixed"));
    }
    return learned <= fixed + 1e-9;
  }

  /** Cold starts of {@code d} over {@code h} (at a price: idle time plus price times cold starts, in ms). */
  private double judged(IdleTimeHistogram h, KeepAliveDecision d) {
    double cold = h.coldStarts(d.prewarmAfter(), d.keepUntil());
    return price == null ? cold : h.heldMs(d.prewarmAfter(), d.keepUntil()) + price.toMillis() * cold;
  }

  @Override
  public KeepAliveDecision decideScaleOut(FunctionSpec spec, IdleTimeHistogram histogram) {
    return decideScaleOut(spec, histogram, Double.POSITIVE_INFINITY);
  }

  @Override
  public KeepAliveDecision decideScaleOut(FunctionSpec spec, IdleTimeHistogram histogram, double allowanceMs) {
    IdleTimeHistogram gaps = histogram.withoutFirstBin();
    if (gaps.total() < MIN_SCALE_OUT_GAPS || !(allowanceMs > 0)) {
      return KeepAliveDecision.NONE;
    }
    Window best = best(gaps, false, allowanceMs / gaps.total(), (price == null ? budget : price).toMillis(), 0);
    if (best.b == 0) {
      return KeepAliveDecision.NONE;
    }
    return best.decision("learned");
  }

  /** What the edge's window leaves of the budget, over all its idle times: the fixed keep-alive's idle time less the window's. */
  @Override
  public double scaleOutAllowanceMs(FunctionSpec spec, IdleTimeHistogram level1, KeepAliveDecision decision) {
    if (level1.total() < MIN_IDLE_TIMES) {
      return 0;
    }
    return Math.max(0, level1.heldMs(Duration.ZERO, budget) - level1.heldMs(decision.prewarmAfter(), decision.keepUntil()));
  }

  /**
   * A window from bin edge {@code a} to bin edge {@code b} (in bins) with its expected idle time
   * (ms) and cold-start probability over the histogram.
   */
  private record Window(int a, int b, double idleMs, double cold) {
    /** Cheaper at {@code priceMs} per cold start (infinite: fewer cold starts first); equal cost: less idle time. */
    boolean better(Window o, double priceMs) {
      if (Double.isInfinite(priceMs)) {
        if (Math.abs(cold - o.cold) > 1e-12) {
          return cold < o.cold;
        }
        return idleMs < o.idleMs - 1e-6 || Math.abs(idleMs - o.idleMs) <= 1e-6 && b < o.b;
      }
      double c1 = idleMs + priceMs * cold;
      double c2 = o.idleMs + priceMs * o.cold;
      if (Math.abs(c1 - c2) > 1e-6) {
        return c1 < c2;
      }
      return idleMs < o.idleMs - 1e-6 || Math.abs(idleMs - o.idleMs) <= 1e-6 && b < o.b;
    }

    KeepAliveDecision decision(String basis) {
      return new KeepAliveDecision(Duration.ofMillis(a * BIN_MS), Duration.ofMillis(b * BIN_MS), basis);
    }

    /** A fixed keep-alive of {@code keepMs} (which need not be on a bin edge). */
    static Window fixed(IdleTimeHistogram h, long keepMs) {
      double n = h.total();
      Duration keep = Duration.ofMillis(keepMs);
      return new Window(0, (int) Math.min(Integer.MAX_VALUE, (keepMs + BIN_MS - 1) / BIN_MS), h.heldMs(Duration.ZERO, keep) / n,
          h.coldStarts(Duration.ZERO, keep) / n);
    }
  }

  /**
   * The best candidate ({@link Window#better}) whose expected idle time is at most {@code budgetMs}.
   * {@code keeps}: whether windows that open at once (a = 0) are candidates.
   */
  private static Window best(IdleTimeHistogram h, boolean keeps, double budgetMs, double priceMs, int atLeast) {
    int bins = IdleTimeHistogram.BINS;
    double n = h.total();
    // prefix sums over bins [0, j): counts, and idle time with each at its bin's middle
    double[] count = new double[bins + 1];
    double[] mass = new double[bins + 1];
    int[] used = new int[bins];
    int nUsed = 0;
    for (int i = 0; i < bins; i++) {
      int c = h.count(i);
      count[i + 1] = count[i] + c;
      mass[i + 1] = mass[i] + c * (i + 0.5) * BIN_MS;
      if (c > 0) {
        used[nUsed++] = i;
      }
    }
    Window best = new Window(0, 0, 0, 1); // nothing kept, nothing started: every call cold
    for (int ia = keeps ? -1 : 0; ia < nUsed; ia++) {
      int a = ia < 0 ? 0 : used[ia];
      if (ia >= 0 && a == 0) {
        continue; // a = 0 is the keep, taken at ia = -1 (or not a candidate)
      }
      double before = count[a]; // arrive before the window opens: cold
      for (int ib = Math.max(ia, 0); ib < nUsed; ib++) {
        int b = used[ib] + 1;
        double inside = count[b] - count[a];
        double after = n - count[b]; // out of range included: always cold
        double idle = (mass[b] - mass[a] - (double) a * BIN_MS * inside + (double) (b - a) * BIN_MS * after) / n;
        if (idle > budgetMs + 1e-6) {
          break; // idle time only grows with b
        }
        // a window past every idle time seen closes no earlier than atLeast: free on the history, and a
        // guard against the idle time longer than any seen so far
        Window w = new Window(a, after == 0 ? Math.max(b, atLeast) : b, idle, (before + after) / n);
        if (w.better(best, priceMs)) {
          best = w;
        }
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "ExpectedCostPolicy[budget " + budget + ", price " + (price == null ? "unbounded" : price) + "]";
  }
}
