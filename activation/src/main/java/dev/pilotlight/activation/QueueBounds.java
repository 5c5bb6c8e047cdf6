package dev.pilotlight.activation;

import dev.pilotlight.model.Deployment;
import java.time.Duration;

/**
 * How many requests may wait for an instance of a function, and for how long.
 *
 * @param defaultMaxQueue the daemon's {@code --max-queue}, for functions that set no {@code maxQueue}
 * @param defaultMaxWait the daemon's {@code --max-queue-wait}; null: the function's timeout, at least {@link #MIN_WAIT}
 */
public record QueueBounds(int defaultMaxQueue, Duration defaultMaxWait) {
  /** Matches the executor's minimum init allowance (Lambda's 10 s init phase). */
  public static final Duration MIN_WAIT = Duration.ofSeconds(10);

  public QueueBounds {
    if (defaultMaxQueue < 1) {
      throw new IllegalArgumentException("maxQueue: " + defaultMaxQueue + " (expected: >= 1)");
    }
    if (defaultMaxWait != null && (defaultMaxWait.isNegative() || defaultMaxWait.isZero())) {
      throw new IllegalArgumentException("maxQueueWait: " + defaultMaxWait + " (expected: > 0)");
    }
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
