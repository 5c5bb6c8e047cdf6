package dev.pilotlight.runtimeapi;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Takes a runtime's streamed {@code POST /invocation/{id}/response} (header
 * {@code Lambda-Runtime-Function-Response-Mode: streaming}, a chunked body, maybe the trailers
 * {@code Lambda-Runtime-Function-Error-Type} and {@code Lambda-Runtime-Function-Error-Body}
 * (base64) for an error mid-stream) before the aggregator would hold it whole: its chunks go where
 * {@link RuntimeApiEndpoint#streamStarted} says as they are read, and the runtime gets its
 * {@code 202} once the body has ended. Everything else passes by untouched (one header test per
 * request head).
 */
final class StreamedResponses extends ChannelInboundHandlerAdapter {
  static final String MODE = "Lambda-Runtime-Function-Response-Mode";
  static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
  static final String ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
  private static final String PREFIX = "/2018-06-01/runtime/invocation/";
  private static final String SUFFIX = "/response";

  private final RuntimeApiEndpoint endpoint;
  /** The body being received; null between streamed responses. */
  private BodySink body;
  private boolean known;

  StreamedResponses(RuntimeApiEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (body == null) {
      if (!(msg instanceof HttpRequest req) || !req.headers().contains(MODE) || !"streaming".equalsIgnoreCase(req.headers().get(MODE))
          || !req.method().equals(HttpMethod.POST) || !req.uri().startsWith(PREFIX) || !req.uri().endsWith(SUFFIX)) {
        ctx.fireChannelRead(msg);
        return;
      }
      String requestId = req.uri().substring(PREFIX.length(), req.uri().length() - SUFFIX.length());
      String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
      BodySink sink = endpoint.streamStarted(requestId, ctx.channel(), contentType);
      known = sink != null;
      body = known ? sink : BodySink.DISCARD;
    }
    try {
      if (msg instanceof HttpContent c) {
        if (c.content().isReadable()) {
          body.chunk(c.content());
        }
        if (msg instanceof LastHttpContent last) {
          end(last.trailingHeaders());
          if (known) {
            RuntimeApiHandler.sendAccepted(ctx);
          } else {
            RuntimeApiHandler.sendError(ctx, 400, "InvalidRequestID", "unknown or already answered request id");
          }
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void end(HttpHeaders trailers) {
    BodySink sink = body;
    body = null;
    String type = trailers.get(ERROR_TYPE);
    if (type == null || type.isBlank()) {
      sink.end(null, null);
      return;
    }
    byte[] json;
    try {
      String b64 = trailers.get(ERROR_BODY);
      json = b64 == null || b64.isBlank() ? errorJson(type, "the function failed mid-stream") : Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException notBase64) {
      json = errorJson(type, "the function failed mid-stream (its error body was not base64)");
    }
    sink.end(type, json);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (body != null) {
      BodySink sink = body;
      body = null;
      sink.end("Runtime.ExitError", errorJson("Runtime.ExitError", "the runtime's connection closed before its streamed response ended"));
    }
    ctx.fireChannelInactive();
  }

  private static byte[] errorJson(String type, String message) {
    return ("{\"errorMessage\":\"" + message + "\",\"errorType\":\"" + type.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
