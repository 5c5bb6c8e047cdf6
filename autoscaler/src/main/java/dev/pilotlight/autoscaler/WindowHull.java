package dev.pilotlight.autoscaler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The keep-alive windows one histogram allows, as points (expected idle instance-time per idle
 * period, cold-start probability), reduced to their lower convex hull: the only windows that are
 * the cheapest {@code idle + μ × cold} for some price μ ≥ 0. Built once per histogram change
 * (O(n² log n) in the n bins in use, at most 240); {@link #argmin} is then a binary search, so a
 * price search over thousands of functions costs a few steps per function and price tried.
 *
 * <p>Candidates are {@link ExpectedCostPolicy}'s: windows on bin edges, {@code a} at the lower edge
 * of a bin in use (or 0, the keep, when {@code keeps}), {@code b} at the upper edge of one, plus
 * "nothing" (0, 0) and, when given, the fixed keep-alive. A window that covers every idle time seen
 * closes no earlier than {@code atLeastBins} (free on the history; the guard against the idle time
 * longer than any seen so far). Idle time is charged as {@link #charged} says. Immutable.
 */
final class WindowHull {
  private static final long BIN_MS = IdleTimeHistogram.BIN.toMillis();

  /** A window from {@code a} to {@code b} (in bins) with its expected idle time (ms) and cold-start probability. */
  record Point(int a, int b, double idleMs, double cold) {
    double cost(double mu) {
      return Double.isInfinite(mu) ? cold : idleMs + mu * cold;
    }

    KeepAliveDecision decision(String basis) {
      return new KeepAliveDecision(Duration.ofMillis(a * BIN_MS), Duration.ofMillis(b * BIN_MS), basis);
    }

    boolean sameWindow(Point o) {
      return a == o.a && b == o.b;
    }
  }

  /** Nothing kept, nothing started: every call cold. */
  static final Point NOTHING = new Point(0, 0, 0, 1);

  /** Idle time increasing, cold-start probability strictly decreasing, slopes decreasing. */
  private final Point[] hull;

  private WindowHull(Point[] hull) {
    this.hull = hull;
  }

  /**
   * The hull of {@code h}'s candidate windows.
   *
   * @param keeps whether windows that open at once (a = 0) are candidates
   * @param atLeastBins a window past every idle time seen closes no earlier than this
   * @param extra one more candidate (the fixed keep-alive), or null
   */
  static WindowHull of(IdleTimeHistogram h, boolean keeps, int atLeastBins, Point extra) {
    List<Point> points = candidates(h, keeps, atLeastBins);
    if (extra != null) {
      points.add(extra);
    }
    return new WindowHull(lowerHull(points));
  }

  /** Every candidate window of {@code h} (for the hull, and for tests that check it against brute force). */
  static List<Point> candidates(IdleTimeHistogram h, boolean keeps, int atLeastBins) {
    int bins = IdleTimeHistogram.BINS;
    double n = h.total();
    List<Point> out = new ArrayList<>();
    out.add(NOTHING);
    if (n == 0) {
      return out;
    }
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
    for (int ia = keeps ? -1 : 0; ia < nUsed; ia++) {
      int a = ia < 0 ? 0 : used[ia];
      if (ia >= 0 && a == 0) {
        continue; // a = 0 is the keep, taken at ia = -1 (or not a candidate)
      }
      double before = count[a];
      for (int ib = Math.max(ia, 0); ib < nUsed; ib++) {
        int b = used[ib] + 1;
        double inside = count[b] - count[a];
        double after = n - count[b]; // out of range included: always cold
        double held = mass[b] - mass[a] - (double) a * BIN_MS * inside + (double) (b - a) * BIN_MS * after;
        int end = after == 0 ? Math.max(b, atLeastBins) : b;
        out.add(new Point(a, end, charged(held, n, a, end), (before + after) / n));
      }
    }
    return out;
  }

  /**
   * The idle time (ms) per idle period a window from bin {@code a} to {@code end} is charged, given
   * that it holds {@code heldMs} over the {@code n} idle times seen: as if there were one more, longer
   * than the window (held from its opening to its end). The next idle time is the longest yet with
   * probability 1/(n + 1) (for idle times in any order alike, the rank argument), and the history
   * shows nothing of what a window holds then: a window past every idle time seen, or a long one
   * learned from few, would otherwise look cheaper than it is (memoryless traffic, where the future
   * holds longer gaps than the history, showed it). Cold-start shares are left as seen, so the tail
   * guard keeps its point.
   */
  static double charged(double heldMs, double n, int a, int end) {
    return (heldMs + (double) (end - a) * BIN_MS) / (n + 1);
  }

  /** The lower-left convex hull: idle increasing, cold strictly decreasing, each vertex the cheapest for some price. */
  private static Point[] lowerHull(List<Point> points) {
    points.sort(Comparator.comparingDouble(Point::idleMs).thenComparingDouble(Point::cold).thenComparingInt(Point::b));
    List<Point> h = new ArrayList<>();
    for (Point p : points) {
      if (!h.isEmpty() && p.cold() >= h.getLast().cold() - 1e-12) {
        continue; // no fewer cold starts for at least as much idle time: never cheaper
      }
      while (h.size() >= 2 && cross(h.get(h.size() - 2), h.getLast(), p) <= 0) {
        h.removeLast(); // on or above the segment from its neighbours: cheapest for no price
      }
      h.add(p);
    }
    return h.toArray(Point[]::new);
  }

  private static double cross(Point o, Point a, Point b) {
    return (a.idleMs() - o.idleMs()) * (b.cold() - o.cold()) - (a.cold() - o.cold()) * (b.idleMs() - o.idleMs());
  }

  /**
   * The window of least {@code idle + mu × cold} ({@code mu}: idle ms a cold start is worth;
   * infinite: the fewest cold starts, then the least idle time); among equals, the least idle time.
   */
  Point argmin(double mu) {
    if (Double.isInfinite(mu)) {
      return hull[hull.length - 1];
    }
    // moving from vertex i to i+1 pays while mu × (cold saved) > idle added; the slopes fall along the hull
    int lo = 0;
    int hi = hull.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      Point p = hull[mid];
      Point q = hull[mid + 1];
      if (q.idleMs() - p.idleMs() >= mu * (p.cold() - q.cold())) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return hull[lo];
  }

  /** The hull's vertices, cheapest-idle first. */
  List<Point> vertices() {
    return List.of(hull);
  }
}
