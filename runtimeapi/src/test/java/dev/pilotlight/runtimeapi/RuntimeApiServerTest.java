package dev.pilotlight.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The spare endpoint: bound ahead, handed to the next instance, never once something used it. */
class RuntimeApiServerTest {
  final RuntimeApiServer server = RuntimeApiServer.create();

  @AfterEach
  void close() {
    server.close();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void theNextInstanceGetsTheSpareBoundAheadAndANewSpareFollows() throws Exception {
    RuntimeApiEndpoint first = server.open("i-1");
    await("a spare", () -> server.spareAddress() != null);
    String spare = server.spareAddress();
    assertThat(spare).isNotEqualTo(first.address());
    RuntimeApiEndpoint second = server.open("i-2");
    assertThat(second.address()).isEqualTo(spare);
    await("the next spare", () -> server.spareAddress() != null && !server.spareAddress().equals(spare));
    second.close();
    assertThat(second.ready()).isCompletedExceptionally();
    first.close();
  }

  @Test
  void aSpareSomethingPolledIsNeverHandedOut() throws Exception {
    server.open("i-1").close();
    await("a spare", () -> server.spareAddress() != null);
    String spare = server.spareAddress();
    // a stray local client polls the spare before any instance has it
    HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://" + spare + "/2018-06-01/runtime/invocation/next"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    await("the stray poll", () -> !server.spareIsPristine());
    RuntimeApiEndpoint next = server.open("i-2");
    assertThat(next.address()).isNotEqualTo(spare);
    assertThat(next.ready()).isNotDone();
    next.close();
  }

  @Test
  void anEndpointAlsoServesItsRuntimeOnAUnixDomainSocketRemovedWithIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
      throws Exception {
    var group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
    java.nio.file.Path dir = data.resolve("runtime-api");
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.createFile(dir.resolve("7.sock")); // left by a killed daemon
    RuntimeApiServer local = RuntimeApiServer.create(group, dir);
    try {
      assertThat(dir.resolve("7.sock")).doesNotExist();
      assertThat(java.nio.file.Files.getPosixFilePermissions(dir)).containsExactlyInAnyOrder(
          java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
          java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
      RuntimeApiEndpoint endpoint = local.open("i-1");
      java.nio.file.Path socket = endpoint.socket();
      assertThat(socket).isNotNull().startsWith(dir);
      var result = endpoint.invoke(new dev.pilotlight.model.LambdaRequest("req-1", "{\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          java.time.Instant.now().plusSeconds(30), "arn:aws:lambda:us-east-1:000000000000:function:f"));
      try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
        var out = java.nio.channels.Channels.newOutputStream(ch);
        var in = java.nio.channels.Channels.newInputStream(ch);
        out.write("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String next = readAnswer(in);
        assertThat(next).startsWith("HTTP/1.1 200").containsIgnoringCase("lambda-runtime-aws-request-id: req-1").endsWith("{\"n\":1}");
        out.write(("POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(readAnswer(in)).startsWith("HTTP/1.1 202");
      }
      assertThat(new String(result.get(10, java.util.concurrent.TimeUnit.SECONDS).payload(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("ok");
      endpoint.close();
      assertThat(socket).doesNotExist();
    } finally {
      local.close();
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** One HTTP answer with a Content-Length body (or none), as text. */
  private static String readAnswer(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException(head.toString());
      }
      head.append((char) b);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
  }
}
