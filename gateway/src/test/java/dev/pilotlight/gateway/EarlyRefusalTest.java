package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request whose head already earns a refusal is answered before its body is read, and the
 * connection closed: the daemon never holds, up to the upload limit, the body of a caller it would
 * refuse. Each test sends a head that announces a large body and sends none of it: without the
 * early answer the gateway would wait for the body (and the socket's read would time out).
 */
class EarlyRefusalTest {
  static final int LIMIT = 64 * 1024 * 1024;

  EventLoopGroup group;
  GatewayServer server;
  final AtomicInteger served = new AtomicInteger();

  /** Lets through only a control API request carrying {@code Authorization: Bearer good}. */
  static final class HeadAdmission implements GatewayHandler.Admission {
    private static Optional<FullHttpResponse> token(HttpRequest r) {
      return "Bearer good".equals(r.headers().get("Authorization")) ? Optional.empty()
          : Optional.of(ErrorResponses.json(HttpResponseStatus.UNAUTHORIZED, Map.of("error", "Unauthorized", "message", "no token")));
    }

    @Override
    public Optional<FullHttpResponse> controlApi(FullHttpRequest req, String path) {
      return token(req);
    }

    @Override
    public Optional<FullHttpResponse> controlApiHead(HttpRequest head, String path) {
      return token(head);
    }

    @Override
    public Optional<FullHttpResponse> lambdaApi(FullHttpRequest req, String path) {
      return Optional.empty();
    }

    @Override
    public Optional<FullHttpResponse> metrics(FullHttpRequest req) {
      return Optional.empty();
    }

    @Override
    public Optional<FullHttpResponse> functionUrl(HttpRequest req, String function) {
      return Optional.empty();
    }
  }

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    GatewayHandler.Api api = (ctx, req, path, query) -> {
      served.incrementAndGet();
      Responses.send(ctx, req, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer("got " + req.content().readableBytes(), StandardCharsets.UTF_8)));
      req.release();
    };
    GatewayHandler.FunctionUrls urls = (ctx, req, function, path, rawQuery) -> api.handle(ctx, req, path, null);
    GatewayHandler router = new GatewayHandler(urls, api, api, () -> "", new HeadAdmission(), List.of())
        .urlBodyLimit(name -> name.equals("f") ? 10 : GatewayHandler.NO_SUCH_FUNCTION);
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, LIMIT), group, group, router);
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
  }

  private String exchange(String head, byte[] body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(body);
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to the close
    }
  }

  @Test
  void anUploadWithoutCredentialsIsRefusedOnItsHeadAndTheConnectionClosed() throws Exception {
    String answer = exchange("PUT /api/v1/functions/x HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n", new byte[0]);
    assertThat(answer).startsWith("HTTP/1.1 401").contains("connection: close").contains("no token");
    String chunked = exchange("PUT /api/v1/functions/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", new byte[0]);
    assertThat(chunked).startsWith("HTTP/1.1 401");
    assertThat(served).hasValue(0);
  }

  @Test
  void aClientStillSendingItsUploadReadsTheRefusalAndItsSendsDoNotFail() throws Exception {
    // Closing with the upload still coming would reset the connection (LingeringClose): the
    // client's sends would fail and it might not get to read the answer.
    byte[] upload = new byte[8 * 1024 * 1024];
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("PUT /api/v1/functions/x HTTP/1.1\r\nHost: x\r\nContent-Length: " + upload.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        var sent = java.util.concurrent.CompletableFuture.runAsync(() -> {
          try {
            s.getOutputStream().write(upload);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).as("attempt %d", i).startsWith("HTTP/1.1 401");
        sent.get(30, java.util.concurrent.TimeUnit.SECONDS); // completed, not failed by a reset
      }
    }
  }

  @Test
  void anUploadWithCredentialsIsReadAndServed() throws Exception {
    String answer = exchange("PUT /api/v1/functions/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Length: 5\r\n"
        + "Connection: close\r\n\r\n", "hello".getBytes(StandardCharsets.US_ASCII));
    assertThat(answer).startsWith("HTTP/1.1 200").endsWith("got 5");
  }

  @Test
  void aBodyWhereNoRouteReadsOneIsRefusedPastASmallSize() throws Exception {
    String big = exchange("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + (GatewayHandler.UNREAD_BODY_LIMIT + 1) + "\r\n\r\n",
        new byte[0]);
    assertThat(big).startsWith("HTTP/1.1 413").contains("reads none");
    String small = exchange("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n",
        "abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(small).startsWith("HTTP/1.1 200").endsWith("ok\n");
  }

  @Test
  void aFunctionUrlAndALambdaApiCallTheAdmissionLetsThroughAreRead() throws Exception {
    String url = exchange("POST /fn/f/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n",
        "abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(url).startsWith("HTTP/1.1 200").endsWith("got 3");
    String lambda = exchange("POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
        "{}".getBytes(StandardCharsets.US_ASCII));
    assertThat(lambda).startsWith("HTTP/1.1 200").endsWith("got 2");
  }

  @Test
  void aFunctionUrlCallIsRefusedOnItsHeadWhenTheFunctionCannotTakeItsBody() throws Exception {
    String tooLarge = exchange("POST /fn/f/ HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", new byte[0]);
    assertThat(tooLarge).startsWith("HTTP/1.1 413").contains("function URL call");
    String unknown = exchange("POST /fn/nope/ HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n", new byte[0]);
    assertThat(unknown).startsWith("HTTP/1.1 404");
    assertThat(served).hasValue(0);
  }

  @Test
  void aChunkedBodyToAFunctionUrlIsRefusedOnceItPassesTheFunctionsLimitNotThePorts() throws Exception {
    // the function takes 10 bytes: 8 + 8 in two chunks are refused at the second, before the port's limit
    String over = exchange("POST /fn/f/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(over).startsWith("HTTP/1.1 413").contains("over the 10 bytes limit of a function URL call").containsIgnoringCase("connection: close");
    assertThat(served).hasValue(0);
    // within it, and the next request on the connection, are served as before
    String within = exchange("POST /fn/f/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        ("5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\nPOST /fn/f/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "8\r\n12345678\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(within).startsWith("HTTP/1.1 200").contains("got 10").endsWith("got 8");
    assertThat(served).hasValue(2);
  }
}
