package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 on the gateway's one port, cleartext with prior knowledge (h2c): streams of one connection
 * are served side by side (a quick answer overtakes a slow one asked before it), each reaches the
 * same router as an HTTP/1.1 request would, request bodies arrive whole, and HTTP/1.1 still works
 * on the same port.
 */
class Http2Test {
  EventLoopGroup boss;
  EventLoopGroup workers;
  GatewayServer server;
  final List<String> answered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    // answers "<method> <path> <body length> <host>", "/slow…" 300 ms later
    GatewayHandler.FunctionUrls urls = (ctx, req, function, path, rawQuery) -> {
      String text = path.equals("/header-names") ? String.join(",", new java.util.TreeSet<>(req.headers().names()))
          : req.method() + " " + path + " " + req.content().readableBytes() + " " + function;
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      req.release();
      Runnable send = () -> {
        answered.add(path);
        Responses.sendOnLoop(ctx, true, res);
      };
      if (path.startsWith("/slow")) {
        ctx.executor().schedule(send, 300, TimeUnit.MILLISECONDS);
      } else {
        send.run();
      }
    };
    GatewayHandler.Api none = (ctx, req, path, query) -> {
      throw new AssertionError("not used");
    };
    GatewayHandler router = new GatewayHandler(urls, none, none, () -> "", new OpenAdmission(), List.of());
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, 1024 * 1024), boss, workers, router);
  }

  @AfterEach
  void stop() {
    server.close();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** One HTTP/2 connection (prior knowledge) to the gateway. */
  private Channel connect() throws InterruptedException {
    return new Bootstrap().group(workers).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}
        }));
      }
    }).connect("127.0.0.1", server.port()).sync().channel();
  }

  /** Sends one request on a new stream; completes with "status body" once the stream ends. */
  private CompletableFuture<String> request(Channel connection, String method, String path, String host, byte[] body) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    StringBuilder got = new StringBuilder();
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame h) {
          got.append(h.headers().status()).append(' ');
          if (h.isEndStream()) {
            answer.complete(got.toString().trim());
          }
        } else if (frame instanceof Http2DataFrame d) {
          got.append(d.content().toString(StandardCharsets.UTF_8));
          if (d.isEndStream()) {
            answer.complete(got.toString());
          }
        }
      }
    }).open().sync().getNow();
    var headers = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(host);
    boolean hasBody = body != null;
    stream.write(new DefaultHttp2HeadersFrame(headers, !hasBody));
    if (hasBody) {
      stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
    }
    stream.flush();
    return answer;
  }

  @Test
  void streamsOfOneConnectionAreServedSideBySideAndReachTheRouterAsHttp11RequestsDo() throws Exception {
    Channel connection = connect();
    try {
      var slow = request(connection, "GET", "/fn/f/slow", "127.0.0.1", null);
      var quick = request(connection, "GET", "/fn/f/quick?x=1", "127.0.0.1", null);
      var posted = request(connection, "POST", "/fn/g/upload", "127.0.0.1", new byte[70_000]); // several DATA frames
      var byHost = request(connection, "GET", "/by-host", "hello.localhost", null);
      assertThat(quick.get(5, TimeUnit.SECONDS)).isEqualTo("200 GET /quick 0 f");
      assertThat(posted.get(5, TimeUnit.SECONDS)).isEqualTo("200 POST /upload 70000 g");
      assertThat(byHost.get(5, TimeUnit.SECONDS)).isEqualTo("200 GET /by-host 0 hello");
      assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("200 GET /slow 0 f");
      assertThat(answered.getLast()).as("the slow stream did not hold the others up").isEqualTo("/slow");
    } finally {
      connection.close().sync();
    }
  }

  @Test
  void nettysOwnHttp2HeadersStayOutAndRawNonAsciiBytesInThePathArePercentEncoded() throws Exception {
    Channel connection = connect();
    try {
      String names = request(connection, "GET", "/fn/f/header-names", "127.0.0.1", null).get(5, TimeUnit.SECONDS);
      assertThat(names).startsWith("200 ").doesNotContainIgnoringCase("x-http2");
      // the UTF-8 bytes of "é" as they come on the wire, one character per byte
      assertThat(request(connection, "GET", "/fn/f/caf\u00c3\u00a9?q=\u00c3\u00a9", "127.0.0.1", null).get(5, TimeUnit.SECONDS))
          .isEqualTo("200 GET /caf%C3%A9 0 f");
    } finally {
      connection.close().sync();
    }
  }

  @Test
  void anUnknownRouteGetsItsJsonErrorOverHttp2AndHttp11StillWorksOnThePort() throws Exception {
    Channel connection = connect();
    try {
      assertThat(request(connection, "GET", "/nowhere", "127.0.0.1", null).get(5, TimeUnit.SECONDS)).startsWith("404 {\"");
    } finally {
      connection.close().sync();
    }
    var http11 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    var r = http11.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/fn/f/plain")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).isEqualTo("GET /plain 0 f");
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
    server.close();
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, 1024 * 1024, null, java.time.Duration.ofMillis(200),
        java.time.Duration.ofSeconds(5)), boss, workers, new GatewayHandler((ctx, req, f, p, q) -> req.release(), (c, r, p, q) -> {},
            (c, r, p, q) -> {}, () -> "", new OpenAdmission(), List.of()));
    try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      assertThat(socket.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    }
  }
}
