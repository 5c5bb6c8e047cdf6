package example;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The app on a free port, driven by a real HTTP client. */
class HelloHttpTest {
  private static HttpServer server;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = HelloHttp.start(0);
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder at(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery));
  }

  @Test
  void greets() throws Exception {
    HttpResponse<String> named = send(at("/?name=Ann%20Lee"));
    HttpResponse<String> anonymous = send(at("/"));

    assertThat(named.statusCode()).isEqualTo(200);
    assertThat(named.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(named.body()).isEqualTo("Hello, Ann Lee");
    assertThat(anonymous.body()).isEqualTo("Hello, world");
  }

  @Test
  void echoesTheRequest() throws Exception {
    HttpResponse<String> r = send(at("/echo?a=1&b=x%20y").header("X-Test", "yes")
        .POST(HttpRequest.BodyPublishers.ofString("line\n\"quoted\"")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("{\"method\":\"POST\",\"path\":\"/echo\",\"query\":\"a=1&b=x%20y\",\"headers\":{")
        .contains("\"x-test\":\"yes\"")
        .endsWith("\"body\":\"line\\n\\\"quoted\\\"\"}");
  }

  @Test
  void streamsChunks() throws Exception {
    HttpResponse<String> r = send(at("/stream?chunks=3&delayMs=0"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
    assertThat(r.body()).isEqualTo("chunk 1\nchunk 2\nchunk 3\n");
  }

  @Test
  void sleepsAnswersAnyStatusAndRejectsBadInput() throws Exception {
    assertThat(send(at("/sleep?ms=1")).body()).isEqualTo("slept 1 ms\n");
    assertThat(send(at("/status?code=418")).statusCode()).isEqualTo(418);
    assertThat(send(at("/status?code=204")).statusCode()).isEqualTo(204);
    HttpResponse<String> bad = send(at("/status?code=abc"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("code: 'abc'");
    assertThat(send(at("/nope")).statusCode()).isEqualTo(404);
  }

  @Test
  void countsTheBytesOfTheBody() throws Exception {
    HttpResponse<String> count = send(at("/count").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[300_000])));
    assertThat(count.body()).isEqualTo("300000\n");
  }

  @Test
  void acceptsAWebSocketKeyAsRfc6455Says() {
    assertThat(WebSocketEcho.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }
}
