package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.example;
import static dev.pilotlight.testing.WireText.chunk;
import static dev.pilotlight.testing.WireText.readUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pilotlight.testing.WebSocketTexts;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming into {@code http} apps end to end: an upload over the daemon's request size limit
 * reaches hello-http whole, over HTTP/1.1 and HTTP/2, and its first bytes reach the app before the client sends the last;
 * a WebSocket goes through the gateway to hello-http's JDK-only echo and closes both ways; a
 * {@code token} app's upgrade without credentials is refused.
 */
class StreamingIT {
  private static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String ECHO = "java -cp hello-http.jar example.WebSocketEcho";

  @Test
  void anUploadOverTheRequestSizeLimitStreamsToTheApp(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-http"), "--name", "uploads");
      byte[] upload = new byte[80 << 20]; // over the daemon's request limit (the largest package as base64, ~68 MB)
      HttpResponse<String> counted = HTTP1.send(HttpRequest.newBuilder(URI.create(d.url() + "/fn/uploads/count"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(counted.statusCode()).as(counted.body()).isEqualTo(200);
      assertThat(counted.body()).isEqualTo(upload.length + "\n");

      // the gate: the client sends the rest of its body only once the app said it read the first part
      try (Socket s = new Socket("127.0.0.1", URI.create(d.url()).getPort())) {
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(("POST /fn/uploads/progress HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(1000))
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readUntil(in, "got 1000\n")).startsWith("HTTP/1.1 200").contains("got 1000\n");
        out.write((chunk(24) + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readUntil(in, "total 1024\n")).contains("total 1024\n");
      }
    }
  }

  @Test
  void anHttp2UploadOverTheRequestSizeLimitStreamsToTheAppToo(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-http"), "--name", "uploads");
      Path upload = data.resolve("upload.bin");
      try (RandomAccessFile f = new RandomAccessFile(upload.toFile(), "rw")) {
        f.setLength(80 << 20); // over the daemon's request limit (the largest package as base64, ~68 MB): aggregated, it would be refused with 413
      }
      Process curl = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "--data-binary", "@" + upload,
          "-w", "\n%{http_version} %{http_code}", d.url() + "/fn/uploads/count").redirectErrorStream(true).start();
      String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as("the byte count the app read, then HTTP/2 and the status").isEqualTo((80 << 20) + "\n\n2 200");
    }
  }

  @Test
  void aWebSocketRoundTripsThroughTheGatewayAndClosesBothWays(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-http"), "--name", "echo", "--command", ECHO);
      WebSocketTexts client = new WebSocketTexts();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create(d.url().replace("http:", "ws:") + "/fn/echo/chat"), client).get(60, TimeUnit.SECONDS);
      ws.sendText("hello through the tunnel", true).get(10, TimeUnit.SECONDS);
      assertThat(client.texts.poll(30, TimeUnit.SECONDS)).isEqualTo("hello through the tunnel");
      ws.sendText("y".repeat(200_000), true).get(10, TimeUnit.SECONDS);
      assertThat(client.texts.poll(30, TimeUnit.SECONDS)).hasSize(200_000);
      assertThat(d.status("echo").path("instances").asInt()).as("the tunnel holds its instance").isPositive();

      // the client closes; the app answers the close through the tunnel, which then ends
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
      assertThat(client.closed.get(30, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
      eventually(Duration.ofSeconds(30), "the app saw the socket close", () -> d.logs("echo").contains("websocket closed"));
      eventually(Duration.ofSeconds(30), "the tunnel's invocation recorded", () -> d.logs("echo").contains("REPORT RequestId"));
    }
  }

  @Test
  void anUpgradeToATokenAppNeedsCredentials(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-http"), "--name", "private-echo", "--command", ECHO, "--auth", "token");
      URI uri = URI.create(d.url().replace("http:", "ws:") + "/fn/private-echo/chat");
      Throwable refused = catchThrowable(() -> HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocketTexts())
          .get(30, TimeUnit.SECONDS));
      assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(WebSocketHandshakeException.class);
      assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(401);

      WebSocketTexts client = new WebSocketTexts();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + d.token())
          .buildAsync(uri, client).get(60, TimeUnit.SECONDS);
      ws.sendText("let in", true).get(10, TimeUnit.SECONDS);
      assertThat(client.texts.poll(30, TimeUnit.SECONDS)).isEqualTo("let in");
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
      assertThat(client.closed.get(30, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }
  }

}
