package dev.pilotlight.gateway.activation;

import java.util.function.LongSupplier;

/**
 * The node-wide memory budget: the sum of the {@code memory} settings of running and starting
 * instances plus what the warm pool holds may not exceed {@link #limitMb()}. The activator reserves
 * an instance's memory before launching it and returns it when the instance is told to stop (or
 * its launch fails); the pool's share is read from it, not reserved.
 *
 * <p>Thread-safe. {@link #release} tells the listener that room was made, outside any lock, so
 * launches that were waiting for memory can be tried again.
 */
public final class MemoryBudget {
  /** Share of the machine's memory the daemon uses by default ({@code --memory-budget-mb}). */
  public static final double DEFAULT_SHARE_OF_MACHINE = 0.75;

  private final long limitMb;
  private final LongSupplier poolMb;
  private long instancesMb;
  private volatile Runnable onRelease = () -> {};

  /**
   * @param limitMb the budget in MB; {@link Long#MAX_VALUE} for none
   * @param poolMb memory held by the warm pool's waiting and starting runners, in MB
   */
  public MemoryBudget(long limitMb, LongSupplier poolMb) {
    if (limitMb < 1) {
      throw new IllegalArgumentException("memory budget: " + limitMb + " MB (expected: >= 1)");
    }
    this.limitMb = limitMb;
    this.poolMb = poolMb;
  }

  /** No budget: every reservation succeeds (tests, and callers that do not bound memory). */
  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE, () -> 0);
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

  /** Whether {@code mb} more (say, a pool runner) fits now; reserves nothing. */
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
