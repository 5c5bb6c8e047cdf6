package dev.pilotlight.activation.usage;

import dev.pilotlight.model.Usage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Sums what each function uses, per hour, and hands the sums to a {@link UsageLedger} on
 * {@link #flush} (the daemon flushes once a second and at shutdown, so a crash loses at most the
 * last second). Every call is a few additions under one lock; none does I/O but {@code flush}.
 */
public final class UsageMeter {
  private final UsageLedger ledger;
  private final InstantSource clock;
  private Map<String, Map<Instant, Usage>> pending = new HashMap<>(); // guarded by this

  public UsageMeter(UsageLedger ledger, InstantSource clock) {
    this.ledger = ledger;
    this.clock = clock;
  }

  /**
   * One invocation that ran on an instance.
   *
   * @param billedMs its billed duration (rounded up to the millisecond)
   * @param memoryMb the function's configured memory
   * @param maxMemoryUsedMb the instance's peak resident memory, 0 if unknown
   * @param initMs the instance's init duration if this was a cold start, else 0
   * @param prewarmHit it was the first request of a pre-warmed instance, which found it ready
   */
  public void invocation(String function, long billedMs, int memoryMb, long maxMemoryUsedMb, boolean cold, long initMs, boolean prewarmHit) {
    add(function, new Usage(1, cold ? 1 : 0, prewarmHit ? 1 : 0, 0, billedMs, billedMs * memoryMb, 0, 0, cold ? initMs : 0,
        Math.max(0, maxMemoryUsedMb)));
  }

  /** An instance of {@code memoryMb} was up with nothing to do for {@code idle}: before a pre-warmed first request, or otherwise. */
  public void idle(String function, int memoryMb, Duration idle, boolean prewarm) {
    long mbMs = Math.max(0, idle.toMillis()) * memoryMb;
    add(function, new Usage(0, 0, 0, 0, 0, 0, prewarm ? 0 : mbMs, prewarm ? mbMs : 0, 0, 0));
  }

  /** The keep-alive policy started an instance before an expected call. */
  public void prewarmed(String function) {
    add(function, new Usage(0, 0, 0, 1, 0, 0, 0, 0, 0, 0));
  }

  private synchronized void add(String function, Usage u) {
    pending.computeIfAbsent(function, f -> new HashMap<>()).merge(hourOf(clock.instant()), u, Usage::plus);
  }

  /** Writes the sums gathered since the last flush; if the ledger fails they are kept for the next one. */
  public void flush() {
    Map<String, Map<Instant, Usage>> batch;
    synchronized (this) {
      if (pending.isEmpty()) {
        return;
      }
      batch = pending;
      pending = new HashMap<>();
    }
    try {
      ledger.add(batch);
    } catch (RuntimeException e) {
      synchronized (this) {
        batch.forEach((f, hours) -> hours.forEach((h, u) -> pending.computeIfAbsent(f, k -> new HashMap<>()).merge(h, u, Usage::plus)));
      }
      throw e;
    }
  }

  /** What {@code function} used from the hour holding {@code since} on (everything when null), this second's included. */
  public Usage usage(String function, Instant since) {
    flush();
    return ledger.total(function, since);
  }

  /** Drops a removed function's usage. */
  public void forget(String function) {
    synchronized (this) {
      pending.remove(function);
    }
    ledger.forget(function);
  }

  static Instant hourOf(Instant t) {
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 3600) * 3600);
  }
}
