package dev.pilotlight.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Lives on a backend connection for one request: writes the response head and each body chunk to
 * the client as they arrive, then returns the connection to the pool (or closes it if it cannot be
 * reused). Exactly one outcome is reported. A WebSocket upgrade the app accepts turns both
 * connections into a {@link Tunnel}, reported when both have closed.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private final ChannelHandlerContext client;
  private final Channel backend;
  private final InstanceConnections pool; // null: a connection of this request alone (an upgrade), closed after it
  private final StreamedBody body;
  private final Duration tunnelIdle; // null unless the request asks for a WebSocket
  private final ProxyOutcome outcome;
  private final boolean noBody; // the request declared no body (no Content-Length or 0, not chunked)
  private boolean clientKeepAlive;
  // Sends the request again on another connection (given why this one failed), or null: see backendFailed
  private final Consumer<Throwable> resend;
  private boolean readAnything; // something came back on this connection for this request
  private boolean headSent;
  private boolean interim; // inside an interim (1xx) response, which is not relayed
  private boolean backendKeepAlive = true;
  private boolean answered; // the whole response came back after the whole request: the connection can serve another
  private volatile boolean finished; // read on the client's loop by armTimeout
  private int status;
  private ScheduledFuture<?> timeout;
  private final long sentNanos = System.nanoTime();
  private final ChannelFutureListener clientClosed = f -> backendLoopDo(this::clientWentAway);

  RelayHandler(ChannelHandlerContext client, Channel backend, InstanceConnections pool, boolean clientKeepAlive, StreamedBody body,
      Duration tunnelIdle, ProxyOutcome outcome, boolean noBody, Consumer<Throwable> resend) {
    this.noBody = noBody;
    this.resend = resend;
    this.client = client;
    this.backend = backend;
    this.pool = pool;
    this.clientKeepAlive = clientKeepAlive;
    this.body = body;
    this.tunnelIdle = tunnelIdle;
    this.outcome = outcome;
  }

  void armTimeout(Duration d) {
    if (finished) {
      return; // the connection was gone before the request went out
    }
    timeout = backend.eventLoop().schedule(() -> {
      if (finish()) {
        // Hung, as far as the daemon can tell: the client delivered the whole request (or the app
        // stopped reading it: its connection is full), the app sent nothing back for it and answered
        // nothing else since. A client still sending, or a response under way, is not the app's fault.
        boolean instanceAtFault = !headSent && (body.received() || !backend.isWritable()) && (pool == null || !pool.answeredSince(sentNanos));
        backend.close();
        body.abandon();
        releaseBackend();
        if (headSent) {
          client.close();
        }
        outcome.timedOut(headSent, instanceAtFault);
      }
    }, d.toMillis(), TimeUnit.MILLISECONDS);
    // A client that goes away mid-exchange ends it: the instance connection is closed, not read to its end.
    client.channel().closeFuture().addListener(clientClosed);
    if (finished) { // finished meanwhile on the backend's loop, which may have missed the listener
      client.channel().closeFuture().removeListener(clientClosed);
    }
  }

  /** Whether the exchange is over on this connection (answered, failed, timed out or sent again). */
  boolean isFinished() {
    return finished;
  }

  private void backendLoopDo(Runnable r) {
    if (backend.eventLoop().inEventLoop()) {
      r.run();
    } else {
      backend.eventLoop().execute(r);
    }
  }

  /** The client's connection (or HTTP/2 stream) closed before the response ended. */
  private void clientWentAway() {
    if (finish()) {
      backend.close();
      body.abandon();
      releaseBackend();
      outcome.clientClosed();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    readAnything = true;
    if (msg instanceof HttpResponse res && res.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      if (tunnelIdle != null && res.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        tunnel(res);
        return;
      }
      interim = true; // 100 Continue (the daemon answered Expect itself), 103 Early Hints: not relayed
    }
    if (interim) {
      interim = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      // not HTTP, or a head past the codec's limits: what came cannot be relayed
      ReferenceCountUtil.release(msg);
      backendFailed(new IOException("its answer could not be read as HTTP (" + o.decoderResult().cause().getMessage() + ")"));
      return;
    }
    if (msg instanceof HttpResponse res) {
      if (pool != null) {
        pool.answering(backend);
      }
      status = res.status().code();
      backendKeepAlive = HttpUtil.isKeepAlive(res);
      HttpProxy.removeHopByHop(res.headers()); // the app's headers go on in their own object, not copied
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, res.status(), res.headers());
      // A body of unknown length goes chunked, but never a 204's (RFC 9112 §6.1: no Transfer-Encoding
      // in a 204; a 304 or an answer to HEAD may say what a GET's would, and keep the connection so).
      if (!HttpUtil.isContentLengthSet(head) && !(msg instanceof LastHttpContent) && status != 204) {
        HttpUtil.setTransferEncodingChunked(head, true);
      }
      // An answer that starts before the client sent its whole body (the app need not read it all)
      // ends the connection: the rest of the body is dropped, not mistaken for the next request. A
      // request that declared no body has none to come (its end may just not be here yet: another loop).
      clientKeepAlive &= noBody || body.received();
      head.headers().set(HttpHeaderNames.CONNECTION, clientKeepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
      outcome.responseHead(head.headers());
      client.write(head);
      headSent = true;
    }
    if (msg instanceof HttpContent content) {
      if (content instanceof LastHttpContent) {
        // Done (the instance released, the invocation recorded) before the client can see the end
        // of the response, so a client that asks for the function's status next finds it counted.
        if (finish()) {
          answered = body.sent();
          if (!answered) {
            body.abandon();
          }
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

  /**
   * The app accepted a WebSocket upgrade: relays its 101, then both connections carry bytes as
   * they are, each read only as fast as the other side takes them. The request's timeout no longer
   * applies (a socket may live long); the tunnel closes when either side closes or after
   * {@link #tunnelIdle} with no byte either way. The lease is held, and the outcome reported, until
   * both sides have closed. Everything here runs on the one loop both connections share.
   */
  private void tunnel(HttpResponse res) {
    finish(); // the tunnel reports its own end
    if (pool != null) {
      pool.answering(backend);
    }
    ReferenceCountUtil.release(res);
    var switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, res.status());
    switching.headers().set(res.headers());
    Tunnel toClient = new Tunnel(client.channel());
    Tunnel toApp = new Tunnel(backend);
    ChannelPipeline app = backend.pipeline();
    app.addLast(toClient);
    app.remove(this);
    app.remove(HttpProxy.CODEC); // what it held beyond the 101 goes to toClient
    client.writeAndFlush(switching); // through the client's HTTP encoder, which goes next
    ChannelPipeline front = client.pipeline();
    front.addLast(new IdleStateHandler(0, 0, tunnelIdle.toMillis(), TimeUnit.MILLISECONDS), toApp);
    for (ChannelHandler h : front.toMap().values()) {
      if (!(h instanceof SslHandler) && !(h instanceof IdleStateHandler) && h != toApp) {
        front.remove(h); // the HTTP handlers; what the decoder held goes to toApp
      }
    }
    toClient.open();
    toApp.open();
    AtomicInteger open = new AtomicInteger(2);
    ChannelFutureListener closed = f -> {
      if (open.decrementAndGet() == 0) {
        outcome.completed(HttpResponseStatus.SWITCHING_PROTOCOLS.code());
      }
    };
    backend.closeFuture().addListener(closed);
    client.channel().closeFuture().addListener(closed);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      backendFailed(new IOException("the connection to the instance closed before the request went out"));
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

  /**
   * How soon after the request went out its connection must fail for it to be sent again: a kept
   * connection the app closes as the request reaches it fails within a round trip; one that fails
   * later had the request in hand (an app that gave up on it or died working on it).
   */
  static final Duration RESEND_WITHIN = Duration.ofSeconds(1);

  /**
   * The connection failed or closed before the whole answer came. A request given a
   * {@link #resend} (see {@link HttpProxy}: no body, idempotent, sent on a connection that had
   * answered before) on which nothing at all came back, failing within {@link #RESEND_WITHIN}, is
   * sent again instead of failing: the app most likely closed the idle connection as the request
   * went out (a keep-alive timeout, a restart), before it could have read it.
   */
  void backendFailed(Throwable cause) {
    if (finish()) {
      backend.close();
      if (resend != null && !readAnything && !body.clientHasGone() && System.nanoTime() - sentNanos <= RESEND_WITHIN.toNanos()) {
        releaseBackend();
        resend.accept(cause);
        return;
      }
      body.abandon();
      releaseBackend();
      if (headSent) {
        client.close();
      }
      if (body.clientHasGone()) {
        outcome.clientClosed();
      } else {
        outcome.failed(cause, headSent);
      }
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
    client.channel().closeFuture().removeListener(clientClosed);
    return true;
  }

  private void releaseBackend() {
    if (backend.pipeline().get(RelayHandler.class) == this) {
      backend.pipeline().remove(this);
    }
    backend.config().setAutoRead(true); // a paused connection goes back to the pool reading
    if (pool != null) {
      pool.release(backend, backendKeepAlive && answered);
    } else {
      backend.close();
    }
  }
}
