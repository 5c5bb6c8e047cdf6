package dev.pilotlight.model;

/**
 * What a Lambda-style instance answered: a result payload, or a function error posted to
 * {@code /invocation/{id}/error} ({@code errorType} set, payload the {@code {errorMessage, errorType}} JSON).
 */
public record LambdaResponse(byte[] payload, String errorType) {
  public boolean isError() {
    return errorType != null;
  }
}
