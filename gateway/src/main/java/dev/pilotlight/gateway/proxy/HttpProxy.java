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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Forwards a request to an {@code http} instance over a pooled keep-alive connection (opened at a
 * pace the app can accept, {@link InstanceConnections}), its body as it arrives ({@link StreamedBody}),
 * and streams the response back to the client chunk by chunk as it arrives. A WebSocket upgrade
 * goes over a connection of its own and, once the app accepts it, becomes a byte tunnel.
 */
public final class HttpProxy implements AutoCloseable {
  static final String CODEC = "codec";

  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, InstanceConnections> instances = new ConcurrentHashMap<>();

  public HttpProxy(EventLoopGroup group) {
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(CODEC, new HttpClientCodec());
          }
        });
  }

  /**
   * Sends {@code head} to {@code target} as {@code uri}, its body as {@code body} delivers it, and
   * relays the answer to {@code client}; {@code done} is told once how it ended. The instance has
   * {@code timeout} to answer; a WebSocket upgrade it accepts becomes a tunnel that closes after
   * {@code tunnelIdle} without traffic (the timeout no longer applies).
   */
  public void forward(ChannelHandlerContext client, HttpRequest head, StreamedBody body, String uri, InetSocketAddress target,
      Duration timeout, Duration tunnelIdle, ProxyOutcome done) {
    boolean keepAlive = HttpUtil.isKeepAlive(head);
    boolean upgrade = isWebSocketUpgrade(head);
    HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), uri);
    copyEndToEnd(head.headers(), out.headers());
    String clientIp = client.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "127.0.0.1";
    // Host goes on unchanged, so no X-Forwarded-Host: it would repeat it (every header costs the app its
    // parsing); one the client sent is dropped, as an app behind a proxy may trust it over Host.
    out.headers().remove("X-Forwarded-Host");
    // the client's chain, its lines joined (a list is made only when it sent one), then the client
    String sent = out.headers().contains("X-Forwarded-For") ? String.join(", ", out.headers().getAll("X-Forwarded-For")) : null;
    out.headers().set("X-Forwarded-For", Forwarded.forwardedFor(sent, clientIp));
    out.headers().set("X-Forwarded-Proto", Forwarded.scheme(client.channel()));
    if (!HttpUtil.isContentLengthSet(out) && HttpUtil.isTransferEncodingChunked(head)) {
      HttpUtil.setTransferEncodingChunked(out, true);
    }
    boolean expectsContinue = HttpUtil.is100ContinueExpected(head);
    out.headers().remove(HttpHeaderNames.EXPECT); // answered here once the instance connection is there
    if (upgrade) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      out.headers().set(HttpHeaderNames.UPGRADE, head.headers().get(HttpHeaderNames.UPGRADE));
    } // else no Connection header: an HTTP/1.1 connection stays open by default (RFC 9112 §9.3)
    InstanceConnections pool = upgrade ? null : instances.computeIfAbsent(target, t -> new InstanceConnections(bootstrap.clone().remoteAddress(t)));
    Promise<Channel> connection = client.executor().newPromise();
    // a request that waits for a connection (all taken, none may be opened yet) waits at most its timeout
    var waitLimit = client.executor().schedule(() -> connection.tryFailure(new WaitedTooLong()), timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (pool != null) {
      pool.acquire(connection);
    } else {
      // A connection of its own, on the client's event loop: it is never given back to the pool,
      // and the tunnel it may become runs both sides on one loop.
      bootstrap.clone(client.channel().eventLoop()).connect(target)
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
    connection.addListener(f -> { // on the client's event loop
      waitLimit.cancel(false);
      if (!f.isSuccess()) {
        body.abandon();
        if (f.cause() instanceof WaitedTooLong) {
          done.timedOut(false);
        } else {
          done.failed(f.cause(), false);
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
      RelayHandler relay = new RelayHandler(client, backend, pool, keepAlive, body, upgrade ? tunnelIdle : null, done);
      backend.pipeline().addLast(relay);
      relay.armTimeout(timeout);
      if (expectsContinue && !body.received()) {
        client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      }
      body.attach(backend, out);
    });
  }

  /** A request to switch to the WebSocket protocol (RFC 6455 §4.1), which may become a tunnel. */
  static boolean isWebSocketUpgrade(HttpRequest head) {
    return head.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
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

  static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
    String connection = from.get(HttpHeaderNames.CONNECTION);
    String connectionTokens = connection == null ? null : connection.toLowerCase(Locale.ROOT); // once per message, not per header
    for (var h : from) {
      String name = h.getKey();
      if (isHopByHop(name) || connectionTokens != null && connectionTokens.contains(name.toLowerCase(Locale.ROOT))) {
        continue;
      }
      to.add(name, h.getValue());
    }
  }

  /** RFC 9110 §7.6.1: headers meant for one connection, never forwarded. Compared without a lower-cased copy per header. */
  static boolean isHopByHop(String name) {
    return switch (name.length()) {
      case 2 -> name.equalsIgnoreCase("te");
      case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
      case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16 -> name.equalsIgnoreCase("proxy-connection");
      case 17 -> name.equalsIgnoreCase("transfer-encoding");
      case 18 -> name.equalsIgnoreCase("proxy-authenticate");
      case 19 -> name.equalsIgnoreCase("proxy-authorization");
      default -> false;
    };
  }

  @Override
  public void close() {
    instances.values().forEach(InstanceConnections::close);
    instances.clear();
  }
}
