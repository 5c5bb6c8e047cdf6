package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every function's rhythm: its {@link IdleTimeHistogram} and when its last request ended. The
 * activator reports when a function turns busy (a request arrives with nothing in flight or
 * queued) and idle again (its last request ends); the scaling loop reads the keep-alive decision.
 * Changes are collected for persistence with {@link #takeChanges}, so a restart keeps what was
 * learned. Thread-safe; every method is short and does no I/O, so the activator may call it under
 * its own lock.
 */
public final class IdleTimeTracker {

  /** What is persisted per function: the histogram's bytes and when its last request ended (null if unknown). */
  public record Saved(byte[] histogram, Instant idleSince) {}

  /** Functions whose rhythm changed since the last {@link #takeChanges}, and functions forgotten since. */
  public record Changes(Map<String, Saved> changed, Set<String> forgotten) {
    public boolean isEmpty() {
      return changed.isEmpty() && forgotten.isEmpty();
    }
  }

  private static final class Rhythm {
    final IdleTimeHistogram histogram;
    Instant idleSince;
    boolean busy;
    long version;
    // The last decision, valid while the histogram, the policy and the idle timeout are unchanged:
    // deciding is a pass over 240 bins, and the loop asks every second.
    long decidedVersion = -1;
    KeepAlivePolicy decidedBy;
    Duration decidedIdleTimeout;
    KeepAliveDecision decision;

    Rhythm(IdleTimeHistogram histogram) {
      this.histogram = histogram;
    }
  }

  private final Map<String, Rhythm> rhythms = new HashMap<>();
  private final Set<String> changed = new HashSet<>();
  private final Set<String> forgotten = new HashSet<>();

  /**
   * A request arrived for {@code function} while nothing was in flight or queued: the idle time since
   * its last request ended is recorded. Ignored while the function is busy already.
   */
  public synchronized void busy(String function, Instant now) {
    Rhythm r = rhythm(function);
    if (r.busy) {
      return;
    }
    r.busy = true;
    if (r.idleSince != null) {
      r.histogram.record(Duration.between(r.idleSince, now));
      r.version++;
      changed.add(function);
    }
  }

  /** The last request in flight for {@code function} ended (or the last waiter gave up): an idle period starts. */
  public synchronized void idle(String function, Instant now) {
    Rhythm r = rhythm(function);
    r.busy = false;
    r.idleSince = now;
    changed.add(function);
  }

  /** When the function's last request ended; null if it never ran (as far as this tracker knows) or is running now. */
  public synchronized Instant idleSince(String function) {
    Rhythm r = rhythms.get(function);
    return r == null || r.busy ? null : r.idleSince;
  }

  /** {@code policy}'s decision for the function as its histogram stands now. */
  public synchronized KeepAliveDecision decision(String function, FunctionSpec spec, KeepAlivePolicy policy) {
    Rhythm r = rhythm(function);
    if (r.decidedVersion != r.version || r.decidedBy != policy || !spec.idleTimeout().equals(r.decidedIdleTimeout)) {
      r.decision = policy.decide(spec, r.histogram);
      r.decidedVersion = r.version;
      r.decidedBy = policy;
      r.decidedIdleTimeout = spec.idleTimeout();
    }
    return r.decision;
  }

  /** How many idle times the function's histogram holds. */
  public synchronized int idleTimes(String function) {
    Rhythm r = rhythms.get(function);
    return r == null ? 0 : r.histogram.total();
  }

  /** A copy of the function's histogram (empty if nothing was recorded). */
  public synchronized IdleTimeHistogram histogram(String function) {
    Rhythm r = rhythms.get(function);
    return r == null ? new IdleTimeHistogram() : r.histogram.copy();
  }

  /** Puts back what was persisted (at start-up, before any request). */
  public synchronized void restore(String function, Saved saved) {
    Rhythm r = new Rhythm(IdleTimeHistogram.fromBytes(saved.histogram()));
    r.idleSince = saved.idleSince();
    rhythms.put(function, r);
  }

  /** Drops a removed function's rhythm (a function deployed again under its name starts afresh). */
  public synchronized void forget(String function) {
    rhythms.remove(function);
    changed.remove(function);
    forgotten.add(function);
  }

  /** What changed since the last call, for the store; the tracker then counts it as saved. */
  public synchronized Changes takeChanges() {
    Map<String, Saved> out = new LinkedHashMap<>();
    for (String f : changed) {
      Rhythm r = rhythms.get(f);
      if (r != null) {
        out.put(f, new Saved(r.histogram.toBytes(), r.idleSince));
      }
    }
    Changes c = new Changes(out, Set.copyOf(forgotten));
    changed.clear();
    forgotten.clear();
    return c;
  }

  private Rhythm rhythm(String function) {
    Rhythm r = rhythms.get(function);
    if (r == null) {
      r = new Rhythm(new IdleTimeHistogram());
      rhythms.put(function, r);
      forgotten.remove(function);
    }
    return r;
  }
}
