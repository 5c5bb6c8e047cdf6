package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every function's rhythm, at each concurrency level: level k is "busy" while the function needs
 * at least k instances (in flight + queued, over its concurrency) and "idle" otherwise, and each
 * level has its own {@link IdleTimeHistogram} and the moment its last idle spell began. Level 1 is
 * the zero ↔ one edge ("Serverless in the Wild"'s idle times); levels 2 and up are the scale-out
 * edges, the gaps between the bursts that needed k instances at once.
 *
 * <p>The activator reports each change of the instances its demand needs ({@link #demand}); the
 * scaling loop reads the keep-alive decisions. Levels are made as they are first reached, up to
 * {@value #MAX_LEVELS}. Changes are collected for persistence with {@link #takeChanges} (the bytes
 * are {@link RhythmCodec}'s), so a restart keeps what was learned. Thread-safe; every method is
 * short and does no I/O, so the activator may call it under its own lock.
 *
 * <p>The tracker also caches each level's last keep-alive decision ({@link KeepAliveDecisionCache}):
 * a decision depends on the level's histogram, which only the tracker sees change, so the cache
 * lives beside it, under the same lock, and {@link #decision} and {@link #expectedInstances} are
 * the policy's answers for the histogram as it stands, not state of their own.
 */
public final class IdleTimeTracker {
  /** Highest level with a histogram of its own: demand beyond it counts as this level. */
  public static final int MAX_LEVELS = 64;

  /**
   * What is persisted per function: its rhythm's bytes ({@link RhythmCodec}) and when its last
   * request ended (null if unknown or busy).
   */
  public record Saved(byte[] histogram, Instant idleSince) {}

  /** Functions whose rhythm changed since the last {@link #takeChanges}, and functions forgotten since. */
  public record Changes(Map<String, Saved> changed, Set<String> forgotten) {
    public boolean isEmpty() {
      return changed.isEmpty() && forgotten.isEmpty();
    }
  }

  /** One concurrency level of one function. */
  private static final class Level {
    final IdleTimeHistogram histogram;
    Instant idleSince;
    boolean busy;
    long version;
    /** A level asks one of the two questions (level 1 {@code decide}, levels 2 and up {@code decideScaleOut}), so one cache serves it. */
    final KeepAliveDecisionCache decided = new KeepAliveDecisionCache();

    Level(IdleTimeHistogram histogram) {
      this.histogram = histogram;
    }

    KeepAliveDecision decide(FunctionSpec spec, KeepAlivePolicy policy) {
      return decided.get(version, spec, policy, () -> policy.decide(spec, histogram));
    }

    /** @param key changes whenever this level or one below it changed (the allowance depends on them) */
    KeepAliveDecision decideScaleOut(FunctionSpec spec, KeepAlivePolicy policy, int level, long key, double allowanceMs) {
      return decided.get(key, spec, policy, () -> policy.decideScaleOut(spec, level, histogram, allowanceMs));
    }
  }

  private static final class Rhythm {
    Level[] levels;
    int needed;

    Rhythm(Level first) {
      this.levels = new Level[] {first};
    }

    Level level(int k) {
      if (k > levels.length) {
        int n = levels.length;
        levels = Arrays.copyOf(levels, k);
        for (int i = n; i < k; i++) {
          levels[i] = new Level(new IdleTimeHistogram());
        }
      }
      return levels[k - 1];
    }
  }

  /**
   * Told of each idle spell that ends, under the tracker's lock: the level's window in force (the
   * decision last made for it, by the scaling loop's tick; null if none was made yet) and the policy
   * that made it. For {@link KeepAlivePrice}'s account of the memory its windows held; it runs on the
   * request path, so it must be short (no window is computed here) and do no I/O.
   */
  interface SpellEnded {
    void ended(String function, int level, KeepAlivePolicy decidedBy, KeepAliveDecision inForce, Duration idle);
  }

  private final Map<String, Rhythm> rhythms = new HashMap<>();
  private final List<SpellEnded> spellListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Set<String> changed = new HashSet<>();
  private final Set<String> forgotten = new HashSet<>();

  /**
   * The function now needs {@code instances} instances (0: nothing in flight or queued). Each
   * level it reaches that was idle records its idle time; each level it leaves starts an idle
   * spell now. Levels above {@value #MAX_LEVELS} count as that level.
   */
  public synchronized void demand(String function, int instances, Instant now) {
    if (instances <= 0 && !rhythms.containsKey(function)) {
      return; // nothing to end: a late report about a function forgotten (removed) must not bring it back
    }
    Rhythm r = rhythm(function);
    int n = Math.max(0, Math.min(MAX_LEVELS, instances));
    if (n == r.needed) {
      return;
    }
    boolean any = false;
    for (int k = Math.min(n, r.needed) + 1; k <= Math.max(n, r.needed); k++) {
      Level l = r.level(k);
      if (k <= n) {
        if (!l.busy) {
          l.busy = true;
          if (l.idleSince != null) {
            Duration idle = Duration.between(l.idleSince, now);
            for (SpellEnded s : spellListeners) {
              s.ended(function, k, l.decided.lastPolicy(), l.decided.last(), idle);
            }
            l.histogram.record(idle);
            l.version++;
            any = true;
          }
        }
      } else if (l.busy) {
        l.busy = false;
        l.idleSince = now;
        any = true;
      }
    }
    r.needed = n;
    if (any) {
      changed.add(function);
    }
  }

  /** Shorthand for {@code demand(function, 1, now)} from idle: a request arrived while nothing was in flight or queued. */
  public synchronized void busy(String function, Instant now) {
    if (rhythm(function).needed == 0) {
      demand(function, 1, now);
    }
  }

  /** Shorthand for {@code demand(function, 0, now)}: the last request in flight ended (or the last waiter gave up). */
  public synchronized void idle(String function, Instant now) {
    demand(function, 0, now);
  }

  /** Whether a request of the function is in flight or waiting now, as the last demand report said. */
  public synchronized boolean isBusy(String function) {
    Rhythm r = rhythms.get(function);
    return r != null && r.levels[0].busy;
  }

  /** When the function's last request ended; null if it never ran (as far as this tracker knows) or is running now. */
  public synchronized Instant idleSince(String function) {
    Rhythm r = rhythms.get(function);
    return r == null || r.levels[0].busy ? null : r.levels[0].idleSince;
  }

  /**
   * {@code policy}'s decision for the function's zero ↔ one edge as its histogram stands now. Asking
   * about a function that has never run records nothing: its decision is the one for an empty
   * histogram (a listing of 10,000 functions, most never called, made a histogram for each, and a
   * view after {@link #forget} brought a removed function back).
   */
  public synchronized KeepAliveDecision decision(String function, FunctionSpec spec, KeepAlivePolicy policy) {
    Rhythm r = rhythms.get(function);
    return r == null ? policy.decide(spec, NEVER_RAN) : r.levels[0].decide(spec, policy);
  }

  /** The histogram of a function with no rhythm yet; never recorded into. */
  private static final IdleTimeHistogram NEVER_RAN = new IdleTimeHistogram();

  /**
   * The instances the function's scale-out levels want at {@code now}: those its demand needs now
   * (at least 1), plus one for each idle level above them (2 and up) whose window, by
   * {@code policy}'s {@link KeepAlivePolicy#decideScaleOut}, wants an instance; 1 when no window is
   * open. Each level's window is for one instance, its own (the k-th): its histogram measures the
   * gaps between the spells that needed a k-th, and one instance is what a policy with a memory
   * budget counts the window as holding (before the shared price, the highest open level's k were
   * kept, whatever the levels below: a level-k window could hold up to k − 1 instances for the
   * price of one). A window that does not pre-warm only keeps what is there: it counts when the
   * function's {@code current} instances reach its level.
   */
  public synchronized int expectedInstances(String function, FunctionSpec spec, KeepAlivePolicy policy, int current, Instant now) {
    Rhythm r = rhythms.get(function);
    if (r == null) {
      return 1;
    }
    KeepAliveDecision[] decided = scaleOutDecisions(r, spec, policy);
    int base = Math.max(1, r.needed);
    int open = 0;
    for (int k = base + 1; k <= r.levels.length; k++) {
      Level l = r.levels[k - 1];
      if (l.busy || l.idleSince == null || l.histogram.total() == 0) {
        continue;
      }
      KeepAliveDecision d = decided[k - 1];
      if (d.wantsInstance(l.idleSince, now) && (d.prewarms() || k <= current)) {
        open++;
      }
    }
    return open == 0 ? 1 : base + open;
  }

  /**
   * Each scale-out level's window, lowest level first, each within what the edge's decision and the
   * levels below left of the policy's allowance ({@link KeepAlivePolicy#scaleOutAllowanceMs}): a level
   * spends, over its gaps, the instance-time its window holds, and a burst's instances are one more
   * per level.
   */
  private static KeepAliveDecision[] scaleOutDecisions(Rhythm r, FunctionSpec spec, KeepAlivePolicy policy) {
    KeepAliveDecision[] out = new KeepAliveDecision[r.levels.length];
    Level first = r.levels[0];
    double allowance = policy.scaleOutAllowanceMs(spec, first.histogram, first.decide(spec, policy));
    long key = first.version;
    for (int k = 2; k <= r.levels.length; k++) {
      Level l = r.levels[k - 1];
      key = key * 31 + l.version;
      KeepAliveDecision d = l.histogram.total() == 0 ? KeepAliveDecision.NONE : l.decideScaleOut(spec, policy, k, key, allowance);
      out[k - 1] = d;
      if (d.keepUntil().isPositive() && Double.isFinite(allowance)) {
        allowance = Math.max(0, allowance - l.histogram.withoutFirstBin().heldMs(d.prewarmAfter(), d.keepUntil()));
      }
    }
    return out;
  }

  /** Adds a listener told of each idle spell that ends ({@link SpellEnded}). */
  void onSpellEnded(SpellEnded listener) {
    spellListeners.add(listener);
  }

  /**
   * {@code read} applied, under the tracker's lock, to the function's live level histograms (level 1
   * first); null if the function is unknown. For {@link KeepAlivePrice}, which makes what it needs of
   * them there and must not keep them.
   */
  synchronized <T> T readLevels(String function, java.util.function.Function<IdleTimeHistogram[], T> read) {
    Rhythm r = rhythms.get(function);
    if (r == null) {
      return null;
    }
    IdleTimeHistogram[] hs = new IdleTimeHistogram[r.levels.length];
    for (int k = 0; k < hs.length; k++) {
      hs[k] = r.levels[k].histogram;
    }
    return read.apply(hs);
  }

  /** How many idle times the function's zero ↔ one histogram holds. */
  public synchronized int idleTimes(String function) {
    Rhythm r = rhythms.get(function);
    return r == null ? 0 : r.levels[0].histogram.total();
  }

  /** How many levels the function has reached (1 if it never needed more than one instance at once, 0 if unknown). */
  public synchronized int levels(String function) {
    Rhythm r = rhythms.get(function);
    return r == null ? 0 : r.levels.length;
  }

  /** A copy of the function's zero ↔ one histogram (empty if nothing was recorded). */
  public synchronized IdleTimeHistogram histogram(String function) {
    return histogram(function, 1);
  }

  /** A copy of level {@code k}'s histogram (empty if the function never reached it). */
  public synchronized IdleTimeHistogram histogram(String function, int k) {
    Rhythm r = rhythms.get(function);
    return r == null || k > r.levels.length ? new IdleTimeHistogram() : r.levels[k - 1].histogram.copy();
  }

  /** Puts back what was persisted (at start-up, before any request). */
  public synchronized void restore(String function, Saved saved) {
    List<RhythmCodec.Level> levels = RhythmCodec.decode(saved.histogram());
    Rhythm r = new Rhythm(new Level(levels.getFirst().histogram()));
    r.level(levels.size());
    for (int k = 2; k <= levels.size(); k++) {
      Level l = new Level(levels.get(k - 1).histogram());
      l.idleSince = levels.get(k - 1).idleSince();
      r.levels[k - 1] = l;
    }
    r.levels[0].idleSince = saved.idleSince();
    rhythms.put(function, r);
  }

  /** Drops a removed function's rhythm (a function deployed again under its name starts afresh). */
  public synchronized void forget(String function) {
    List<String> keys = new ArrayList<>(List.of(function));
    // the pools of its pinned revisions (NAME@N) learned rhythms of their own
    rhythms.keySet().stream().filter(k -> k.startsWith(function + "@")).forEach(keys::add);
    for (String k : keys) {
      rhythms.remove(k);
      changed.remove(k);
      forgotten.add(k);
    }
  }

  /** What changed since the last call, for the store; the tracker then counts it as saved. */
  public synchronized Changes takeChanges() {
    Map<String, Saved> out = new LinkedHashMap<>();
    for (String f : changed) {
      Rhythm r = rhythms.get(f);
      if (r != null) {
        out.put(f, new Saved(RhythmCodec.encode(levelsOf(r)), r.levels[0].busy ? null : r.levels[0].idleSince));
      }
    }
    Changes c = new Changes(out, Set.copyOf(forgotten));
    changed.clear();
    forgotten.clear();
    return c;
  }

  /** The levels as {@link RhythmCodec} writes them: a busy level has no idle start. */
  private static List<RhythmCodec.Level> levelsOf(Rhythm r) {
    List<RhythmCodec.Level> out = new ArrayList<>(r.levels.length);
    for (Level l : r.levels) {
      out.add(new RhythmCodec.Level(l.histogram, l.busy ? null : l.idleSince));
    }
    return out;
  }

  private Rhythm rhythm(String function) {
    Rhythm r = rhythms.get(function);
    if (r == null) {
      r = new Rhythm(new Level(new IdleTimeHistogram()));
      rhythms.put(function, r);
      forgotten.remove(function);
    }
    return r;
  }
}
