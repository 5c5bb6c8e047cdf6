package dev.pilotlight.gateway;

import static dev.pilotlight.testing.WireText.chunk;
import static dev.pilotlight.testing.WireText.readUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.gateway.proxy.ProxyOutcome;
import dev.pilotlight.gateway.proxy.StreamedBody;
import dev.pilotlight.testing.WebSocketTexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request bodies streamed to an {@code http} app and WebSocket tunnels, on a real gateway with a
 * small request size limit in front of real backends: the JDK's HttpServer (which counts what it
 * reads and reports its progress while reading) and a Netty WebSocket echo. Function {@code app}
 * and {@code ws} stream; function {@code agg} is aggregated as Lambda-style functions are.
 */
class StreamingProxyTest {
  static final int LIMIT = 64 * 1024;

  EventLoopGroup boss;
  EventLoopGroup workers;
  HttpProxy proxy;
  GatewayServer server;
  HttpServer app;
  Channel wsApp;
  final LinkedBlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.setExecutor(Executors.newCachedThreadPool());
    app.createContext("/count", ex -> {
      long n = ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
      byte[] out = Long.toString(n).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    app.createContext("/headers", ex -> { // the request's headers as the app got them, a line each, sorted
      var lines = new java.util.TreeSet<String>();
      ex.getRequestHeaders().forEach((name, values) -> lines.add(name.toLowerCase(java.util.Locale.ROOT) + ": " + String.join("|", values)));
      byte[] out = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    app.createContext("/progress", ex -> { // answers at once, then a line per read, then the total
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      InputStream in = ex.getRequestBody();
      byte[] buf = new byte[8192];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        out.write(("got " + total + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      out.write(("total " + total + "\n").getBytes(StandardCharsets.UTF_8));
      ex.close();
    });
    app.start();
    wsApp = new ServerBootstrap().group(workers).channel(NioServerSocketChannel.class).childHandler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel c) {
        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new WebSocketServerProtocolHandler("/echo"),
            new WebSocketFrameAggregator(1 << 20),
            new SimpleChannelInboundHandler<TextWebSocketFrame>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                if (frame.text().equals("close-me")) {
                  ctx.writeAndFlush(new CloseWebSocketFrame(1000, "server")).addListener(ChannelFutureListener.CLOSE);
                } else {
                  ctx.writeAndFlush(new TextWebSocketFrame(frame.text()));
                }
              }
            });
      }
    }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();

    proxy = new HttpProxy(workers);
    GatewayHandler.FunctionUrls aggregated = (ctx, req, function, path, rawQuery) -> {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer("aggregated " + path + " " + req.content().readableBytes(), StandardCharsets.UTF_8));
      Responses.send(ctx, req, res);
      req.release();
    };
    GatewayHandler.StreamedUrls streamed = new GatewayHandler.StreamedUrls() {
      @Override
      public boolean streams(String function) {
        return !function.equals("agg");
      }

      @Override
      public GatewayHandler.BodySink serve(ChannelHandlerContext ctx, HttpRequest head, String function, String path, String rawQuery) {
        StreamedBody body = new StreamedBody(ctx.channel());
        InetSocketAddress target = function.equals("ws") ? (InetSocketAddress) wsApp.localAddress() : app.getAddress();
        proxy.forward(ctx, head, body, path, target, Duration.ofSeconds(30), Duration.ofSeconds(30), recording());
        return FunctionInvoker.sinkInto(body);
      }
    };
    GatewayHandler.Api none = (ctx, req, path, query) -> {
      throw new AssertionError("not used");
    };
    GatewayHandler router = new GatewayHandler(aggregated, streamed, none, none, () -> "", new OpenAdmission(), List.of());
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, LIMIT), boss, workers, router);
  }

  private ProxyOutcome recording() {
    return new ProxyOutcome() {
      @Override
      public void completed(int status) {
        outcomes.add("completed " + status);
      }

      @Override
      public void failed(Throwable cause, boolean responseStarted) {
        outcomes.add("failed " + cause);
      }

      @Override
      public void timedOut(boolean responseStarted, boolean instanceAtFault) {
        outcomes.add(instanceAtFault ? "timed out, instance at fault" : "timed out");
      }

      @Override
      public void clientClosed() {
        outcomes.add("client closed");
      }
    };
  }

  @AfterEach
  void stop() {
    server.close();
    proxy.close();
    app.stop(0);
    wsApp.close();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  @Test
  void anUploadOverTheRequestSizeLimitReachesTheApp() throws Exception {
    byte[] upload = new byte[64 * LIMIT]; // 4 MiB
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> res = http.send(java.net.http.HttpRequest.newBuilder(URI.create(url("/fn/app/count")))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo(Integer.toString(upload.length));
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 200");

    // an aggregated function keeps the limit (a raw socket: the JDK client does not read an answer that comes mid-upload)
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /fn/agg/count HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + upload.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(upload);
      assertThat(readUntil(s.getInputStream(), "\r\n\r\n")).startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void theAppGetsTheHostAsSentTheForwardedHeadersAndNoHopByHopOnes() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /fn/app/headers HTTP/1.1\r\nHost: shop.example.test\r\nConnection: keep-alive, X-Hop\r\n"
          + "Keep-Alive: timeout=5\r\nX-Hop: 1\r\nX-Forwarded-Host: forged.example.test\r\nX-Forwarded-Proto: https\r\n"
          + "X-Forwarded-For: 10.1.2.3\r\nAccept: text/plain\r\nX-Forwarded-For: 10.4.5.6\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(got).startsWith("HTTP/1.1 200");
      String body = got.substring(got.indexOf("\r\n\r\n") + 4);
      // Host unchanged (so no X-Forwarded-Host, and a forged one is dropped); the client's address after the
      // chain it sent, in one line; the scheme is the gateway's own; no Connection (HTTP/1.1 keeps the
      // connection by default). The app shows each header's lines joined by '|'.
      assertThat(body.lines()).containsExactly("accept: text/plain", "host: shop.example.test",
          "x-forwarded-for: 10.1.2.3, 10.4.5.6, 127.0.0.1", "x-forwarded-proto: http");
    }
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 200");
  }

  @Test
  void aRequestWithoutHostReachesTheAppWithOne() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /fn/app/headers HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(got).startsWith("HTTP/1.1 200");
      // the app gets HTTP/1.1, which needs a Host (RFC 9112 section 3.2): the instance's address
      assertThat(got.substring(got.indexOf("\r\n\r\n") + 4).lines()).anyMatch(l -> l.matches("host: 127\\.0\\.0\\.1:\\d+"));
    }
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 200");
  }

  @Test
  void theAppReadsTheFirstPartOfABodyBeforeTheClientSendsTheLast() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(("POST /fn/app/progress HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(1000))
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // the gate: the rest is sent only once the app said it has the first part
      String first = readUntil(in, "got 1000\n");
      assertThat(first).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
      out.write((chunk(500) + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readUntil(in, "total 1500\n")).contains("total 1500");
    }
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 200");
  }

  @Test
  void aRequestPipelinedAfterAStreamedOneIsAnsweredAfterIt() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /fn/app/count HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
          + "GET /fn/agg/second HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          + "POST /fn/app/count HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
          .getBytes(StandardCharsets.US_ASCII));
      String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      int five = got.indexOf("\r\n\r\n5");
      int second = got.indexOf("aggregated /second 0");
      int three = got.indexOf("\r\n\r\n3");
      assertThat(five).as(got).isPositive();
      assertThat(second).as(got).isGreaterThan(five);
      assertThat(three).as(got).isGreaterThan(second);
    }
  }

  @Test
  void aWebSocketTunnelsToTheAppAndClosesBothWays() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/fn/ws/echo");

    WebSocketTexts client = new WebSocketTexts();
    WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, client).get(10, TimeUnit.SECONDS);
    ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
    assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    ws.sendText("x".repeat(100_000), true).get(10, TimeUnit.SECONDS);
    assertThat(client.texts.poll(10, TimeUnit.SECONDS)).hasSize(100_000);
    // the client closes: the app sees it and answers; the tunnel ends and the request with it
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 101");

    // the app closes: the client sees it
    WebSocketTexts second = new WebSocketTexts();
    WebSocket ws2 = http.newWebSocketBuilder().buildAsync(uri, second).get(10, TimeUnit.SECONDS);
    ws2.sendText("close-me", true).get(10, TimeUnit.SECONDS);
    assertThat(second.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 101");
  }

  @Test
  void anUpgradeTheAppRefusesIsAnOrdinaryAnswer() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /fn/app/count HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String got = readUntil(s.getInputStream(), "\r\n\r\n0");
      assertThat(got).startsWith("HTTP/1.1 200");
    }
    assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("completed 200");
  }

}
