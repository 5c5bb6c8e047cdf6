package dev.pilotlight.activation;

import java.time.Duration;
import java.time.InstantSource;

/**
 * What every {@link FunctionPool} shares: how to launch, when to launch, whom to tell, the clock,
 * the timer that ends queue waits, the daemon's queue defaults, the node's memory budget and who
 * frees memory for a launch.
 */
record PoolContext(InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock, Timer timer,
    QueueBounds bounds, MemoryBudget budget, Evictor evictor) {

  /**
   * Runs a task after a delay: how a queued request's wait is ended. Returns what cancels it, called
   * once the request was served (most waits end that way, so a timer must make cancelling cheap).
   */
  @FunctionalInterface
  interface Timer {
    Runnable schedule(Duration delay, Runnable task);
  }

  /** Frees memory for a launch by stopping idle instances of other functions. */
  @FunctionalInterface
  interface Evictor {
    /** Returns true once {@code mb} is reserved for {@code requester}, false if no idle instance of another function could make room. */
    boolean makeRoom(FunctionPool requester, int mb);
  }
}
