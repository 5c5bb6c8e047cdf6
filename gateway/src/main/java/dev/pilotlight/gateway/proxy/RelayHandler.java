package dev.pilotlight.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Lives on a backend connection for one request: writes the response head and each body chunk to
 * the client as they arrive, then returns the connection to the pool (or closes it if it cannot be
 * reused). Exactly one outcome is reported.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private final ChannelHandlerContext client;
  private final Channel backend;
  private final InstanceConnections pool;
  private final boolean clientKeepAlive;
  private final ProxyOutcome outcome;
  private boolean headSent;
  private boolean backendKeepAlive = true;
  private boolean answered; // the whole response came back: the connection can serve another
  private boolean finished;
  private int status;
  private ScheduledFuture<?> timeout;

  RelayHandler(ChannelHandlerContext client, Channel backend, InstanceConnections pool, boolean clientKeepAlive, ProxyOutcome outcome) {
    this.client = client;
    this.backend = backend;
    this.pool = pool;
    this.clientKeepAlive = clientKeepAlive;
    this.outcome = outcome;
  }

  void armTimeout(Duration d) {
    timeout = backend.eventLoop().schedule(() -> {
      if (finish()) {
        backend.close();
        releaseBackend();
        if (headSent) {
          client.close();
        }
        outcome.timedOut(headSent);
      }
    }, d.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse res) {
      status = res.status().code();
      backendKeepAlive = HttpUtil.isKeepAlive(res);
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, res.status());
      HttpProxy.copyEndToEnd(res.headers(), head.headers());
      if (!HttpUtil.isContentLengthSet(head) && !(msg instanceof LastHttpContent)) {
        HttpUtil.setTransferEncodingChunked(head, true);
      }
      head.headers().set(HttpHeaderNames.CONNECTION, clientKeepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
      client.write(head);
      headSent = true;
    }
    if (msg instanceof HttpContent content) {
      if (content instanceof LastHttpContent) {
        // Done (the instance released, the invocation recorded) before the client can see the end
        // of the response, so a client that asks for the function's status next finds it counted.
        if (finish()) {
          answered = true;
          releaseBackend();
          outcome.completed(status);
        }
        var write = client.writeAndFlush(content);
        if (!clientKeepAlive) {
          write.addListener(ChannelFutureListener.CLOSE);
        }
      } else {
        var write = client.writeAndFlush(content);
        // Backpressure: while the client's socket is full, read no more from the instance (its own
        // socket buffer fills and the app's writes block), and go on once this write is out. So a
        // large download through a slow client holds a few chunks in the daemon, not the body.
        if (!client.channel().isWritable()) {
          backend.config().setAutoRead(false);
          write.addListener(w -> backend.config().setAutoRead(true));
        }
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    backendFailed(new IOException("the instance closed the connection before the response was complete"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    backendFailed(cause);
  }

  void backendFailed(Throwable cause) {
    if (finish()) {
      backend.close();
      releaseBackend();
      if (headSent) {
        client.close();
      }
      outcome.failed(cause, headSent);
    }
  }

  private boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    return true;
  }

  private void releaseBackend() {
    if (backend.pipeline().get("relay") != null) {
      backend.pipeline().remove(this);
    }
    backend.config().setAutoRead(true); // a paused connection goes back to the pool reading
    pool.release(backend, backendKeepAlive && answered);
  }
}
