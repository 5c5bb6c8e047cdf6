package dev.pilotlight.activation;

import java.util.function.LongSupplier;

/**
 * The node's capacity: the one owner of its memory accounting. The sum of the {@code memory}
 * settings of running and starting instances plus what the warm pool's runners hold may not exceed
 * {@link #limitMb()}. The activator reserves an instance's memory before launching it and returns
 * it when the instance is told to stop (or its launch fails); the executor's pool asks
 * {@link #fits} before it starts a runner, and its share is read from it ({@link #countPool}),
 * since only the pool knows which of its runners are waiting, starting or taken.
 *
 * <p>Built first in the wiring, before the executor: the pool sees it only as its {@code fits}
 * predicate, and is counted once it exists. Until then the pool holds nothing.
 *
 * <p>Thread-safe. {@link #release} tells the listener that room was made, outside any lock, so
 * launches that were waiting for memory can be tried again.
 */
public final class MemoryBudget {
  /** Share of the machine's memory the daemon uses by default ({@code --memory-budget-mb}). */
  public static final double DEFAULT_SHARE_OF_MACHINE = 0.75;
  private static final LongSupplier NO_POOL = () -> 0;

  private final long limitMb;
  private volatile LongSupplier poolMb;
  private long instancesMb;
  private volatile Runnable onRelease = () -> {};

  /** @param limitMb the budget in MB; {@link Long#MAX_VALUE} for none */
  public MemoryBudget(long limitMb) {
    if (limitMb < 1) {
      throw new IllegalArgumentException("memory budget: " + limitMb + " MB (expected: >= 1)");
    }
    this.limitMb = limitMb;
    this.poolMb = NO_POOL;
  }

  /**
   * A budget that counts a pool known already (tests).
   *
   * @param poolMb memory held by the warm pool's waiting and starting runners, in MB
   */
  public MemoryBudget(long limitMb, LongSupplier poolMb) {
    this(limitMb);
    countPool(poolMb);
  }

  /** No budget: every reservation succeeds (tests, and callers that do not bound memory). */
  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE);
  }

  /**
   * Counts the warm pool's runners from now on: {@code poolMb} is the memory its waiting and
   * starting runners hold, in MB. Called once, when the executor that owns the pool exists.
   */
  public void countPool(LongSupplier poolMb) {
    if (this.poolMb != NO_POOL) {
      throw new IllegalStateException("the warm pool is counted already");
    }
    this.poolMb = poolMb;
  }

  /** Called after every release; the activator retries the launches that found no room. */
  void onRelease(Runnable r) {
    onRelease = r;
  }

  /** Reserves {@code mb} for an instance if it fits; false (nothing reserved) if not. */
  synchronized boolean tryReserve(int mb) {
    if (instancesMb + poolMb.getAsLong() + mb > limitMb) {
      return false;
    }
    instancesMb += mb;
    return true;
  }

  /** Returns an instance's reservation. */
  void release(int mb) {
    synchronized (this) {
      instancesMb -= mb;
    }
    onRelease.run();
  }

  /** Whether {@code mb} more (a pool runner) fits now; reserves nothing, as the pool counts its runners itself. */
  public boolean fits(int mb) {
    return usedMb() + mb <= limitMb;
  }

  public long limitMb() {
    return limitMb;
  }

  /** Instances and pool together. */
  public synchronized long usedMb() {
    return instancesMb + poolMb.getAsLong();
  }

  public synchronized long instancesMb() {
    return instancesMb;
  }

  public long poolMb() {
    return poolMb.getAsLong();
  }

  /** {@code 1536 of 2048 MB in use (instances 1280 MB, warm pool 256 MB)}: for error messages. */
  public String describe() {
    long instances;
    long pool;
    synchronized (this) {
      instances = instancesMb;
      pool = poolMb.getAsLong();
    }
    return (instances + pool) + " of " + (limitMb == Long.MAX_VALUE ? "unlimited" : limitMb) + " MB in use (instances "
        + instances + " MB, warm pool " + pool + " MB)";
  }
}
