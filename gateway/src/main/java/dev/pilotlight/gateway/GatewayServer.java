package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The daemon's HTTP front door on one port: HTTP/1.1 and HTTP/2 (h2c with prior knowledge in
 * cleartext, h2 by ALPN over TLS) decoding, keep-alive, timeouts and the request size limit, in
 * front of a router built by the server's wiring (a {@link GatewayHandler}), which sees the same
 * requests whatever the protocol.
 */
public final class GatewayServer implements AutoCloseable {
  private final Channel channel;

  private GatewayServer(Channel channel) {
    this.channel = channel;
  }

  /** Binds and starts serving; throws if the port is taken. {@code router} is shared by every connection. */
  public static GatewayServer start(GatewayConfig config, EventLoopGroup boss, EventLoopGroup workers, GatewayHandler router) {
    Channel ch = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            Protocols protocols = new Protocols(config, router);
            if (config.tls() != null) {
              // ALPN picks the protocol (h2 if the client offers it, else HTTP/1.1)
              // a plain HTTP request on this port gets a 400 that says so, not a reset
              c.pipeline().addLast(new PlainHttpOnTlsPort(), config.tls().newHandler(c.alloc()), protocols.negotiator());
            } else {
              // cleartext: HTTP/2 with prior knowledge (h2c) is told apart by its connection preface
              c.pipeline().addLast(protocols.sniffer());
            }
          }
        })
        .bind(new InetSocketAddress(config.host(), config.port()))
        .syncUninterruptibly()
        .channel();
    return new GatewayServer(ch);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  /**
   * The HTTP/1.1 pipeline of a connection, after TLS and protocol selection. Requests are put in
   * order as parts (head, body parts); those whose body streams leave before the aggregator
   * ({@link StreamedRequests}), the others are aggregated within the size limit.
   */
  static void http1(ChannelPipeline p, GatewayConfig config, GatewayHandler router) {
    p.addLast(new GatewayCodec(), new LingeringClose(), router.exchangeCounter(), new ConnectionTimeouts(config.idleTimeout(), config.bodyTimeout()), new HttpServerKeepAliveHandler(),
        new InOrderRequests(), new StreamedRequests(router), new LimitedAggregator(config.maxRequestBytes()), router);
  }

  /**
   * The pipeline of one HTTP/2 stream: one request, to the same router as on HTTP/1.1. As there,
   * a function URL call to an {@code http} app streams its body ({@link StreamedRequests}; HTTP/2's
   * flow control holds the client back while the instance is not reading) and every other request
   * is aggregated within the size limit. No ordering is needed: a stream carries one request.
   */
  static void http2Stream(ChannelPipeline p, GatewayConfig config, GatewayHandler router) {
    p.addLast(new Http2ToHttpObjects(), router.exchangeCounter(), new StreamedRequests(router), new LimitedAggregator(config.maxRequestBytes()),
        router);
  }

  /**
   * HTTP/2 frames to the HTTP/1.1 objects the routes read, as Netty's codec makes them, without the
   * {@code x-http2-*} headers it adds for its own use (no app or function should see them), and
   * with the target's raw non-ASCII bytes percent-encoded ({@link RequestTargets}).
   */
  static final class Http2ToHttpObjects extends Http2StreamFrameToHttpObjectCodec {
    private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSION_HEADERS = HttpConversionUtil.ExtensionHeaderNames.values();

    Http2ToHttpObjects() {
      super(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, frame, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest r) {
          for (HttpConversionUtil.ExtensionHeaderNames n : EXTENSION_HEADERS) {
            r.headers().remove(n.text());
          }
          RequestTargets.normalize(r);
        }
      }
    }
  }

  /** Answers an oversized body with our JSON 413 that states the limit, instead of Netty's bare one. */
  static final class LimitedAggregator extends HttpObjectAggregator {
    private final int max;

    LimitedAggregator(int max) {
      super(max);
      this.max = max;
    }

    /** The 413 for {@code oversized}, in the Lambda API's shape on its paths (x-amzn-ErrorType: RequestTooLargeException). */
    private FullHttpResponse tooLarge(HttpMessage oversized) {
      var tooLarge = new Failure.PayloadTooLarge(String.format(java.util.Locale.ROOT, "request body is over the %.1f MB limit", max / (1024.0 * 1024)));
      boolean lambdaApi = oversized instanceof HttpRequest r && LambdaApi.isLambdaApiPath(r.uri());
      return lambdaApi ? AwsErrorResponses.of(tooLarge) : ErrorResponses.of(tooLarge);
    }

    /** A client that expects 100-continue for a body declared over the limit gets the same 413 (Netty's own has no body), then the close. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      Object netty = super.newContinueResponse(start, maxContentLength, pipeline);
      if (netty instanceof HttpResponse r && r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
        ReferenceCountUtil.release(netty);
        FullHttpResponse res = tooLarge(start);
        res.headers().set("Connection", "close");
        HttpUtil.setContentLength(res, res.content().readableBytes());
        return res;
      }
      return netty;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      var res = tooLarge(oversized);
      // As Netty's own handler does: a client that is still sending can keep its connection only
      // if it is keep-alive (the rest of its body is then discarded); otherwise close after the 413.
      boolean close = oversized instanceof FullHttpMessage
          || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
      res.headers().set("Connection", close ? "close" : "keep-alive");
      HttpUtil.setContentLength(res, res.content().readableBytes());
      var written = ctx.writeAndFlush(res);
      written.addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }
  }
}
