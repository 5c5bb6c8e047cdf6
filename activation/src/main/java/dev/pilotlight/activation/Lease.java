package dev.pilotlight.activation;

import dev.pilotlight.model.Instance;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One concurrency slot on one instance, held for the duration of one request. Release it exactly
 * once; {@code healthy=false} (a timeout, a broken connection) retires the instance.
 */
public final class Lease {
  private final FunctionPool pool;
  private final InstanceSlot slot;
  private final boolean cold;
  private final boolean prewarmHit;
  private final Duration waited;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(FunctionPool pool, InstanceSlot slot, boolean cold, Duration waited, boolean prewarmHit) {
    this.pool = pool;
    this.slot = slot;
    this.cold = cold;
    this.waited = waited;
    this.prewarmHit = prewarmHit;
  }

  /**
   * True when this is the first request of an instance the keep-alive policy pre-warmed and it found
   * the instance ready: the cold start it would otherwise have been was avoided.
   */
  public boolean prewarmHit() {
    return prewarmHit;
  }

  public Instance instance() {
    return slot.instance;
  }

  /** True when this request waited for the instance to be launched for it (a cold start). */
  public boolean cold() {
    return cold;
  }

  /** How long the request waited for a slot. */
  public Duration waited() {
    return waited;
  }

  public void release(boolean healthy) {
    if (released.compareAndSet(false, true)) {
      pool.release(slot, healthy);
    }
  }
}
