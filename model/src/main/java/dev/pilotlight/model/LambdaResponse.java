package dev.pilotlight.model;

/**
 * What a Lambda-style instance answered: a result payload, or a function error posted to
 * {@code /invocation/{id}/error} ({@code errorType} set, payload the {@code {errorMessage, errorType}} JSON),
 * or — only to a caller that asked for one ({@link LambdaRequest#acceptsStream}) — a streamed
 * response ({@code stream} set, payload empty, {@code errorType} null: a mid-stream error comes at its end).
 */
public record LambdaResponse(byte[] payload, String errorType, ResponseStream stream, Written written) {
  private static final byte[] NONE = new byte[0];

  /**
   * What the runtime had written to stdout and stderr when it answered, in bytes, as Pilotlight's
   * runtimes say in the {@code Pilotlight-Output-Bytes} header: the instance's output is read that
   * far before the answer is passed on, so every line the invocation printed is logged as its own.
   */
  public record Written(long stdout, long stderr) {
    /**
     * The header's value {@code STDOUT,STDERR} (decimal byte counts); null when absent or malformed
     * (a runtime that does not count, such as AWS's runtime interface clients).
     */
    public static Written parse(String header) {
      if (header == null) {
        return null;
      }
      int comma = header.indexOf(',');
      if (comma <= 0) {
        return null;
      }
      try {
        long out = Long.parseLong(header, 0, comma, 10);
        long err = Long.parseLong(header, comma + 1, header.length(), 10);
        return out < 0 || err < 0 ? null : new Written(out, err);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  public LambdaResponse(byte[] payload, String errorType) {
    this(payload, errorType, null, null);
  }

  public LambdaResponse(byte[] payload, String errorType, ResponseStream stream) {
    this(payload, errorType, stream, null);
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
