package dev.pilotlight.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Chooses a connection's protocol and builds its pipeline: HTTP/1.1 ({@link GatewayServer#http1})
 * or HTTP/2, where every stream is a child channel with its own small pipeline ending in the same
 * router ({@link GatewayServer#http2Stream}). Cleartext connections are told apart by the first
 * bytes (HTTP/2's 24-byte connection preface, RFC 9113 §3.4); TLS connections by ALPN.
 */
final class Protocols {
  /** Streams a client may have open at once on one connection (RFC 9113 recommends at least 100). */
  static final int MAX_CONCURRENT_STREAMS = 100;

  private final GatewayConfig config;
  private final GatewayHandler router;

  Protocols(GatewayConfig config, GatewayHandler router) {
    this.config = config;
    this.router = router;
  }

  ChannelHandler negotiator() {
    return new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
      @Override
      protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
          http2(ctx);
        } else {
          GatewayServer.http1(ctx.pipeline(), config, router);
        }
      }
    };
  }

  ChannelHandler sniffer() {
    return new PrefaceSniffer();
  }

  private void http2(ChannelHandlerContext ctx) {
    Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
        .build();
    ctx.pipeline().addLast(codec, new IdleConnections(codec, config), new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        GatewayServer.http2Stream(stream.pipeline(), config, router);
      }
    }));
  }

  /**
   * Reads until the first bytes either are HTTP/2's connection preface or cannot be, then puts the
   * matching pipeline in its place (the bytes read so far go on to it). A connection that sends
   * nothing is closed after the idle timeout, as an HTTP/1.1 one is.
   */
  private final class PrefaceSniffer extends ByteToMessageDecoder {
    private ScheduledFuture<?> idle;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      idle = ctx.executor().schedule(() -> {
        ctx.close();
      }, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
      try {
        int n = Math.min(in.readableBytes(), preface.readableBytes());
        boolean h2 = ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
        if (h2 && n < preface.readableBytes()) {
          return; // a prefix of the preface: wait for more
        }
        idle.cancel(false);
        if (h2) {
          http2(ctx);
        } else {
          GatewayServer.http1(ctx.pipeline(), config, router);
        }
        ctx.pipeline().remove(this); // hands what was read to the new pipeline
      } finally {
        preface.release();
      }
    }
  }

  /**
   * Closes an HTTP/2 connection that has had no open stream for the idle timeout (gracefully: the
   * codec sends GOAWAY). A connection with a stream open is never closed for idling: a long
   * invocation keeps it, as on HTTP/1.1.
   */
  private static final class IdleConnections extends ChannelDuplexHandler {
    private final Http2FrameCodec codec;
    private final long idleNanos;
    private IdleStateHandler watch;

    IdleConnections(Http2FrameCodec codec, GatewayConfig config) {
      this.codec = codec;
      this.idleNanos = config.idleTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      watch = new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS);
      ctx.pipeline().addBefore(ctx.name(), null, watch);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent && codec.connection().numActiveStreams() == 0) {
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
