package dev.pilotlight.model;

import java.time.Instant;

/**
 * One asynchronous ({@code Event}) invocation as the durable queue holds it.
 *
 * @param id the queue's own identifier, increasing in acceptance order
 * @param function the function it is for
 * @param requestId the request id answered with the {@code 202}; every attempt runs under it, as on Lambda
 * @param payload the event, exactly as received
 * @param acceptedAt when it was accepted (or re-driven); its age counts from here
 * @param attempts runs that ended in a function error so far
 * @param lastError the last attempt's error ({@code errorType: errorMessage}), or null
 * @param failedAt when it was given up on, or null while it may still run
 */
public record AsyncEvent(long id, String function, String requestId, byte[] payload, Instant acceptedAt, int attempts,
    String lastError, Instant failedAt) {
  public AsyncEvent {
    if (function == null || requestId == null || payload == null || acceptedAt == null) {
      throw new IllegalArgumentException("event: function, requestId, payload and acceptedAt are required");
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 0)");
    }
  }
}
