package dev.pilotlight.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
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
 * pace the app can accept, {@link InstanceConnections}) and streams the response back to the client
 * chunk by chunk as it arrives.
 */
public final class HttpProxy implements AutoCloseable {
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
            ch.pipeline().addLast("codec", new HttpClientCodec());
          }
        });
  }

  /**
   * Sends {@code req} (which this method releases) to {@code target} as {@code uri} and relays the
   * answer to {@code client}; {@code done} is told once how it ended.
   */
  public void forward(ChannelHandlerContext client, FullHttpRequest req, String uri, InetSocketAddress target, Duration timeout, ProxyOutcome done) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    InstanceConnections pool = instances.computeIfAbsent(target, t -> new InstanceConnections(bootstrap.clone().remoteAddress(t)));
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, req.method(), uri, req.content().retainedDuplicate());
    copyEndToEnd(req.headers(), out.headers());
    String clientIp = client.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "127.0.0.1";
    out.headers().add("X-Forwarded-For", clientIp);
    out.headers().set("X-Forwarded-Proto", "http");
    if (req.headers().contains(HttpHeaderNames.HOST)) {
      out.headers().set("X-Forwarded-Host", req.headers().get(HttpHeaderNames.HOST));
    }
    HttpUtil.setContentLength(out, out.content().readableBytes());
    out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    req.release();
    Promise<Channel> connection = client.executor().newPromise();
    // a request that waits for a connection (all taken, none may be opened yet) waits at most its timeout
    var waitLimit = client.executor().schedule(() -> connection.tryFailure(new WaitedTooLong()), timeout.toMillis(), TimeUnit.MILLISECONDS);
    pool.acquire(connection).addListener(f -> {
      waitLimit.cancel(false);
      if (!f.isSuccess()) {
        out.release();
        if (f.cause() instanceof WaitedTooLong) {
          done.timedOut(false);
        } else {
          done.failed(f.cause(), false);
        }
        return;
      }
      Channel backend = (Channel) f.getNow();
      RelayHandler relay = new RelayHandler(client, backend, pool, keepAlive, done);
      backend.pipeline().addLast("relay", relay);
      relay.armTimeout(timeout);
      backend.writeAndFlush(out).addListener(w -> {
        if (!w.isSuccess()) {
          relay.backendFailed(w.cause());
        }
      });
    });
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
    String connectionTokens = from.get(HttpHeaderNames.CONNECTION, "");
    for (var h : from) {
      String name = h.getKey();
      if (isHopByHop(name) || connectionTokens.toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT))) {
        continue;
      }
      to.add(name, h.getValue());
    }
  }

  /** RFC 9110 §7.6.1: headers meant for one connection, never forwarded. */
  static boolean isHopByHop(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
          "transfer-encoding", "upgrade" -> true;
      default -> false;
    };
  }

  @Override
  public void close() {
    instances.values().forEach(InstanceConnections::close);
    instances.clear();
  }
}
