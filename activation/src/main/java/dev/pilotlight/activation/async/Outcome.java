package dev.pilotlight.activation.async;

/** What one attempt to run an event came to, as the retry decision sees it. */
public sealed interface Outcome {
  /** The function returned a result: the event is done. */
  record Succeeded() implements Outcome {}

  /** The function failed (an error it raised, a timeout, a crash, an init failure): costs one retry. */
  record FunctionError(String error) implements Outcome {}

  /** The event could not run yet (queue full, no instance free in time, shutting down): tried again, costing no retry. */
  record Throttled(String reason) implements Outcome {}

  /** The function no longer exists. */
  record Gone(String reason) implements Outcome {}
}
