package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 as RFC 9112 has it, on a real gateway over a raw socket: pipelined requests answered in
 * the order they came whatever each takes, every answer delivered before a {@code Connection:
 * close}, {@code HEAD} answered without a body, and a request with both {@code Content-Length} and
 * {@code Transfer-Encoding} refused with the connection closed (no second request smuggled in its body).
 */
class Http11ConformanceTest {
  EventLoopGroup boss;
  EventLoopGroup workers;
  GatewayServer server;
  final List<String> served = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    // a function URL that answers its path, "/slow…" 300 ms later, others at once
    GatewayHandler.FunctionUrls urls = (ctx, req, function, path, rawQuery) -> {
      served.add(path);
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(path, StandardCharsets.UTF_8));
      boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(req);
      req.release();
      if (path.startsWith("/slow")) {
        ctx.executor().schedule(() -> Responses.sendOnLoop(ctx, keepAlive, res), 300, TimeUnit.MILLISECONDS);
      } else {
        Responses.sendOnLoop(ctx, keepAlive, res);
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

  /** Sends {@code raw} at once and reads until the server closes the connection (or 5 s pass). */
  private String exchange(String raw) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketTimeoutException e) {
        got.write("<timeout>".getBytes(StandardCharsets.US_ASCII));
      }
      return got.toString(StandardCharsets.US_ASCII);
    }
  }

  private static String get(String path, String connection) {
    return "GET /fn/f" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (connection == null ? "" : "Connection: " + connection + "\r\n")
        + "\r\n";
  }

  /** The bodies of the answers in {@code responses}, in order (each framed by its Content-Length). */
  private static List<String> bodies(String responses) {
    List<String> out = new java.util.ArrayList<>();
    int at = 0;
    while (responses.startsWith("HTTP/1.1 ", at)) {
      int headersEnd = responses.indexOf("\r\n\r\n", at);
      Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(responses.substring(at, headersEnd));
      int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
      out.add(responses.substring(headersEnd + 4, headersEnd + 4 + length));
      at = headersEnd + 4 + length;
    }
    return out;
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheOrderTheyCame() throws Exception {
    String got = exchange(get("/slow-1", null) + get("/fast-2", null) + get("/fast-3", "close"));
    assertThat(bodies(got)).as(got).containsExactly("/slow-1", "/fast-2", "/fast-3");
    assertThat(got).doesNotContain("<timeout>");
  }

  @Test
  void everyAnswerArrivesBeforeTheConnectionCloses() throws Exception {
    String got = exchange(get("/fast-1", null) + get("/slow-2", null) + get("/fast-3", "close"));
    assertThat(bodies(got)).containsExactly("/fast-1", "/slow-2", "/fast-3");
    assertThat(got).endsWith("/fast-3");
  }

  @Test
  void aHeadAnswerHasNoBody() throws Exception {
    String got = exchange("HEAD /fn/f/head HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + get("/after", "close"));
    assertThat(got).startsWith("HTTP/1.1 200 OK");
    // the HEAD answer keeps its Content-Length but sends no body: the next bytes are the next answer
    assertThat(got.indexOf("HTTP/1.1 200", 1)).isPositive();
    assertThat(got).doesNotContain("/head").endsWith("/after");
  }

  @Test
  void aRequestWithBothContentLengthAndTransferEncodingIsRefusedAndTheConnectionClosed() throws Exception {
    String smuggled = "GET /fn/f/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    String got = exchange("POST /fn/f/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + (5 + smuggled.length())
        + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled);
    assertThat(got).startsWith("HTTP/1.1 400").containsIgnoringCase("Content-Length and Transfer-Encoding").doesNotContain("<timeout>");
    assertThat(got.indexOf("HTTP/1.1", 1)).as("one answer, then the connection closed").isEqualTo(-1);
    assertThat(served).doesNotContain("/smuggled", "/upload");
  }

  @Test
  void aTargetOrHeadersTooLongToReadGet414And431AndTheConnectionCloses() throws Exception {
    String longTarget = exchange("GET /fn/f/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(longTarget).startsWith("HTTP/1.1 414").contains("malformed HTTP request");
    String manyHeaders = exchange("GET /fn/f/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n");
    assertThat(manyHeaders).startsWith("HTTP/1.1 431").contains("malformed HTTP request");
  }

  @Test
  void aDeclaredBodyOverTheLimitThatWaitsFor100ContinueGetsThe413WithItsReason() throws Exception {
    String answer = exchange("POST /fn/f/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 413").contains("over the 1.0 MB limit");
    String lambda = exchange("POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n");
    assertThat(lambda).startsWith("HTTP/1.1 413").containsIgnoringCase("x-amzn-ErrorType: RequestTooLargeException");
  }

  /** One answer, then the connection closed: what follows the refused request is never read as another. */
  private void refusedAlone(String got, String status, String reason) {
    assertThat(got).as(got).startsWith("HTTP/1.1 " + status).contains(reason).doesNotContain("<timeout>");
    assertThat(got).as("one answer, then the connection closed").doesNotContain("HTTP/1.1 200");
  }

  @Test
  void anHttp11RequestWithoutOneValidHostIsRefused() throws Exception {
    String next = get("/next", "close");
    refusedAlone(exchange("GET /fn/f/none HTTP/1.1\r\n\r\n" + next), "400", "needs one host header");
    refusedAlone(exchange("GET /fn/f/two HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + next), "400", "this one has 2");
    refusedAlone(exchange("GET /fn/f/bad HTTP/1.1\r\nHost: a b/c\r\n\r\n" + next), "400", "no host[:port]");
    assertThat(served).isEmpty();
    // HTTP/1.0 needs none; names, IPv4 and IPv6 literals with ports are hosts
    assertThat(exchange("GET /fn/f/old HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200").endsWith("/old");
    assertThat(exchange("GET /fn/f/v6 HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    assertThat(exchange("GET /fn/f/name HTTP/1.1\r\nHost: hello.fn.example.com:443\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
  }

  @Test
  void aTransferEncodingThatDoesNotEndInChunkedIsRefusedBeforeItsBodyIsRead() throws Exception {
    String smuggled = "GET /fn/f/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    // Netty alone reads this body by its Content-Length; a front proxy that honours the coding reads none
    refusedAlone(exchange("POST /fn/f/identity HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nContent-Length: " + smuggled.length()
        + "\r\n\r\n" + smuggled), "400", "does not end in chunked");
    refusedAlone(exchange("POST /fn/f/last HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n" + smuggled), "400",
        "does not end in chunked");
    refusedAlone(exchange("POST /fn/f/old HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled), "400", "HTTP/1.0");
    refusedAlone(exchange("POST /fn/f/gzip HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        "501", "only the chunked transfer coding");
    assertThat(served).isEmpty();
    // chunked alone, in any case, is the body's framing as before
    assertThat(exchange("POST /fn/f/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
        .startsWith("HTTP/1.1 200").endsWith("/chunked");
  }

  @Test
  void aVersionOtherThanHttp1IsRefusedWith505() throws Exception {
    refusedAlone(exchange("GET /fn/f/x HTTP/9.9\r\nHost: x\r\n\r\n" + get("/next", "close")), "505", "HTTP/9.9 is not spoken");
    refusedAlone(exchange("GET /fn/f/x HTTP/2.0\r\nHost: x\r\n\r\n"), "505", "HTTP/2.0");
    assertThat(served).isEmpty();
  }
}
