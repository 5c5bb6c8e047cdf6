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
 * Closes connections that hold the daemon without using it:
 * <ul>
 *   <li>no request in progress (just opened, idle between keep-alive requests, or still sending a
 *       request's headers, as a slow-header client does): closed after the idle timeout;</li>
 *   <li>a request's headers arrived but not all of its body: cut off after the body timeout.</li>
 * </ul>
 * While a request is being served (a long invocation, a followed log) nothing closes it: the client
 * waits for the daemon, not the other way round. Requests and responses only note the time; one
 * timer per connection checks it and schedules itself again for what is left (as Netty's
 * IdleStateHandler does), so a busy keep-alive connection costs no timer per request. A body that
 * ends may be followed by an idle spell checked up to one idle timeout late. Sits right after the
 * HTTP codec; every method runs on the connection's event loop.
 */
final class ConnectionTimeouts extends ChannelDuplexHandler {
  private static final long NOT = -1;

  private final long idleNanos;
  private final long bodyNanos;
  private long idleSince = NOT; // no request in progress since then
  private long bodySince = NOT; // headers in, body not yet complete, since then
  private int unanswered; // requests whose headers arrived and whose response is not fully written
  private ScheduledFuture<?> timer;

  ConnectionTimeouts(Duration idle, Duration body) {
    this.idleNanos = idle.toNanos();
    this.bodyNanos = body.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      idle(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    idle(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      unanswered++;
      idleSince = NOT;
      bodySince = now(ctx);
      ensureTimer(ctx);
    }
    if (msg instanceof LastHttpContent) {
      bodySince = NOT; // the whole request is in; serving it may take as long as the function does
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
          idle(ctx);
        }
      });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stopTimer();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stopTimer(); // the connection stopped speaking HTTP (a WebSocket tunnel has its own idle rule)
  }

  private void stopTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void idle(ChannelHandlerContext ctx) {
    idleSince = now(ctx);
    ensureTimer(ctx);
  }

  private void ensureTimer(ChannelHandlerContext ctx) {
    if (timer == null) {
      timer = ctx.executor().schedule(() -> check(ctx), idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The timer: closes the connection if a limit passed, else waits for what is left of it. */
  private void check(ChannelHandlerContext ctx) {
    timer = null;
    long now = now(ctx);
    long left;
    if (idleSince != NOT) {
      left = idleNanos - (now - idleSince);
    } else if (bodySince != NOT) {
      left = Math.min(idleNanos, bodyNanos - (now - bodySince));
    } else {
      return; // a request is being served; its response's end starts the idle clock again
    }
    if (left <= 0 && (idleSince != NOT || now - bodySince >= bodyNanos)) {
      ctx.close();
      return;
    }
    timer = ctx.executor().schedule(() -> check(ctx), Math.max(left, 1), TimeUnit.NANOSECONDS);
  }

  private static long now(ChannelHandlerContext ctx) {
    return ctx.executor().ticker().nanoTime();
  }
}
