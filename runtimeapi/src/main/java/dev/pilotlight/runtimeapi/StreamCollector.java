package dev.pilotlight.runtimeapi;

import dev.pilotlight.model.LambdaResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streamed response to a caller that takes a whole payload (Invoke, an Event, a buffered
 * function URL): collected up to the 6 MB limit, then the invocation completes, as Lambda answers
 * a streaming function invoked without streaming. Past the limit it fails at once with
 * {@code Function.ResponseSizeTooLarge} and the rest is dropped.
 */
final class StreamCollector implements BodySink {
  private final RuntimeApiEndpoint endpoint;
  private final String requestId;
  private final int max;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private boolean done;

  StreamCollector(RuntimeApiEndpoint endpoint, String requestId, int max) {
    this.endpoint = endpoint;
    this.requestId = requestId;
    this.max = max;
  }

  @Override
  public void chunk(ByteBuf content) {
    if (done) {
      return;
    }
    int n = content.readableBytes();
    if (body.size() + n > max) {
      done = true;
      String error = "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size (" + max
          + " bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}";
      endpoint.complete(requestId, new LambdaResponse(error.getBytes(StandardCharsets.UTF_8), "Function.ResponseSizeTooLarge"));
      return;
    }
    body.writeBytes(ByteBufUtil.getBytes(content));
  }

  @Override
  public void end(String errorType, byte[] errorJson) {
    if (done) {
      return;
    }
    done = true;
    endpoint.complete(requestId, errorType == null ? new LambdaResponse(body.toByteArray(), null) : new LambdaResponse(errorJson, errorType));
  }
}
