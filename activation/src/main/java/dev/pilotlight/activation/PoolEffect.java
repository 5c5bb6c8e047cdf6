package dev.pilotlight.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link PoolState} transition asks the world to do. {@link Report}s are facts for the
 * keep-alive rhythm and the usage meter and must reach them in the order they were made, so the
 * shell hands them on under its lock; every other effect is applied after the lock is released.
 */
public sealed interface PoolEffect {
  /** The request the transition was called for ({@link PoolState#acquire}), as opposed to a queued waiter. */
  long CALLER = 0;

  /** Facts told to listeners in order, under the pool's lock (short, no I/O). */
  sealed interface Report extends PoolEffect {}

  /**
   * A request gets a slot on {@code slot}'s instance.
   *
   * @param waiter the waiter's ticket, or {@link #CALLER}
   * @param cold it waited for this instance to be launched and is its first request
   * @param prewarmHit it found a pre-warmed instance ready that had not served yet
   */
  record Grant(long waiter, InstanceSlot slot, boolean cold, boolean prewarmHit, Duration waited) implements PoolEffect {}

  /** The caller waits in the queue as {@code waiter}; its wait ends after {@code maxWait} ({@link PoolState#timeout}). */
  record Queued(long waiter, Duration maxWait) implements PoolEffect {}

  /** The request (a waiter, or {@link #CALLER}) fails with {@code failure}. */
  record Reject(long waiter, Failure failure) implements PoolEffect {}

  /**
   * Launch {@code count} instances of {@code deployment}, each once its memory is reserved; the
   * state already counts them as starting, and hears of each one's fate ({@link PoolState#launched},
   * {@link PoolState#launchFailed}, {@link PoolState#notLaunched}).
   *
   * @param forWaiters for queued requests: may stop other functions' idle instances for memory
   * @param prewarm started by the keep-alive policy before an expected call
   * @param awaited how many of them (0 or 1) the waiting requests depend on alone: the first launch
   *     for waiters of a pool with no instance up or starting. The others add capacity beside
   *     instances that serve already, or before a call that has not come, so their boots yield the
   *     CPU to instances that are serving ({@link InstanceLauncher#launch})
   */
  record Launch(Deployment deployment, int count, boolean forWaiters, boolean prewarm, int awaited) implements PoolEffect {
    public Launch {
      if (awaited < 0 || awaited > count) {
        throw new IllegalArgumentException("awaited: " + awaited + " (expected: 0 to count, " + count + ")");
      }
    }
  }

  /** {@code slot}'s instance is up and in the pool: watch for its exit ({@link PoolState#gone}). */
  record Ready(InstanceSlot slot) implements PoolEffect {}

  /** Stop {@code instance} and return {@code memoryMb} (0: already returned) to the budget. */
  record Stop(Instance instance, int memoryMb) implements PoolEffect {}

  /** Return {@code memoryMb} of an instance that exited by itself to the budget. */
  record ReturnMemory(int memoryMb) implements PoolEffect {}

  /** An idle instance is stopped to free memory for {@code forFunction}'s launch. */
  record Evicted(Instance instance, String forFunction) implements PoolEffect {}

  /** The function's requests in flight and queued changed to {@code requests}, which need {@code instances}. */
  record ReportDemand(String function, int requests, int instances, Instant at) implements Report {}

  /** {@code instance} was up with nothing to do for {@code idle}; {@code prewarm}: pre-warmed and not served yet. */
  record ReportIdle(Instance instance, Duration idle, boolean prewarm) implements Report {}
}
