package dev.pilotlight.runtimeapi;

import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@code /2018-06-01/runtime/...} for one endpoint, with the paths, headers and status
 * codes of AWS's Runtime API: {@code GET invocation/next}, {@code POST invocation/{id}/response},
 * {@code POST invocation/{id}/error}, {@code POST init/error}.
 */
final class RuntimeApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** Pilotlight's runtimes: bytes written to stdout and stderr so far, {@code STDOUT,STDERR} ({@link LambdaResponse.Written}). */
  static final String OUTPUT_BYTES = "Pilotlight-Output-Bytes";

  private static final String PREFIX = "/2018-06-01/runtime/";
  private final RuntimeApiEndpoint endpoint;
  private static final String EXTENSION_PREFIX = "/2020-01-01/extension/";
  private static final String TELEMETRY_PATH = "/2022-07-01/telemetry";
  private static final String LOGS_PATH = "/2020-08-15/logs";
  private boolean polling;
  private boolean extensionPolling;

  RuntimeApiHandler(RuntimeApiEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = req.uri();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (path.equals(TELEMETRY_PATH) || path.equals(LOGS_PATH)) {
      subscribe(ctx, req);
      return;
    }
    if (path.startsWith(EXTENSION_PREFIX)) {
      extension(ctx, req, path);
      return;
    }
    if (!path.startsWith(PREFIX)) {
      sendError(ctx, 404, "NotFound", "unknown path " + path);
      return;
    }
    String rest = path.substring(PREFIX.length());
    if (rest.equals("invocation/next") && req.method().equals(HttpMethod.GET)) {
      polling = true;
      endpoint.next(ctx);
      return;
    }
    if (rest.equals("init/error") && req.method().equals(HttpMethod.POST)) {
      endpoint.initFailed(ByteBufUtil.getBytes(req.content()));
      sendAccepted(ctx);
      return;
    }
    if (rest.startsWith("invocation/") && req.method().equals(HttpMethod.POST)) {
      String tail = rest.substring("invocation/".length());
      int slash = tail.lastIndexOf('/');
      if (slash > 0) {
        String requestId = tail.substring(0, slash);
        String kind = tail.substring(slash + 1);
        byte[] body = ByteBufUtil.getBytes(req.content());
        LambdaResponse response;
        LambdaResponse.Written written = LambdaResponse.Written.parse(req.headers().get(OUTPUT_BYTES));
        if (kind.equals("response")) {
          response = new LambdaResponse(body, null, null, written);
        } else if (kind.equals("error")) {
          String type = req.headers().get("Lambda-Runtime-Function-Error-Type");
          response = new LambdaResponse(body, type == null || type.isBlank() ? "Unhandled" : type, null, written);
        } else {
          sendError(ctx, 404, "NotFound", "unknown path " + path);
          return;
        }
        if (endpoint.complete(requestId, response)) {
          sendAccepted(ctx);
        } else {
          sendError(ctx, 400, "InvalidRequestID", "unknown or already answered request id " + requestId);
        }
        return;
      }
    }
    sendError(ctx, 405, "MethodNotAllowed", req.method() + " " + path);
  }

  /** The Extensions API: register, event/next, init/error, exit/error (see Extensions). */
  private void extension(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    Extensions ext = endpoint.extensions();
    String rest = path.substring(EXTENSION_PREFIX.length());
    String id = req.headers().get("Lambda-Extension-Identifier");
    try {
      if (ext == null) {
        throw new Extensions.Refused(403, "Extension.NotExpected",
            "this instance starts no external extensions (none in its package's opt/extensions/)");
      }
      if (rest.equals("register") && req.method().equals(HttpMethod.POST)) {
        String[] registered = ext.register(req.headers().get("Lambda-Extension-Name"), ByteBufUtil.getBytes(req.content()));
        byte[] bytes = registered[1].getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = full(HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON).set("Lambda-Extension-Identifier", registered[0]);
        HttpUtil.setContentLength(res, bytes.length);
        ctx.writeAndFlush(res);
      } else if (rest.equals("event/next") && req.method().equals(HttpMethod.GET)) {
        extensionPolling = true;
        ext.next(ctx, id);
      } else if ((rest.equals("init/error") || rest.equals("exit/error")) && req.method().equals(HttpMethod.POST)) {
        ext.reportedError(id, rest.startsWith("init"), req.headers().get("Lambda-Extension-Function-Error-Type"),
            ByteBufUtil.getBytes(req.content()));
        sendAccepted(ctx);
      } else {
        sendError(ctx, 404, "NotFound", "unknown path " + req.method() + " " + path);
      }
    } catch (Extensions.Refused e) {
      sendError(ctx, e.status, e.errorType, e.getMessage());
    }
  }

  /** The Telemetry API's subscribe (and the older Logs API's, the same machinery): {@code PUT}, by a registered extension. */
  private void subscribe(ChannelHandlerContext ctx, FullHttpRequest req) {
    Extensions ext = endpoint.extensions();
    Telemetry telemetry = endpoint.telemetry();
    try {
      if (ext == null || telemetry == null) {
        throw new Extensions.Refused(403, "Extension.NotExpected",
            "this instance starts no external extensions (none in its package's opt/extensions/)");
      }
      if (!req.method().equals(HttpMethod.PUT)) {
        throw new Extensions.Refused(405, "MethodNotAllowed", req.method() + " " + req.uri() + " (expected: PUT)");
      }
      String name = ext.nameOf(req.headers().get("Lambda-Extension-Identifier"));
      telemetry.subscribe(name, ByteBufUtil.getBytes(req.content()));
      send(ctx, 200, "\"OK\"");
    } catch (Extensions.Refused e) {
      sendError(ctx, e.status, e.errorType, e.getMessage());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (polling) {
      endpoint.pollClosed(ctx);
    }
    if (extensionPolling) {
      endpoint.extensionPollClosed(ctx);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** An answer whose body is whole: no trailers, so none are made (a headers object per answer, on every invocation's path). */
  static FullHttpResponse full(HttpResponseStatus status, ByteBuf content) {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, DefaultHttpHeadersFactory.headersFactory().newHeaders(),
        EmptyHttpHeaders.INSTANCE);
  }

  static void sendEvent(ChannelHandlerContext ctx, LambdaRequest r) {
    FullHttpResponse res = full(HttpResponseStatus.OK, Unpooled.wrappedBuffer(r.payload()));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, r.payload().length)
        .set("Lambda-Runtime-Aws-Request-Id", r.requestId())
        .set("Lambda-Runtime-Deadline-Ms", r.deadline().toEpochMilli())
        .set("Lambda-Runtime-Invoked-Function-Arn", r.invokedFunctionArn())
        .set("Lambda-Runtime-Trace-Id", r.traceId());
    ctx.writeAndFlush(res);
  }

  static void sendAccepted(ChannelHandlerContext ctx) {
    send(ctx, 202, "{\"status\":\"OK\"}");
  }

  static void sendError(ChannelHandlerContext ctx, int status, String type, String message) {
    String json = "{\"errorMessage\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"errorType\":\"" + type + "\"}";
    send(ctx, status, json);
  }

  private static void send(ChannelHandlerContext ctx, int status, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res = full(HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(res, bytes.length);
    var f = ctx.writeAndFlush(res);
    if (status == 410) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
