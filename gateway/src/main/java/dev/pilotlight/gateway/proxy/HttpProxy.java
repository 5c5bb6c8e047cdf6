package dev.pilotlight.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Forwards a request to an {@code http} instance over a pooled keep-alive connection (opened at a
 * pace the app can accept, {@link InstanceConnections}), its body as it arrives ({@link StreamedBody}),
 * and streams the response back to the client chunk by chunk as it arrives. A WebSocket upgrade
 * goes over a connection of its own and, once the app accepts it, becomes a byte tunnel.
 */
public final class HttpProxy implements AutoCloseable {
  static final String CODEC = "codec";
  /**
   * The largest response head an app may send, in bytes (Envoy's default is 60 KB, nginx's 4–8 KB);
   * a larger one fails the request with 502, saying so.
   */
  static final int MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, InstanceConnections> instances = new ConcurrentHashMap<>();

  public HttpProxy(EventLoopGroup group) {
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
        // A write that fails (an app that answered without reading the whole upload, then closed)
        // does not close the connection at once: the answer it already sent is still read and relayed.
        .option(ChannelOption.AUTO_CLOSE, false)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(CODEC, new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(MAX_RESPONSE_HEAD_BYTES),
                false, false));
          }
        });
  }

  /**
   * Sends {@code head} to {@code target} as {@code uri}, its body as {@code body} delivers it, and
   * relays the answer to {@code client}; {@code done} is told once how it ended. The instance has
   * {@code timeout} to answer; a WebSocket upgrade it accepts becomes a tunnel that closes after
   * {@code tunnelIdle} without traffic (the timeout no longer applies). {@code head}'s headers are
   * sent on in place, not copied: its hop-by-hop headers are taken out and the {@code X-Forwarded-*}
   * ones set, so a caller that needs the request as it came reads it first or passes a copy.
   */
  public void forward(ChannelHandlerContext client, HttpRequest head, StreamedBody body, String uri, InetSocketAddress target,
      Duration timeout, Duration tunnelIdle, ProxyOutcome done) {
    boolean keepAlive = HttpUtil.isKeepAlive(head);
    boolean upgrade = isWebSocketUpgrade(head);
    String upgradeTo = upgrade ? head.headers().get(HttpHeaderNames.UPGRADE) : null;
    boolean chunked = !HttpUtil.isContentLengthSet(head) && head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
        && HttpUtil.isTransferEncodingChunked(head);
    boolean noBody = !chunked && HttpUtil.getContentLength(head, 0L) == 0;
    boolean expectsContinue = HttpUtil.is100ContinueExpected(head);
    // The client's headers go on in their own object, not copied (a copy validated every name and
    // value again): only the hop-by-hop ones are taken out of it, so read what the head says first.
    HttpHeaders headers = head.headers();
    removeHopByHop(headers);
    HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), uri, headers);
    String clientIp = Forwarded.clientIp(client.channel());
    // Host goes on unchanged, so no X-Forwarded-Host: it would repeat it (every header costs the app its
    // parsing); one the client sent is dropped, as an app behind a proxy may trust it over Host.
    headers.remove("X-Forwarded-Host");
    if (!headers.contains(HttpHeaderNames.HOST)) {
      // an HTTP/1.0 client's, or an HTTP/2 one's without :authority: HTTP/1.1 needs one (RFC 9112 §3.2)
      headers.set(HttpHeaderNames.HOST, target.getHostString() + ":" + target.getPort());
    }
    // the client's chain, its lines joined (a list is made only when it sent one), then the client
    String sent = headers.contains("X-Forwarded-For") ? String.join(", ", headers.getAll("X-Forwarded-For")) : null;
    headers.set("X-Forwarded-For", Forwarded.forwardedFor(sent, clientIp));
    headers.set("X-Forwarded-Proto", Forwarded.scheme(client.channel()));
    if (chunked) {
      HttpUtil.setTransferEncodingChunked(out, true);
    }
    headers.remove(HttpHeaderNames.EXPECT); // answered here once the instance connection is there
    if (upgrade) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      headers.set(HttpHeaderNames.UPGRADE, upgradeTo);
    } // else no Connection header: an HTTP/1.1 connection stays open by default (RFC 9112 §9.3)
    InstanceConnections pool = upgrade ? null : instances.computeIfAbsent(target, t -> new InstanceConnections(bootstrap.clone().remoteAddress(t)));
    boolean replayable = pool != null && noBody && IDEMPOTENT.contains(head.method());
    send(new Exchange(client, out, body, pool, target, timeout, System.nanoTime() + timeout.toNanos(), upgrade ? tunnelIdle : null,
        done, keepAlive, noBody, expectsContinue, replayable), null);
  }

  /**
   * Methods a request may be sent again with when it may have reached the app (RFC 9110 §9.2.2:
   * idempotent); only a request without a body is, which the proxy can send again whole.
   */
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE,
      HttpMethod.PUT, HttpMethod.DELETE);

  /** One request on its way: what {@link #send} needs to send it, and again. */
  private record Exchange(ChannelHandlerContext client, HttpRequest out, StreamedBody body, InstanceConnections pool,
      InetSocketAddress target, Duration timeout, long deadlineNanos, Duration tunnelIdle, ProxyOutcome done, boolean keepAlive, boolean noBody,
      boolean expectsContinue, boolean replayable) {
    Duration left() {
      return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime()));
    }
  }

  /**
   * Gets {@code x} a connection and relays its exchange over it. {@code firstFailure}, when not
   * null: the request went out on an idle connection that closed before anything came back (see
   * {@link RelayHandler#backendFailed}); it now goes on a connection that is not idle, and is not
   * sent a third time. If no connection can be had for it, that first failure is what is reported:
   * an app that crashed closes its connections, then refuses new ones, and the caller looks for the
   * crash's reason after a closed connection, not after a refused one.
   */
  private void send(Exchange x, Throwable firstFailure) {
    boolean again = firstFailure != null;
    ChannelHandlerContext client = x.client();
    InstanceConnections pool = x.pool();
    Duration timeout = again ? x.left() : x.timeout(); // the first try: nothing spent yet worth a clock read
    Promise<Channel> connection = client.executor().newPromise();
    if (pool != null) {
      if (again) {
        pool.acquireFresh(connection);
      } else {
        pool.acquire(connection);
      }
    } else {
      // A connection of its own, on the client's event loop: it is never given back to the pool,
      // and the tunnel it may become runs both sides on one loop.
      bootstrap.clone(client.channel().eventLoop()).connect(x.target())
          .addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
              if (!connection.trySuccess(f.channel())) {
                f.channel().close();
              }
            } else {
              connection.tryFailure(f.cause());
            }
          });
    }
    // A request that waits for a connection (all taken, none may be opened yet) waits at most its
    // timeout; one that got an idle connection at once (the usual case) needs no timer.
    ScheduledFuture<?> waitLimit = connection.isDone() ? null
        : client.executor().schedule(() -> connection.tryFailure(new WaitedTooLong()), timeout.toMillis(), TimeUnit.MILLISECONDS);
    StreamedBody body = x.body();
    ProxyOutcome done = x.done();
    connection.addListener(f -> { // on the client's event loop
      if (waitLimit != null) {
        waitLimit.cancel(false);
      }
      if (!f.isSuccess()) {
        body.abandon();
        if (f.cause() instanceof WaitedTooLong) {
          // No connection came free or could be opened. Not proof of a hung app (slow clients may hold
          // the connections); the requests holding them get their own verdicts when their time runs out.
          done.timedOut(false, false);
        } else {
          done.failed(again ? firstFailure : f.cause(), false);
        }
        return;
      }
      Channel backend = (Channel) f.getNow();
      if (body.clientHasGone()) {
        if (pool != null) {
          pool.release(backend, true);
        } else {
          backend.close();
        }
        done.clientClosed();
        return;
      }
      Consumer<Throwable> resend = !again && x.replayable() && InstanceConnections.reused(backend) ? cause -> sendAgain(x, cause) : null;
      RelayHandler relay = new RelayHandler(client, backend, pool, x.keepAlive(), body, x.tunnelIdle(), done, x.noBody(), resend);
      backend.pipeline().addLast(relay);
      if (relay.isFinished()) {
        return; // the connection was gone already: failed, or sent again
      }
      relay.armTimeout(again ? x.left() : timeout);
      if (x.expectsContinue() && !body.received()) {
        client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      }
      body.attach(backend, x.out(), x.noBody());
    });
  }

  /**
   * Sends {@code x} again after its kept connection closed on it ({@code cause}), on the client's
   * loop; or fails it with that cause when less than half of its timeout is left (a second try
   * could then only run out of time, and a timeout with no answer blames the instance) or the
   * daemon is shutting down.
   */
  private void sendAgain(Exchange x, Throwable cause) {
    if (x.deadlineNanos() - System.nanoTime() >= x.timeout().toNanos() / 2) {
      try {
        x.client().executor().execute(() -> send(x, cause));
        return;
      } catch (RejectedExecutionException shuttingDown) {
        // failed below
      }
    }
    x.body().abandon();
    x.done().failed(cause, false);
  }

  /** A request to switch to the WebSocket protocol (RFC 6455 §4.1), which may become a tunnel. */
  static boolean isWebSocketUpgrade(HttpRequest head) {
    return head.headers().contains(HttpHeaderNames.UPGRADE) && head.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && head.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private static final class WaitedTooLong extends Exception {
    WaitedTooLong() {
      super("no connection to the instance came free within the function's timeout", null, false, false);
    }
  }

  /** Forgets pooled connections to an instance that is gone. */
  public void forget(InetSocketAddress target) {
    InstanceConnections gone = instances.remove(target);
    if (gone != null) {
      gone.close();
    }
  }

  /** The hop-by-hop headers of RFC 9110 §7.6.1. */
  private static final AsciiString[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
      HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};

  /**
   * Takes out of {@code headers} what is meant for one connection only: the hop-by-hop headers and
   * every header the {@code Connection} header names (RFC 9110 §7.6.1), whole names, in any case.
   */
  static void removeHopByHop(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      for (String line : headers.getAll(HttpHeaderNames.CONNECTION)) {
        for (String token : line.split(",")) {
          String name = token.strip();
          if (!name.isEmpty()) {
            headers.remove(name);
          }
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      headers.remove(name);
    }
  }

  @Override
  public void close() {
    instances.values().forEach(InstanceConnections::close);
    instances.clear();
  }
}
