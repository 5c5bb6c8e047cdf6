package dev.pilotlight.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection without losing its last answer while the client is still sending
 * a request body (an upload answered early by the app, refused on its head, or over the size
 * limit). Closing a socket with unread data makes the kernel reset the connection, and the client
 * then sees "connection reset" or a failed send where it should read, say, a 401 or a 413. So a
 * close that comes while a body is still arriving half-closes the connection instead (FIN after
 * the answer), reads what still comes and drops it, and closes once the client closes its side,
 * has sent nothing for {@link #QUIET_SECONDS}, or after {@link #MOST_SECONDS} in all: nginx's
 * {@code lingering_close}, with its {@code lingering_timeout} and {@code lingering_time} defaults.
 * Any other close happens at once. Sits right after the HTTP codec, so it sees the requests'
 * parts as they are decoded and every close of the handlers after it.
 */
final class LingeringClose extends ChannelDuplexHandler {
  static final long QUIET_SECONDS = 5;
  static final long MOST_SECONDS = 30;

  private boolean inBody; // a request's head came and its last part has not
  private boolean lingering;
  private long start;
  private long lastRead;
  private ScheduledFuture<?> check;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      ReferenceCountUtil.release(msg);
      lastRead = System.nanoTime();
      return;
    }
    if (msg instanceof HttpRequest) {
      inBody = !(msg instanceof FullHttpRequest);
    } else if (msg instanceof LastHttpContent) {
      inBody = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (lingering) {
      // closed already, as far as the handlers after this one go: it ends when the lingering does
      ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
      return;
    }
    if (!inBody || !(ctx.channel() instanceof DuplexChannel socket) || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    lingering = true;
    start = System.nanoTime();
    lastRead = start;
    ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
    ctx.channel().config().setAutoRead(true); // the rest of the body is read, to be dropped
    socket.shutdownOutput().addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close();
      }
    });
    schedule(ctx, QUIET_SECONDS);
  }

  private void schedule(ChannelHandlerContext ctx, long seconds) {
    check = ctx.executor().schedule(() -> {
      long now = System.nanoTime();
      long quietFor = now - lastRead;
      if (quietFor >= TimeUnit.SECONDS.toNanos(QUIET_SECONDS) || now - start >= TimeUnit.SECONDS.toNanos(MOST_SECONDS)) {
        ctx.close();
      } else {
        schedule(ctx, Math.max(1, QUIET_SECONDS - TimeUnit.NANOSECONDS.toSeconds(quietFor)));
      }
    }, seconds, TimeUnit.SECONDS);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (lingering) {
      ctx.close(); // a reset from the client while lingering: nothing more to do
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
