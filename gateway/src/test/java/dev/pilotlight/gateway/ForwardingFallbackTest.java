package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.gateway.proxy.HttpProxy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call whose daemon cannot be reached is served here, as the client sent it: the proxy changes
 * the head it sends on (hop-by-hop headers out, {@code X-Forwarded-*} in), so forwarding must hand
 * it a copy. Real sockets: a gateway-like server forwarding to a port nothing listens on.
 */
class ForwardingFallbackTest {
  private EventLoopGroup group;
  private HttpProxy proxy;
  private Channel server;
  private final CompletableFuture<HttpHeaders> servedHere = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    proxy = new HttpProxy(group);
    InetSocketAddress nobody;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()); // closed again: refused
    }
    InetSocketAddress elsewhere = nobody;
    Forwarding forwarding = new Forwarding("node-a", proxy, function -> elsewhere);
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new SimpleChannelInboundHandler<FullHttpRequest>(false) {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                boolean sent = forwarding.forward(ctx, req, "hello", here -> {
                  servedHere.complete(here.headers().copy());
                  var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                      Unpooled.copiedBuffer("served here", StandardCharsets.UTF_8));
                  HttpUtil.setContentLength(res, res.content().readableBytes());
                  here.release();
                  ctx.writeAndFlush(res);
                });
                assertThat(sent).isTrue();
              }
            });
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().sync();
    proxy.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void aCallTheOtherDaemonCannotTakeIsServedHereWithTheHeadersItCameWith() throws Exception {
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    HttpResponse<String> res = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fn/hello/")).header("X-Forwarded-For", "10.1.2.3")
            .header("X-Forwarded-Host", "example.com").header("Expect-Nothing", "1").header("Trailer", "X-Checksum").build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("served here");
    HttpHeaders seen = servedHere.get(10, TimeUnit.SECONDS);
    assertThat(seen.getAll("X-Forwarded-For")).containsExactly("10.1.2.3"); // not the proxy's chain with this client added
    assertThat(seen.get("X-Forwarded-Host")).isEqualTo("example.com");
    assertThat(seen.contains("X-Forwarded-Proto")).isFalse();
    assertThat(seen.get("Trailer")).isEqualTo("X-Checksum"); // a hop-by-hop header, still here for this hop
    assertThat(seen.get(Forwarding.HEADER)).isEqualTo("node-a"); // marked, so it is not forwarded again
  }
}
