package dev.pilotlight.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Serves a connection's requests one at a time, in the order they came: a client that pipelines
 * (sends the next request before the answer to the last) gets its answers in request order, as
 * HTTP/1.1 requires (RFC 9112 §9.3.2), however long each takes — the routes answer asynchronously,
 * so without this a quick second request would be answered first. The next request is handed on
 * once the whole answer to the current one has been written; an answer that closes the connection
 * ends it, and the requests still waiting are dropped. At most {@value #MAX_WAITING} wait; past
 * that the connection is not read until they drain.
 */
final class InOrderRequests extends ChannelDuplexHandler {
  static final int MAX_WAITING = 16;

  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;
  private boolean closing;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      req.release();
      return;
    }
    if (busy) {
      waiting.add(req);
      if (waiting.size() >= MAX_WAITING) {
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    busy = true;
    ctx.fireChannelRead(req);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof HttpResponse r && !informational && !HttpUtil.isKeepAlive(r)) {
      closing = true;
    }
    ctx.write(msg, promise);
    if (msg instanceof LastHttpContent && !informational) {
      // The answer is queued on the channel ahead of anything the next request writes; hand that on
      // from the event loop, not from inside this write.
      ctx.executor().execute(() -> next(ctx));
    }
  }

  private void next(ChannelHandlerContext ctx) {
    busy = false;
    if (closing) {
      releaseWaiting();
      return;
    }
    FullHttpRequest req = waiting.poll();
    if (req != null) {
      busy = true;
      ctx.fireChannelRead(req);
    }
    if (waiting.size() < MAX_WAITING && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseWaiting();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseWaiting();
  }

  private void releaseWaiting() {
    for (FullHttpRequest req; (req = waiting.poll()) != null; ) {
      ReferenceCountUtil.release(req);
    }
  }
}
