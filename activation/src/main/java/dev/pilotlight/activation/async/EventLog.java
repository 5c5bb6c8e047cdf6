package dev.pilotlight.activation.async;

/** Where the dispatcher notes retries and give-ups, in the function's own log. */
@FunctionalInterface
public interface EventLog {
  void line(String function, String requestId, String message);
}
