package dev.pilotlight.gateway;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/** Writes complete responses with the right length and connection handling. */
final class Responses {
  private Responses() {}

  static void send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
    sendOnLoop(ctx, HttpUtil.isKeepAlive(req), res);
  }

  static void sendOnLoop(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
    HttpUtil.setContentLength(res, res.content().readableBytes());
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
