package dev.pilotlight.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the daemon's HTTP exchanges in flight, over every connection: a request whose head has
 * arrived and whose response has not been written to the end. A drain waits for this to reach zero
 * ({@link GatewayHandler#drain}). One {@link #counter()} sits in each HTTP pipeline right after the
 * codec (HTTP/1.1 connection or HTTP/2 stream); what a connection still holds when it closes, or
 * stops speaking HTTP, is given back, so a client that hangs up never keeps a drain waiting.
 */
final class InFlightExchanges {
  /**
   * Fired through a channel's whole pipeline by a route whose response never ends by itself (a
   * followed log): its exchange stops counting, so a drain does not wait for it.
   */
  static final Object ENDLESS = new Object();

  private final AtomicInteger total = new AtomicInteger();

  /** Tells {@code channel}'s counter that its current exchange is {@link #ENDLESS}. */
  static void endless(Channel channel) {
    channel.pipeline().fireUserEventTriggered(ENDLESS);
  }

  /** Exchanges in flight now. */
  int count() {
    return total.get();
  }

  /** A handler for one pipeline (it keeps that connection's share). */
  ChannelHandler counter() {
    return new Counter();
  }

  private final class Counter extends ChannelDuplexHandler {
    private int held; // this connection's exchanges in flight; touched on its event loop only

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        held++;
        total.incrementAndGet();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent && !interim(msg)) {
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> release(1));
        ctx.write(msg, p);
        return;
      }
      ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == ENDLESS) {
        release(1);
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      release(held);
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      release(held);
    }

    private void release(int n) {
      int r = Math.min(n, held);
      if (r > 0) {
        held -= r;
        total.addAndGet(-r);
      }
    }
  }

  /** A 1xx response other than 101 (100 Continue, 103 Early Hints): the exchange goes on after it. */
  private static boolean interim(Object msg) {
    return msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
  }
}
