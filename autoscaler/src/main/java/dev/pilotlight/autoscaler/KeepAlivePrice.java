package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One price of a cold start for every function under the learned keep-alive, set so that together
 * they expect to hold no more idle memory than a fixed keep-alive of the budget would on the same
 * idle times (issue 14: the hard limit, held in aggregate instead of per function).
 *
 * <p><b>The rule.</b> The price λ is memory-time (MB·ms) a cold start is worth. Each function
 * takes, at every level, the window of least {@code memory × E[idle per idle period] + λ ×
 * P[cold]} over its histogram ({@link PricedWindows}; the fixed keep-alive a candidate, the
 * hold-out judged at λ; every window, the fixed one too, charged for one more idle time longer
 * than it, {@link WindowHull#charged}; a scale-out level's window as the one instance it adds,
 * {@link IdleTimeTracker#expectedInstances}). Its weight in the budget is its memory × the share of its idle time that
 * the window holds (expected idle memory per unit of time, taking its idle time for wall time: a
 * function's busy time is left out on both sides). λ is the largest price at which the sum over
 * every pooled function and level is at most the sum of the fixed keep-alive's shares: the
 * Lagrange multiplier of "fewest expected cold starts, platform-wide, within the fixed
 * keep-alive's memory". A function whose memory a fixed keep-alive holds to no avail (its idle
 * times mostly longer) gives it to one whose cold starts it avoids; per function nothing is
 * promised any more, in aggregate the limit holds on the histograms.
 *
 * <p>Found by bisection on log λ (the sum grows with λ; the hold-out can make it step back, so the
 * price kept is the last one tried that met the limit). The pool: the functions {@code update} is
 * given (the daemon's: every function whose keep-alive is {@code histogram}); those with nothing
 * learned keep the fixed keep-alive whatever λ is, the same on both sides, so they drop out.
 *
 * <p><b>What happened, not only what was expected.</b> The histograms are the past; traffic whose
 * rate moves (a day's rhythm) can make the windows chosen on them hold more than expected. So the
 * price also keeps an account of the memory the windows in force actually held against what the
 * fixed keep-alive would have held on the same idle times: at the end of every idle spell of a
 * function in the solved pool (told by the tracker, {@link IdleTimeTracker.SpellEnded}), {@code
 * memory × (min(idle, budget) − held)} for the zero ↔ one edge, {@code −memory × held} for a
 * scale-out level (the fixed keep-alive holds nothing there), where {@code held} is what the window
 * in force held over that idle time — the level's decision the scaling loop last made, so nothing is
 * computed on the request path that ends the spell (a spell still open is counted when it ends:
 * judging it before by the window of the moment would count one spell under several prices). While this balance is negative (more held than the fixed keep-alive would have), the limit λ is
 * solved against is lowered by the overspend spread over one budget's length of time ({@link
 * #paybackMs}: an overspend is paid back within the next 10 minutes at the default budget). A
 * positive balance (memory saved) is not lent out: the limit is never raised above the fixed
 * keep-alive's. The account starts at zero with the daemon (it is not persisted).
 *
 * <p><b>When.</b> {@link #update} recomputes at most once per {@code every} (1 minute) of the
 * clock it is given: the daemon's scaling loop calls it each tick, the trace replay at each minute
 * of simulated time, and between two updates the price is constant. λ is a function of the
 * histograms and, while the pool is overspent, of the balance; thread-safe.
 */
public final class KeepAlivePrice {
  /** How often the price is recomputed: once a minute, the histograms' resolution. */
  public static final Duration DEFAULT_EVERY = Duration.ofMinutes(1);
  /** The bisection's bounds, MB·ms per cold start: from a microsecond of a megabyte to ~300 years of a gigabyte. */
  static final double LOWEST = 1e-3;
  static final double HIGHEST = 1e16;
  private static final int STEPS = 64;

  /** A function in the pool: its tracker key and its memory. */
  public record Member(String pool, int memoryMb) {}

  /** One function's levels, ready to be priced (level 1 first). */
  record Priced(int memoryMb, List<PricedWindows> levels) {}

  private final IdleTimeTracker tracker;
  private final Duration budget;
  private final Duration every;
  private final KeepAlivePolicy policy = new Policy();
  /** Per histogram object (the tracker's live ones, by identity), the windows made of its counts. */
  private final Map<IdleTimeHistogram, Made> made = new WeakHashMap<>();
  private Instant last;
  private volatile double lambda = Double.POSITIVE_INFINITY;
  private volatile long epoch;
  /** The functions in the solved pool at the last update, with their memory: whose spells the account counts. */
  private volatile Map<String, Integer> pooled = Map.of();
  /** The account of spells that ended (MB·ms; positive: less held than the fixed keep-alive would have). Guarded by this. */
  private double closedMbMs;
  /** The account at the last update (MB·ms). */
  private volatile double balanceMbMs;

  private record Made(long changes, int level, PricedWindows windows) {}

  public KeepAlivePrice(IdleTimeTracker tracker, Duration budget, Duration every) {
    if (budget == null || budget.isNegative() || every == null || !every.isPositive()) {
      throw new IllegalArgumentException("budget " + budget + ", every " + every + " (expected: budget >= 0, every > 0)");
    }
    this.tracker = tracker;
    this.budget = budget;
    this.every = every;
    tracker.onSpellEnded(this::spellEnded);
  }

  /** The policy that decides at this price: the {@code histogram} mode's, one instance per price. */
  public KeepAlivePolicy policy() {
    return policy;
  }

  /** λ in MB·ms per cold start; infinite while nothing limits it (no function learned yet, or all fit). */
  public double mbMs() {
    return lambda;
  }

  /** λ in GB-s per cold start (infinite: unlimited); what {@code status} shows. */
  public double gbSeconds() {
    return lambda / 1024 / 1000;
  }

  /**
   * Whether nothing but ties limits the pool now: λ infinite, or at the top of the search's range
   * (where every window is chosen as at an infinite price, except that among equal cold starts the
   * hold-out prefers the fixed keep-alive's lesser idle time).
   */
  public boolean unlimited() {
    return lambda >= HIGHEST / 2;
  }

  /**
   * The account at the last update, in GB-s: idle memory the pooled functions' windows held less
   * (positive) or more (negative) than the fixed keep-alive of the budget would have on the same idle
   * times, since this price was made.
   */
  public double balanceGbSeconds() {
    return balanceMbMs / 1024 / 1000;
  }

  /** The fixed keep-alive whose memory the pool may spend. */
  public Duration budget() {
    return budget;
  }

  /** Whether {@link #update} would recompute at {@code now}. */
  public synchronized boolean due(Instant now) {
    return last == null || !now.isBefore(last.plus(every));
  }

  /**
   * Recomputes λ over {@code members} if it is due at {@code now} (see {@link #due}); returns
   * whether it did.
   */
  public boolean update(Collection<Member> members, Instant now) {
    synchronized (this) {
      if (!due(now)) {
        return false;
      }
      last = now;
    }
    List<Priced> pool = new ArrayList<>(members.size());
    Map<String, Integer> memory = new java.util.HashMap<>();
    for (Member m : members) {
      List<PricedWindows> levels = tracker.readLevels(m.pool(), hs -> {
        List<PricedWindows> out = new ArrayList<>(hs.length);
        for (int k = 0; k < hs.length; k++) {
          out.add(windows(hs[k], k + 1));
        }
        return out;
      });
      if (levels != null && levels.getFirst().learned()) {
        pool.add(new Priced(m.memoryMb(), levels));
        memory.put(m.pool(), m.memoryMb());
      }
    }
    // the account counts the functions the price can act on: one outside the solved pool (nothing
    // learned at its zero ↔ one edge yet) would run up a debt no price could pay back
    pooled = Map.copyOf(memory);
    double balance;
    synchronized (this) {
      balance = closedMbMs;
    }
    balanceMbMs = balance;
    double next = solve(pool, Math.min(0, balance) / paybackMs());
    if (Double.compare(next, lambda) != 0) {
      lambda = next;
      epoch++;
    }
    return true;
  }

  /** Over how long an overspend is paid back: the budget's length (a minute if the budget is zero). */
  private double paybackMs() {
    return budget.isPositive() ? budget.toMillis() : every.toMillis();
  }

  /**
   * What the fixed keep-alive would have held over an idle time of {@code idleMs} at {@code level}
   * less what {@code window} held (ms of one instance; the fixed keep-alive holds nothing above level 1).
   */
  private double saved(KeepAliveDecision window, int level, long idleMs) {
    double fixed = level == 1 ? Math.min(idleMs, budget.toMillis()) : 0;
    return fixed - heldMs(window, idleMs);
  }

  /**
   * How long {@code window} holds an instance over an idle time of {@code idleMs}: kept from its
   * start until the window closes, or started when it opens (a pre-warm) until it closes or the
   * next call comes; nothing if the call comes before it opens.
   */
  static double heldMs(KeepAliveDecision window, long idleMs) {
    long a = window.prewarmAfter().toMillis();
    long b = window.keepUntil().toMillis();
    return Math.max(0, Math.min(idleMs, b) - a);
  }

  /**
   * Told by the tracker that an idle spell ended: for a function in the pool, whose window in force
   * this price chose, the account gains what that window saved on it (nothing is computed here: the
   * window is the one the scaling loop last used).
   */
  private void spellEnded(String function, int level, KeepAlivePolicy decidedBy, KeepAliveDecision inForce, Duration idle) {
    if (decidedBy != policy || inForce == null) {
      return;
    }
    Integer memory = pooled.get(function);
    if (memory == null) {
      return;
    }
    double saved = saved(inForce, level, Math.max(0, idle.toMillis()));
    synchronized (this) {
      closedMbMs += memory * saved;
    }
  }

  /** {@link #solve(List, double)} with the limit the fixed keep-alive's. */
  static double solve(List<Priced> pool) {
    return solve(pool, 0);
  }

  /**
   * The largest λ (MB·ms per cold start) at which the pool's expected idle memory is at most the
   * fixed keep-alive's ({@link #heldAt}) plus {@code adjustMb} (negative while an overspend is paid
   * back); infinite if even the fewest cold starts fit, 0 if not even the least does.
   */
  static double solve(List<Priced> pool, double adjustMb) {
    if (pool.isEmpty()) {
      return Double.POSITIVE_INFINITY;
    }
    double limit = 0;
    for (Priced p : pool) {
      limit += p.memoryMb() * p.levels().getFirst().fixedShare();
    }
    limit = limit * (1 + 1e-12) + adjustMb;
    if (heldAt(pool, Double.POSITIVE_INFINITY) <= limit) {
      return Double.POSITIVE_INFINITY;
    }
    double lo = Math.log(LOWEST);
    double hi = Math.log(HIGHEST);
    if (heldAt(pool, Math.exp(lo)) > limit) {
      return 0;
    }
    for (int i = 0; i < STEPS; i++) {
      double mid = (lo + hi) / 2;
      if (heldAt(pool, Math.exp(mid)) <= limit) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return Math.exp(lo);
  }

  /** The pool's expected idle memory per unit of time (MB) with every function's windows at λ. */
  static double heldAt(List<Priced> pool, double lambda) {
    double sum = 0;
    for (Priced p : pool) {
      double mu = lambda / p.memoryMb();
      for (PricedWindows w : p.levels()) {
        sum += p.memoryMb() * w.heldShare(w.choose(mu));
      }
    }
    return sum;
  }

  /** The windows of {@code h}, made again only when its counts changed. Called under the tracker's lock. */
  private synchronized PricedWindows windows(IdleTimeHistogram h, int level) {
    Made m = made.get(h);
    if (m == null || m.changes() != h.changes() || m.level() != level) {
      m = new Made(h.changes(), level, level == 1 ? PricedWindows.firstLevel(h, budget) : PricedWindows.scaleOut(h));
      made.put(h, m);
    }
    return m.windows();
  }

  /** μ for a function of {@code memoryMb}: idle ms of its own instance that a cold start is worth. */
  private double mu(FunctionSpec spec) {
    return lambda / Math.max(1, spec.memoryMb());
  }

  /** The {@code histogram} mode at this price. */
  private final class Policy implements KeepAlivePolicy {
    @Override
    public KeepAliveDecision decide(FunctionSpec spec, IdleTimeHistogram histogram) {
      return windows(histogram, 1).decision(mu(spec));
    }

    @Override
    public KeepAliveDecision decideScaleOut(FunctionSpec spec, int level, IdleTimeHistogram histogram, double allowanceMs) {
      return windows(histogram, level).decision(mu(spec));
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public String toString() {
      return "KeepAlivePrice.Policy[budget " + budget + ", " + gbSeconds() + " GB-s per cold start]";
    }
  }
}
