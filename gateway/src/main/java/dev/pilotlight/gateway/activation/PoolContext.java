package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Deployment;
import java.time.Duration;
import java.time.InstantSource;

/**
 * What every {@link FunctionPool} shares: how to launch, when to launch, whom to tell, the clock,
 * the daemon's queue defaults, the node's memory budget and who frees memory for a launch.
 *
 * @param defaultMaxQueue the daemon's {@code --max-queue}, for functions that set no {@code maxQueue}
 * @param defaultMaxWait the daemon's {@code --max-queue-wait}; null: the function's timeout, at least {@link #MIN_WAIT}
 */
record PoolContext(InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock,
    int defaultMaxQueue, Duration defaultMaxWait, MemoryBudget budget, Evictor evictor) {

  /** Matches the executor's minimum init allowance (Lambda's 10 s init phase). */
  static final Duration MIN_WAIT = Duration.ofSeconds(10);

  /** Frees memory for a launch by stopping idle instances of other functions. */
  @FunctionalInterface
  interface Evictor {
    /** Returns true once {@code mb} is reserved for {@code requester}, false if no idle instance of another function could make room. */
    boolean makeRoom(FunctionPool requester, int mb);
  }

  int maxQueue(Deployment d) {
    Integer own = d.spec().scaling().maxQueue();
    return own != null ? own : defaultMaxQueue;
  }

  /**
   * How long a request may wait for a slot: the function's {@code maxQueueWait}, else the daemon's,
   * else the function's timeout but at least the time an instance is given to initialise (as Lambda
   * does not count init against the timeout), so a short timeout is not failed by its own cold start.
   */
  Duration maxWait(Deployment d) {
    Duration own = d.spec().scaling().maxQueueWait();
    if (own != null) {
      return own;
    }
    if (defaultMaxWait != null) {
      return defaultMaxWait;
    }
    Duration t = d.spec().timeout();
    return t.compareTo(MIN_WAIT) >= 0 ? t : MIN_WAIT;
  }
}
