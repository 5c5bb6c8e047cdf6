package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmark's bare relay, against a real HTTP server: what it passes on, and over which connections. */
class NettyRelayTest {
  private HttpServer app;
  private NettyRelay relay;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final Set<Integer> appConnections = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      appConnections.add(ex.getRemoteAddress().getPort());
      seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " host=" + ex.getRequestHeaders().getFirst("Host") + " x-custom="
          + ex.getRequestHeaders().getFirst("X-Custom") + " body=" + new String(body, StandardCharsets.UTF_8));
      byte[] out = ("answer to " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("X-From-App", "yes");
      ex.sendResponseHeaders(200, ex.getRequestURI().getPath().equals("/chunked") ? 0 : out.length); // 0: a chunked body
      ex.getResponseBody().write(out);
      ex.close();
    });
    app.start();
    relay = NettyRelay.start(0, app.getAddress(), 1);
  }

  @AfterEach
  void stop() {
    relay.close();
    app.stop(0);
  }

  @Test
  void requestsAndResponsesPassAsTheyAreAndAClientConnectionKeepsOneConnectionToTheApp() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + relay.port();
    HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(base + "/a?x=1")).header("X-Custom", "one").build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/b")).POST(HttpRequest.BodyPublishers.ofString("payload"))
        .build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(URI.create(base + "/chunked")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("answer to /a?x=1");
    assertThat(get.headers().firstValue("X-From-App")).hasValue("yes");
    assertThat(post.body()).isEqualTo("answer to /b");
    assertThat(chunked.body()).isEqualTo("answer to /chunked");
    assertThat(seen).containsExactly(
        "GET /a?x=1 host=127.0.0.1:" + relay.port() + " x-custom=one body=",
        "POST /b host=127.0.0.1:" + relay.port() + " x-custom=null body=payload",
        "GET /chunked host=127.0.0.1:" + relay.port() + " x-custom=null body=");
    assertThat(appConnections).hasSize(1); // the client's one keep-alive connection: one to the app
  }
}
