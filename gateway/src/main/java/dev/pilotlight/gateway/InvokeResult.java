package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaResponse;

/**
 * How a Lambda-style run ended once an instance had it: the runtime answered ({@code response}: a
 * result or a function error), or the run failed ({@code failure}: a {@link Failure.FunctionTimeout}
 * or {@link Failure.InstanceFailed}). Exactly one is set. {@code revision}: the revision that ran
 * (0 when not known).
 */
public record InvokeResult(LambdaResponse response, Failure failure, long revision) {
  public InvokeResult {
    if ((response == null) == (failure == null)) {
      throw new IllegalArgumentException("exactly one of response and failure must be set");
    }
  }

  /** A result whose revision is not known (0). */
  public InvokeResult(LambdaResponse response, Failure failure) {
    this(response, failure, 0);
  }

  /** The function ran and returned a result (not a function error). */
  public boolean succeeded() {
    return response != null && !response.isError();
  }
}
