package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Hands a request's blocking part (SQLite, unzipping, file reads) from the event loop to the
 * daemon's bounded pool of platform threads. When the pool and its queue are full the request is
 * answered with {@link Failure.Unavailable} (503) instead of the connection being dropped.
 */
final class BlockingWork {
  private BlockingWork() {}

  /** Runs {@code work} on {@code pool}; if the pool refuses it, {@code refused} gets a 503 failure on the calling thread. */
  static void submit(Executor pool, Runnable work, Consumer<Failure> refused) {
    try {
      pool.execute(work);
    } catch (RejectedExecutionException e) {
      refused.accept(new Failure.Unavailable("the daemon is busy with other management requests; retry shortly"));
    }
  }
}
