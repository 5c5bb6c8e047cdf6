package dev.pilotlight.sources;

import java.util.concurrent.CompletableFuture;

/** How a poller runs a batch on its function (the daemon's invoker, as a synchronous Invoke). */
@FunctionalInterface
public interface EventInvoker {
  /** Runs {@code payload} on {@code function}; completes with how it ended, never exceptionally. */
  CompletableFuture<Outcome> invoke(String function, String requestId, byte[] payload);

  /** How a run ended: {@code error} (e.g. {@code errorType: message}) is null when it succeeded. */
  record Outcome(String error) {
    public static final Outcome OK = new Outcome(null);

    public boolean succeeded() {
      return error == null;
    }
  }
}
