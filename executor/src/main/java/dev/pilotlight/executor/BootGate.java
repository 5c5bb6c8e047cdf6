package dev.pilotlight.executor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds how many instance processes boot at once. Booting is CPU-bound (a JVM loads and links
 * classes; an interpreter compiles its bootstrap): ten boots sharing two cores all become ready
 * late, together, while two at a time come up one after another, so a burst gets its first
 * instances, and its first answers, several times sooner for the same total work. A runner taken
 * from the warm pool has booted already and does not pass here.
 */
final class BootGate {
  /** The default bound: one boot per core, at least two; the daemon's {@code PILOTLIGHT_MAX_BOOTS} sets another. */
  static final int DEFAULT_MAX = fromEnvironment(System.getenv("PILOTLIGHT_MAX_BOOTS"), Math.max(2, Runtime.getRuntime().availableProcessors()));

  /**
   * Whether a boot no request depends on alone (capacity beside serving instances, a pre-warm, a
   * warm-pool refill) runs at the lowest CPU weight until it is ready (an instance's, for
   * {@link #YIELD_LIMIT} at most); the daemon's
   * {@code PILOTLIGHT_BOOTS_YIELD=off} turns it off (to compare, or where the CPU is never short).
   */
  static final boolean YIELD = !"off".equals(System.getenv("PILOTLIGHT_BOOTS_YIELD"));

  /**
   * How long a boot yields at most: then it gets its own weight, ready or not. A weight is a
   * priority only while others want the CPU, and something always may (a JIT compiling, another
   * function's work): unbounded, the lowest weight starves a boot that queued requests wait for too.
   * Half the burst target (issue 5: p99 ≤ 1 s), so a request waiting on such a boot keeps the other
   * half for the boot itself and its call.
   */
  static final Duration YIELD_LIMIT = Duration.ofMillis(500);

  static int fromEnvironment(String value, int otherwise) {
    try {
      return value == null || value.isBlank() ? otherwise : Math.max(1, Integer.parseInt(value.strip()));
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private final Semaphore permits;

  BootGate(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    this.permits = new Semaphore(max, true);
  }

  /**
   * Waits (first come, first served; call it on a virtual thread) until a boot may begin. The
   * returned action ends the boot; call it when the process is ready or has failed. Running it
   * again does nothing, and it runs by itself after {@code limit}, so a boot that never ends
   * cannot hold its place for ever.
   */
  Runnable enter(Duration limit) {
    permits.acquireUninterruptibly();
    AtomicBoolean ended = new AtomicBoolean();
    Runnable end = () -> {
      if (ended.compareAndSet(false, true)) {
        permits.release();
      }
    };
    CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS).execute(end);
    return end;
  }

  int available() {
    return permits.availablePermits();
  }
}
