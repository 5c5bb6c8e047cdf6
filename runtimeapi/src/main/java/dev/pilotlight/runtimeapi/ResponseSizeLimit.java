package dev.pilotlight.runtimeapi;

import dev.pilotlight.model.LambdaResponse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * Aggregates runtime requests up to Lambda's 6 MB response limit. A response over it fails the
 * invocation at once with Lambda's {@code Function.ResponseSizeTooLarge} error (instead of leaving
 * the caller to wait out the function's timeout), and the runtime gets a 413.
 */
final class ResponseSizeLimit extends HttpObjectAggregator {
  private final RuntimeApiEndpoint endpoint;
  private final int max;

  ResponseSizeLimit(RuntimeApiEndpoint endpoint, int max) {
    super(max);
    this.endpoint = endpoint;
    this.max = max;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
    if (oversized instanceof HttpRequest req) {
      String path = req.uri();
      String prefix = "/2018-06-01/runtime/invocation/";
      if (path.startsWith(prefix) && path.endsWith("/response")) {
        String id = path.substring(prefix.length(), path.length() - "/response".length());
        String error = "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size (" + max
            + " bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}";
        endpoint.complete(id, new LambdaResponse(error.getBytes(StandardCharsets.UTF_8), "Function.ResponseSizeTooLarge"));
      }
    }
    super.handleOversizedMessage(ctx, oversized);
  }
}
