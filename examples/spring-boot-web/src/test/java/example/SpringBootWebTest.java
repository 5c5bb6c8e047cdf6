package example;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the app on a free port and calls its routes over HTTP (no Spring test libraries needed). */
class SpringBootWebTest {
  private static ConfigurableApplicationContext app;
  private static URI base;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    app = SpringApplication.run(SpringBootWeb.class, "--server.port=0", "--spring.main.banner-mode=off");
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    base = URI.create("http://127.0.0.1:" + port);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void greetsByName() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/?name=Ann")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.body()).isEqualTo("{\"greeting\":\"Hello, Ann\",\"name\":\"Ann\"}");
  }

  @Test
  void greetsTheWorldByDefault() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).contains("Hello, world");
  }

  @Test
  void echoesJson() throws Exception {
    HttpRequest post = HttpRequest.newBuilder(base.resolve("/echo"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1,\"b\":\"x\"}"))
        .build();
    HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"received\":{\"a\":1,\"b\":\"x\"},\"keys\":2}");
  }
}
