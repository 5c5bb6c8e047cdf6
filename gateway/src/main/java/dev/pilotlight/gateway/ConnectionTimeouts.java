package dev.pilotlight.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that hold the daemon without using it. One timer runs at a time, per
 * connection, on its event loop:
 * <ul>
 *   <li>no request in progress (just opened, idle between keep-alive requests, or still sending a
 *       request's headers, as a slow-header client does): closed after the idle timeout;</li>
 *   <li>a request's headers arrived but not all of its body: cut off after the body timeout.</li>
 * </ul>
 * While a request is being served (a long invocation, a followed log) no timer runs: the client is
 * waiting for the daemon, not the other way round. Sits right after the HTTP codec.
 */
final class ConnectionTimeouts extends ChannelDuplexHandler {
  private final long idleNanos;
  private final long bodyNanos;
  private ScheduledFuture<?> timer;
  private int unanswered; // requests whose headers arrived and whose response is not fully written

  ConnectionTimeouts(Duration idle, Duration body) {
    this.idleNanos = idle.toNanos();
    this.bodyNanos = body.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx, idleNanos);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx, idleNanos);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      unanswered++;
      arm(ctx, bodyNanos);
    }
    if (msg instanceof LastHttpContent) {
      disarm(); // the whole request is in; serving it may take as long as the function does
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL; // 100 Continue
    if (msg instanceof LastHttpContent && !informational) {
      promise.addListener(f -> {
        unanswered = Math.max(0, unanswered - 1);
        if (unanswered == 0 && ctx.channel().isActive()) {
          arm(ctx, idleNanos);
        }
      });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx, long nanos) {
    disarm();
    timer = ctx.executor().schedule(() -> ctx.close(), nanos, TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
