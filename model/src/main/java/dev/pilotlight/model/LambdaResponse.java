package dev.pilotlight.model;

/**
 * What a Lambda-style instance answered: a result payload, or a function error posted to
 * {@code /invocation/{id}/error} ({@code errorType} set, payload the {@code {errorMessage, errorType}} JSON),
 * or — only to a caller that asked for one ({@link LambdaRequest#acceptsStream}) — a streamed
 * response ({@code stream} set, payload empty, {@code errorType} null: a mid-stream error comes at its end).
 */
public record LambdaResponse(byte[] payload, String errorType, ResponseStream stream) {
  private static final byte[] NONE = new byte[0];

  public LambdaResponse(byte[] payload, String errorType) {
    this(payload, errorType, null);
  }

  /** A streamed response. */
  public static LambdaResponse streamed(ResponseStream stream) {
    return new LambdaResponse(NONE, null, stream);
  }

  public boolean isError() {
    return errorType != null;
  }

  public boolean isStreamed() {
    return stream != null;
  }
}
