package dev.pilotlight.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
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
 * so without this a quick second request would be answered first. It sees a request as its parts
 * (head, then body parts), before any aggregation: the parts of the current request pass on as
 * they come (so a streamed body streams); a request that begins while the answer to the current
 * one is still being written waits, with its parts, and is handed on once that whole answer has
 * been written. An answer that closes the connection ends it, and what is still waiting is dropped.
 * At most {@value #MAX_WAITING} requests or {@value #MAX_WAITING_BYTES} bytes of their bodies wait;
 * past that the connection is not read until they drain.
 */
final class InOrderRequests extends ChannelDuplexHandler {
  static final int MAX_WAITING = 16;
  static final int MAX_WAITING_BYTES = 1 << 20;

  private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>(); // parts of requests not yet handed on, in order
  private int waitingRequests;
  private long waitingBytes;
  private boolean busy; // the answer to the current request is not fully written
  private boolean closing;
  private boolean droppingNext; // closing, and a request after the current one began: all that follows is dropped
  private boolean paused; // reading stopped here because too much waits

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject part)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing && (part instanceof HttpRequest || droppingNext)) {
      // the connection ends after the current answer: later requests are dropped, not the rest of the current one's body
      droppingNext = true;
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!waiting.isEmpty() || busy && part instanceof HttpRequest) {
      enqueue(ctx, part);
      return;
    }
    if (part instanceof HttpRequest) {
      busy = true;
    }
    ctx.fireChannelRead(part); // a request that starts now, or a part of the current one's body
  }

  private void enqueue(ChannelHandlerContext ctx, HttpObject part) {
    waiting.add(part);
    if (part instanceof HttpRequest) {
      waitingRequests++;
    }
    if (part instanceof HttpContent c) {
      waitingBytes += c.content().readableBytes();
    }
    if (!paused && (waitingRequests >= MAX_WAITING || waitingBytes >= MAX_WAITING_BYTES)) {
      paused = true;
      ctx.channel().config().setAutoRead(false);
    }
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

  /** The current answer is written: hands on the next waiting request and the parts of it that came. */
  private void next(ChannelHandlerContext ctx) {
    busy = false;
    if (closing) {
      releaseWaiting();
      return;
    }
    while (!waiting.isEmpty() && !(busy && waiting.peek() instanceof HttpRequest)) {
      HttpObject part = waiting.poll();
      if (part instanceof HttpRequest) {
        waitingRequests--;
        busy = true;
      }
      if (part instanceof HttpContent c) {
        waitingBytes -= c.content().readableBytes();
      }
      ctx.fireChannelRead(part);
      if (closing || !ctx.channel().isActive()) {
        releaseWaiting();
        return;
      }
    }
    if (paused && waitingRequests < MAX_WAITING && waitingBytes < MAX_WAITING_BYTES) {
      paused = false;
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
    for (HttpObject part; (part = waiting.poll()) != null; ) {
      ReferenceCountUtil.release(part);
    }
    waitingRequests = 0;
    waitingBytes = 0;
  }
}
