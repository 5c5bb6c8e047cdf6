package dev.pilotlight.model;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One invocation handed to a Lambda-style instance through the Runtime API.
 *
 * @param requestId the {@code Lambda-Runtime-Aws-Request-Id}
 * @param payload the event JSON
 * @param deadline the {@code Lambda-Runtime-Deadline-Ms}
 * @param invokedFunctionArn the {@code Lambda-Runtime-Invoked-Function-Arn}
 * @param acceptsStream whether the caller takes a streamed response as it comes
 *     ({@code InvokeWithResponseStream}, a function URL in {@code RESPONSE_STREAM} mode); when
 *     false, a response the runtime streams is collected whole (up to 6 MB, as Lambda does) first
 * @param traceId the {@code Lambda-Runtime-Trace-Id} ({@link TraceHeader}); the shorter
 *     constructors make a new one
 */
public record LambdaRequest(String requestId, byte[] payload, Instant deadline, String invokedFunctionArn, boolean acceptsStream,
    String traceId) {
  public LambdaRequest {
    if (traceId == null) {
      traceId = TraceHeader.forInvocation(null, System.currentTimeMillis() / 1000, ThreadLocalRandom.current());
    }
  }

  public LambdaRequest(String requestId, byte[] payload, Instant deadline, String invokedFunctionArn, boolean acceptsStream) {
    this(requestId, payload, deadline, invokedFunctionArn, acceptsStream, null);
  }

  public LambdaRequest(String requestId, byte[] payload, Instant deadline, String invokedFunctionArn) {
    this(requestId, payload, deadline, invokedFunctionArn, false, null);
  }
}
