package dev.pilotlight.activation.async;

import java.util.concurrent.CompletableFuture;

/** Runs one event through the daemon's invoke path; never completes exceptionally. */
@FunctionalInterface
public interface EventRunner {
  CompletableFuture<Outcome> run(String function, String requestId, byte[] payload);
}
