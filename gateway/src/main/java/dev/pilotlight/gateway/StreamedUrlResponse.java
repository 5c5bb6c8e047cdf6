package dev.pilotlight.gateway;

import dev.pilotlight.gateway.lambda.HttpStreamPrelude;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.model.ResponseStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A function URL in {@code RESPONSE_STREAM} mode answering with a streamed response: HTTP chunked,
 * each chunk written as it comes. The head is sent with the first bytes — from the stream's
 * {@link HttpStreamPrelude} when its content type says it has one, else {@code 200} with the
 * stream's content type — so a function that fails before writing anything is answered {@code 502}
 * with its error, as a buffered one is. A failure after the head has gone can no longer change the
 * status: the connection is closed without the last chunk, which HTTP clients report as a
 * truncated response. When the client reads slower than the function writes, the function's
 * stream is paused until the written chunks have gone out.
 */
final class StreamedUrlResponse implements ResponseStream.Subscriber {
  private final ChannelHandlerContext ctx;
  private final boolean keepAlive;
  private final ResponseStream stream;
  private final HttpStreamPrelude prelude;
  private final String revision;
  private boolean headSent;
  private boolean failed;

  private StreamedUrlResponse(ChannelHandlerContext ctx, boolean keepAlive, ResponseStream stream, String revision) {
    this.ctx = ctx;
    this.keepAlive = keepAlive;
    this.stream = stream;
    this.revision = revision;
    this.prelude = HttpStreamPrelude.CONTENT_TYPE.equalsIgnoreCase(stream.contentType()) ? new HttpStreamPrelude() : null;
  }

  /** @param revision the revision streaming it, for {@code X-Pilotlight-Revision} */
  static void relay(ChannelHandlerContext ctx, boolean keepAlive, ResponseStream stream, String revision) {
    stream.subscribe(new StreamedUrlResponse(ctx, keepAlive, stream, revision));
  }

  @Override
  public void chunk(byte[] bytes) {
    if (failed) {
      return;
    }
    if (!headSent) {
      HttpResponse head;
      if (prelude == null) {
        head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, stream.contentType());
      } else {
        try {
          head = prelude.offer(bytes);
        } catch (IllegalArgumentException malformed) {
          fail(new Failure.InstanceFailed("the function's response is malformed: " + malformed.getMessage()));
          return;
        }
        if (head == null) {
          return;
        }
        bytes = prelude.rest();
      }
      sendHead(head);
    }
    if (bytes.length > 0) {
      write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }
  }

  @Override
  public void end(String errorType, byte[] errorJson) {
    if (failed) {
      return;
    }
    if (errorType != null) {
      if (!headSent) {
        failed = true;
        Responses.sendOnLoop(ctx, keepAlive, FunctionInvoker.functionError(new LambdaResponse(errorJson, errorType), true));
      } else {
        failed = true;
        ctx.channel().close(); // the status is gone: a truncated body is the only way left to say the answer is incomplete
      }
      return;
    }
    if (!headSent) {
      if (prelude != null && prelude.started()) {
        fail(new Failure.InstanceFailed("the function's response is malformed: its stream ended inside the prelude"));
        return;
      }
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      if (prelude == null) {
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, stream.contentType());
      }
      sendHead(head);
    }
    ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void fail(Failure f) {
    failed = true;
    stream.resume(); // read and drop the rest
    Responses.sendOnLoop(ctx, keepAlive, ErrorResponses.of(f));
  }

  private void sendHead(HttpResponse head) {
    headSent = true;
    HttpUtil.setTransferEncodingChunked(head, true);
    head.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    head.headers().set(FunctionInvoker.REVISION_HEADER, revision);
    write(head);
  }

  private void write(Object msg) {
    if (!ctx.channel().isActive()) {
      ReferenceCountUtil.release(msg);
      stream.resume(); // the client is gone: let the function finish, dropping what it sends
      return;
    }
    ChannelFuture f = ctx.writeAndFlush(msg);
    if (!ctx.channel().isWritable()) {
      stream.pause();
      f.addListener(done -> stream.resume());
    }
  }
}
