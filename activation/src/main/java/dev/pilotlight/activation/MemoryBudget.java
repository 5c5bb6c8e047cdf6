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
  /** Per function with a reservation or instances: {reserved MB, used MB}. */
  private final java.util.Map<String, long[]> holdings = new java.util.HashMap<>();
  private static final int RESERVED = 0;
  private static final int USED = 1;
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
  boolean tryReserve(int mb) {
    return tryReserve(null, mb);
  }

  /**
   * Reserves {@code mb} for an instance of {@code function} if it fits beside what the other
   * functions' reserved concurrencies hold back ({@link #reserveFor}); false (nothing reserved) if not.
   */
  synchronized boolean tryReserve(String function, int mb) {
    if (instancesMb + poolMb.getAsLong() + heldBackFrom(function) + mb > limitMb) {
      return false;
    }
    instancesMb += mb;
    if (function != null) {
      holding(function)[USED] += mb;
    }
    return true;
  }

  /** Returns an instance's reservation. */
  void release(int mb) {
    release(null, mb);
  }

  /** Returns the reservation of an instance of {@code function}. */
  void release(String function, int mb) {
    synchronized (this) {
      instancesMb -= mb;
      if (function != null) {
        long[] h = holding(function);
        h[USED] = Math.max(0, h[USED] - mb);
        forgetIfEmpty(function, h);
      }
    }
    onRelease.run();
  }

  /**
   * Sets the memory {@code function}'s reserved concurrency guarantees ({@code FunctionSpec.reservedMemoryMb},
   * 0 for none): what it does not use of it now is held back from every other function's launch
   * and from the warm pool, so the function can always start the instances its reservation promises.
   */
  public void reserveFor(String function, long reservedMb) {
    synchronized (this) {
      long[] h = holding(function);
      h[RESERVED] = Math.max(0, reservedMb);
      forgetIfEmpty(function, h);
    }
    onRelease.run(); // a smaller reservation may let waiting launches of others through
  }

  /** Whether {@code mb} more (a pool runner) fits now; reserves nothing, as the pool counts its runners itself. */
  public boolean fits(int mb) {
    long heldBack;
    synchronized (this) {
      heldBack = heldBackFrom(null);
    }
    return usedMb() + heldBack + mb <= limitMb;
  }

  /** Memory the reservations of functions other than {@code function} hold and do not use now (pure over the holdings). */
  private long heldBackFrom(String function) {
    long held = 0;
    for (var e : holdings.entrySet()) {
      if (!e.getKey().equals(function)) {
        held += Math.max(0, e.getValue()[RESERVED] - e.getValue()[USED]);
      }
    }
    return held;
  }

  private long[] holding(String function) {
    return holdings.computeIfAbsent(function, f -> new long[2]);
  }

  private void forgetIfEmpty(String function, long[] h) {
    if (h[RESERVED] == 0 && h[USED] == 0) {
      holdings.remove(function);
    }
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
