package dev.pilotlight.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Forwards a request to an {@code http} instance over a pooled keep-alive connection and streams
 * the response back to the client chunk by chunk as it arrives.
 */
public final class HttpProxy implements AutoCloseable {
  private final AbstractChannelPoolMap<InetSocketAddress, SimpleChannelPool> pools;

  public HttpProxy(EventLoopGroup group) {
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
    this.pools = new AbstractChannelPoolMap<>() {
      @Override
      protected SimpleChannelPool newPool(InetSocketAddress key) {
        return new SimpleChannelPool(bootstrap.clone().remoteAddress(key), new AbstractChannelPoolHandler() {
          @Override
          public void channelCreated(Channel ch) {
            ch.pipeline().addLast("codec", new HttpClientCodec());
          }
        });
      }
    };
  }

  /**
   * Sends {@code req} (which this method releases) to {@code target} as {@code uri} and relays the
   * answer to {@code client}; {@code done} is told once how it ended.
   */
  public void forward(ChannelHandlerContext client, FullHttpRequest req, String uri, InetSocketAddress target, Duration timeout, ProxyOutcome done) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    ChannelPool pool = pools.get(target);
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
    pool.acquire().addListener(f -> {
      if (!f.isSuccess()) {
        out.release();
        done.failed(f.cause(), false);
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

  /** Forgets pooled connections to an instance that is gone. */
  public void forget(InetSocketAddress target) {
    if (pools.contains(target)) {
      pools.remove(target);
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
    pools.close();
  }
}
