package dev.pilotlight.activation.async;

/** What one attempt to run an event came to, as the retry decision sees it. */
public sealed interface Outcome {
  /**
   * The function returned a result: the event is done.
   *
   * @param response what it returned (for an on-success destination's record); null if not known
   */
  record Succeeded(byte[] response) implements Outcome {
    public Succeeded() {
      this(null);
    }
  }

  /**
   * The function failed (an error it raised, a timeout, a crash, an init failure): costs one retry.
   *
   * @param error what went wrong, in one line
   * @param document the runtime's error document ({@code errorType}, {@code errorMessage}, …) when the
   *     function raised the error; null for a timeout, a crash or an init failure
   */
  record FunctionError(String error, byte[] document) implements Outcome {
    public FunctionError(String error) {
      this(error, null);
    }
  }

  /** The event could not run yet (queue full, no instance free in time, shutting down): tried again, costing no retry. */
  record Throttled(String reason) implements Outcome {}

  /** The function no longer exists. */
  record Gone(String reason) implements Outcome {}
}
