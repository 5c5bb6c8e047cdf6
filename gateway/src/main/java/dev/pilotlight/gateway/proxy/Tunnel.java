package dev.pilotlight.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One direction of a byte tunnel (a WebSocket after its {@code 101 Switching Protocols}): what its
 * connection reads is written to the peer as it is. While the peer's buffer is full the connection
 * is not read. When either side closes, the other is closed once what was written to it is out;
 * an idle event (from an {@code IdleStateHandler} in front of it) closes both. Bytes read before
 * {@link #open} (what the HTTP decoder held when it was removed) wait for it. Both directions of a
 * tunnel run on one event loop.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {
  private final Channel peer;
  private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
  private boolean open;

  Tunnel(Channel peer) {
    this.peer = peer;
  }

  /** Starts relaying, first what came before. */
  void open() {
    open = true;
    for (ByteBuf b; (b = early.poll()) != null; ) {
      peer.write(b);
    }
    peer.flush();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes)) {
      ReferenceCountUtil.release(msg); // the empty end of the 101 response
      return;
    }
    if (!open) {
      early.add(bytes);
      return;
    }
    ChannelFuture written = peer.writeAndFlush(bytes);
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
      written.addListener(f -> ctx.channel().config().setAutoRead(true));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      peer.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    for (ByteBuf b; (b = early.poll()) != null; ) {
      b.release();
    }
  }
}
