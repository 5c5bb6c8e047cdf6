package dev.pilotlight.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Invocation timeouts, coalesced into slots of {@code slotMs}: a timeout fires when its slot ends, at
 * most one slot late. Only the first timeout of a slot asks the scheduler for a task; the others join
 * it, and a cancel only takes the timeout out of its slot. So a warm call neither wakes the timer's
 * thread when it sets its timeout nor when it cancels it (a plain {@code ScheduledThreadPoolExecutor}
 * is woken whenever the timer just set is its next, which is every call when calls come one at a
 * time), and a daemon with no call in flight has no timer pending (a hashed wheel's thread ticks for
 * ever: 0.2 % of a core here at 20 ticks a second, measured).
 */
final class InvocationTimer {
  /** A timeout that has been set; {@link #cancel} it when the call ends in time. */
  interface Timeout {
    void cancel();
  }

  private final ScheduledExecutorService scheduler;
  private final Executor continuations;
  private final long slotMs;
  private final LongSupplier nowMs;
  private final ConcurrentHashMap<Long, Set<Entry>> slots = new ConcurrentHashMap<>();
  private final AtomicLong scheduled = new AtomicLong();

  /**
   * @param scheduler where each slot's end is waited for
   * @param continuations where what follows a timeout runs (not on the scheduler's thread: one slow
   *     follow-up must not hold up the other timeouts)
   * @param nowMs a monotonic clock in milliseconds
   */
  InvocationTimer(ScheduledExecutorService scheduler, Executor continuations, long slotMs, LongSupplier nowMs) {
    if (slotMs < 1) {
      throw new IllegalArgumentException("slotMs: " + slotMs + " (expected: at least 1)");
    }
    this.scheduler = scheduler;
    this.continuations = continuations;
    this.slotMs = slotMs;
    this.nowMs = nowMs;
  }

  /** Runs {@code then} on the continuations' executor after {@code ms} (at most one slot later), unless cancelled first. */
  Timeout after(long ms, Runnable then) {
    long now = nowMs.getAsLong();
    long slot = Math.ceilDiv(now + Math.max(0, ms), slotMs);
    Entry e = new Entry(then);
    slots.compute(slot, (k, set) -> {
      if (set == null) {
        set = ConcurrentHashMap.newKeySet();
        scheduled.incrementAndGet();
        scheduler.schedule(() -> fire(k), Math.max(0, k * slotMs - now), TimeUnit.MILLISECONDS);
      }
      set.add(e);
      e.slot = set;
      return set;
    });
    return e;
  }

  /** How many times a slot's end has been asked of the scheduler (for tests). */
  long scheduledSlots() {
    return scheduled.get();
  }

  private void fire(long slot) {
    Set<Entry> due = slots.remove(slot);
    if (due == null) {
      return;
    }
    for (Entry e : due) {
      if (!e.cancelled) {
        continuations.execute(e.then);
      }
    }
  }

  private static final class Entry implements Timeout {
    final Runnable then;
    volatile Set<Entry> slot;
    volatile boolean cancelled;

    Entry(Runnable then) {
      this.then = then;
    }

    @Override
    public void cancel() {
      cancelled = true;
      Set<Entry> s = slot;
      if (s != null) {
        s.remove(this);
      }
    }
  }
}
