package dev.pilotlight.gateway;

import static dev.pilotlight.testing.WireText.readUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.gateway.proxy.ProxyOutcome;
import dev.pilotlight.gateway.proxy.StreamedBody;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy to {@code http} apps when the app or the client misbehaves: what the client gets, and
 * whether the instance is blamed ({@link ProxyOutcome}). The app is a raw socket server, so each
 * test decides byte by byte what it does; the request's path says which behaviour.
 */
class ProxyFaultsTest {
  EventLoopGroup boss;
  EventLoopGroup workers;
  HttpProxy proxy;
  GatewayServer server;
  ServerSocket app;
  final LinkedBlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<String> appSaw = new LinkedBlockingQueue<>();
  final AtomicInteger appConnections = new AtomicInteger();
  volatile Duration timeout = Duration.ofSeconds(60);

  @BeforeEach
  void start() throws Exception {
    app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!app.isClosed()) {
        try {
          Socket s = app.accept();
          appConnections.incrementAndGet();
          Thread.ofVirtual().start(() -> serve(s));
        } catch (IOException closed) {
          return;
        }
      }
    });
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    proxy = new HttpProxy(workers);
    GatewayHandler.StreamedUrls streamed = new GatewayHandler.StreamedUrls() {
      @Override
      public boolean streams(String function) {
        return true;
      }

      @Override
      public GatewayHandler.BodySink serve(ChannelHandlerContext ctx, HttpRequest head, String function, String path, String rawQuery) {
        StreamedBody body = new StreamedBody(ctx.channel());
        proxy.forward(ctx, head, body, path, (InetSocketAddress) app.getLocalSocketAddress(), timeout, Duration.ofSeconds(30),
            recording());
        return FunctionInvoker.sinkInto(body);
      }
    };
    GatewayHandler.Api none = (ctx, req, path, query) -> {
      throw new AssertionError("not used");
    };
    GatewayHandler.FunctionUrls aggregated = (ctx, req, function, path, rawQuery) -> {
      throw new AssertionError("not used");
    };
    GatewayHandler router = new GatewayHandler(aggregated, streamed, none, none, () -> "", new OpenAdmission(), List.of());
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, 64 * 1024), boss, workers, router);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    proxy.close();
    app.close();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** The app: reads a request head, then behaves as its path says. */
  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int served = 0; ; served++) {
        String head = readUntil(in, "\r\n\r\n");
        if (head.isEmpty()) {
          return;
        }
        String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        appSaw.add(path);
        switch (path) {
          case "/early" -> { // refuses an upload without reading it, then closes (the kernel resets: unread data)
            out.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return;
          }
          case "/stream" -> { // a head, then a chunk now and then, until the connection goes
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
              out.write("5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              Thread.sleep(50);
            }
          }
          case "/huge-head" -> {
            out.write(("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(70 * 1024) + "\r\nContent-Length: 2\r\n\r\nok")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          case "/silent" -> Thread.sleep(Long.MAX_VALUE); // takes the request, never answers
          case "/late-close" -> { // answers a connection's first request; works on the next a while, then closes it unanswered
            if (served > 0) {
              Thread.sleep(1500);
              return;
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          case "/crossed", "/dying" -> { // answers a connection's first request; closes it on the next, unanswered (an idle close that crossed it)
            if (served > 0) {
              if (path.equals("/dying")) {
                app.close(); // and takes no more connections: the app has crashed
              }
              return;
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          case "/no-content" -> {
            out.write("HTTP/1.1 204 No Content\r\nX-Done: yes\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          case "/ok" -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          default -> {
            return;
          }
        }
      }
    } catch (IOException | InterruptedException gone) {
      appSaw.add("connection ended");
    }
  }

  private ProxyOutcome recording() {
    return new ProxyOutcome() {
      @Override
      public void completed(int status) {
        outcomes.add("completed " + status);
      }

      @Override
      public void failed(Throwable cause, boolean responseStarted) {
        outcomes.add("failed: " + cause.getMessage());
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

  /** Sends a GET for {@code path} on {@code s}. */
  private static void get(Socket s, String path) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** Sends a GET for {@code path} on {@code s} and expects the app's {@code 200 ok}, relayed and recorded. */
  private void getOk(Socket s, String path) throws Exception {
    get(s, path);
    assertThat(readUntil(s.getInputStream(), "ok")).as(path).startsWith("HTTP/1.1 200");
    assertThat(outcomes.poll(30, TimeUnit.SECONDS)).as(path).isEqualTo("completed 200");
  }

  private Socket client() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(60_000);
    return s;
  }

  @Test
  void anAnswerTheAppSendsBeforeReadingTheUploadReachesTheClient() throws Exception {
    byte[] upload = new byte[4 * 1024 * 1024];
    for (int i = 0; i < 5; i++) {
      try (Socket s = client()) {
        s.getOutputStream().write(("POST /fn/app/early HTTP/1.1\r\nHost: x\r\nContent-Length: " + upload.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        try {
          s.getOutputStream().write(upload); // may stop part way: the gateway drops the rest and closes after the answer
        } catch (IOException closedMidUpload) {
          // the answer is still there to read
        }
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).as("attempt %d", i).startsWith("HTTP/1.1 401").endsWith("nope");
      }
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).as("attempt %d", i).isEqualTo("completed 401");
    }
  }

  @Test
  void aClientThatLeavesMidResponseEndsTheExchangeAndTheAppsConnection() throws Exception {
    try (Socket s = client()) {
      s.getOutputStream().write("GET /fn/app/stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntil(s.getInputStream(), "hello")).startsWith("HTTP/1.1 200");
    }
    assertThat(outcomes.poll(30, TimeUnit.SECONDS)).isEqualTo("client closed");
    assertThat(appSaw.poll(30, TimeUnit.SECONDS)).isEqualTo("/stream");
    assertThat(appSaw.poll(30, TimeUnit.SECONDS)).isEqualTo("connection ended"); // its next write failed: nobody reads it any more
  }

  @Test
  void aResponseHeadPastTheLimitFailsTheRequestAtOnceInsteadOfWaitingForTheTimeout() throws Exception {
    try (Socket s = client()) {
      s.getOutputStream().write("GET /fn/app/huge-head HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).startsWith("failed: its answer could not be read as HTTP");
    }
  }

  @Test
  void streamsThatHaveStartedDoNotHoldBackTheConnectionsOpenedAfterThem() throws Exception {
    // More streams at once than connections may be unproven (InstanceConnections.MAX_UNPROVEN): each
    // connection is proven by its response head, so every stream gets its head while the others run.
    List<Socket> clients = new ArrayList<>();
    CountDownLatch heads = new CountDownLatch(8);
    try {
      for (int i = 0; i < 8; i++) {
        Socket s = client();
        clients.add(s);
        s.getOutputStream().write("GET /fn/app/stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Thread.ofVirtual().start(() -> {
          try {
            if (readUntil(s.getInputStream(), "hello").startsWith("HTTP/1.1 200")) {
              heads.countDown();
            }
          } catch (IOException e) {
            // counted as missing
          }
        });
      }
      assertThat(heads.await(30, TimeUnit.SECONDS)).as("every stream started").isTrue();
    } finally {
      for (Socket s : clients) {
        s.close();
      }
    }
  }

  @Test
  void aTimeoutBlamesTheInstanceOnlyWhenItHadTheWholeRequestAndAnsweredNothing() throws Exception {
    timeout = Duration.ofMillis(500);
    try (Socket s = client()) {
      s.getOutputStream().write("GET /fn/app/silent HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // (the answer to the client is the outcome's to send: FunctionInvoker's 504)
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).isEqualTo("timed out, instance at fault");
    }

    // a response under way when the time runs out: the app is answering
    try (Socket s = client()) {
      s.getOutputStream().write("GET /fn/app/stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntil(s.getInputStream(), "hello")).startsWith("HTTP/1.1 200");
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).isEqualTo("timed out");
    }

    // a client that stalls its upload: its own doing
    try (Socket s = client()) {
      s.getOutputStream().write("POST /fn/app/silent HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nfive!".getBytes(StandardCharsets.US_ASCII));
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).isEqualTo("timed out");
    }
  }

  @Test
  void aNoContentAnswerGoesOnWithoutTransferEncodingAndKeepsTheConnection() throws Exception {
    try (Socket s = client()) {
      s.getOutputStream().write(("GET /fn/app/no-content HTTP/1.1\r\nHost: x\r\n\r\nGET /fn/app/ok HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String both = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(both).startsWith("HTTP/1.1 204").contains("X-Done: yes").contains("HTTP/1.1 200").endsWith("ok");
      assertThat(both.substring(0, both.indexOf("HTTP/1.1 200"))).doesNotContainIgnoringCase("transfer-encoding");
    }
  }

  @Test
  void aTimeoutWhileTheInstanceAnswersOthersIsNotItsFault() throws Exception {
    timeout = Duration.ofMillis(1500);
    try (Socket silent = client()) {
      silent.getOutputStream().write("GET /fn/app/silent HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String verdict = null;
      for (int i = 0; i < 400 && verdict == null; i++) {
        try (Socket other = client()) { // the app answers these meanwhile
          other.getOutputStream().write("GET /fn/app/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).endsWith("ok");
        }
        for (String o; (o = outcomes.poll(20, TimeUnit.MILLISECONDS)) != null; ) {
          if (!o.startsWith("completed")) {
            verdict = o;
          }
        }
      }
      assertThat(verdict).isEqualTo("timed out");
    }
  }

  @Test
  void aRequestThatMeetsAnIdleConnectionClosingIsSentAgainOnAnother() throws Exception {
    try (Socket s = client()) {
      for (int i = 0; i < 2; i++) {
        getOk(s, "/fn/app/crossed");
      }
    }
    // the second request went out on the kept connection, which the app closed; then on a new one
    assertThat(List.of(appSaw.poll(30, TimeUnit.SECONDS), appSaw.poll(30, TimeUnit.SECONDS), appSaw.poll(30, TimeUnit.SECONDS)))
        .containsExactly("/crossed", "/crossed", "/crossed");
    assertThat(appConnections.get()).isEqualTo(2);
    assertThat(outcomes).isEmpty();
  }

  @Test
  void aRequestWithABodyOrOnANewConnectionIsNotSentAgain() throws Exception {
    try (Socket s = client()) {
      getOk(s, "/fn/app/crossed");
      // a body the proxy did not keep: it may have been acted on, so it is not sent twice
      s.getOutputStream().write("PUT /fn/app/crossed HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi".getBytes(StandardCharsets.US_ASCII));
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).startsWith("failed: ");
    }
    try (Socket s = client()) {
      // not a kept connection closing: a new one the app closed on the request is the app's answer
      s.getOutputStream().write("GET /fn/app/drop HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).startsWith("failed: ");
    }
    try (Socket s = client()) {
      getOk(s, "/fn/app/crossed");
      // no body, but not idempotent: it may have been acted on
      s.getOutputStream().write("POST /fn/app/crossed HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).startsWith("failed: ");
    }
    List<String> saw = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      saw.add(appSaw.poll(30, TimeUnit.SECONDS));
    }
    assertThat(saw).containsExactly("/crossed", "/crossed", "/drop", "/crossed", "/crossed");
    assertThat(appSaw.poll(500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(appConnections.get()).isEqualTo(3);
  }

  @Test
  void aRequestTheAppHeldAWhileBeforeClosingIsNotSentAgain() throws Exception {
    try (Socket s = client()) {
      getOk(s, "/fn/app/late-close");
      // the app had it for longer than a closing connection takes (RelayHandler.RESEND_WITHIN): it was worked on
      get(s, "/fn/app/late-close");
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).startsWith("failed: ");
    }
    assertThat(List.of(appSaw.poll(30, TimeUnit.SECONDS), appSaw.poll(30, TimeUnit.SECONDS))).containsExactly("/late-close", "/late-close");
    assertThat(appSaw.poll(500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(appConnections.get()).isEqualTo(1);
  }

  @Test
  void aRequestSentAgainToAnAppThatHasGoneReportsTheConnectionThatClosedNotTheRefusal() throws Exception {
    try (Socket s = client()) {
      getOk(s, "/fn/app/dying");
      get(s, "/fn/app/dying");
      // what the caller reads a crash from (its exit, looked for after a closed connection)
      assertThat(outcomes.poll(30, TimeUnit.SECONDS)).isEqualTo("failed: the instance closed the connection before the response was complete");
    }
  }

  @Test
  void oneConnectionServesRequestsOneAfterAnotherWhateverLoopEachSideIsOn() throws Exception {
    // The client's connection and the app's are on different event loops here (two of them): a GET's
    // end may reach the app's connection after the app has answered, and it must not be closed for that.
    try (Socket s = client()) {
      for (int i = 0; i < 200; i++) {
        getOk(s, "/fn/app/ok");
      }
    }
    assertThat(appConnections.get()).isEqualTo(1);
  }

  @Test
  void onlyAnAppThatTakesNoConnectionsIsRetiredForAFailedConnection() {
    assertThat(FunctionInvoker.takesNoConnections(new java.net.ConnectException("Connection refused"))).isTrue();
    assertThat(FunctionInvoker.takesNoConnections(new io.netty.channel.ConnectTimeoutException("timed out"))).isTrue();
    assertThat(FunctionInvoker.takesNoConnections(new IOException("the instance closed the connection before the response was complete")))
        .isFalse();
  }
}
