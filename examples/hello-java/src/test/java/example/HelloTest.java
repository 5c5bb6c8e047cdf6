package example;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HelloTest {
  private final Hello hello = new Hello();

  @Test
  void greetsTheNameInADirectEvent() {
    assertThat(hello.handleRequest(Map.of("name", "Ann"), null)).isEqualTo(Map.of("message", "Hello, Ann"));
    assertThat(hello.handleRequest(Map.of(), null)).isEqualTo(Map.of("message", "Hello, world"));
  }

  @Test
  void answersAnHttpApiEventWithAnHttpResponse() {
    Map<String, Object> event = Map.of(
        "version", "2.0",
        "rawPath", "/",
        "requestContext", Map.of("http", Map.of("method", "GET")),
        "queryStringParameters", Map.of("name", "Ann"));

    assertThat(hello.handleRequest(event, null)).isEqualTo(Map.of(
        "statusCode", 200,
        "headers", Map.of("content-type", "text/plain"),
        "body", "Hello, Ann"));
  }

  @Test
  void defaultsToWorldWithoutAQuery() {
    Map<String, Object> event = Map.of("rawPath", "/", "requestContext", Map.of());

    assertThat(hello.handleRequest(event, null)).isEqualTo(Map.of(
        "statusCode", 200,
        "headers", Map.of("content-type", "text/plain"),
        "body", "Hello, world"));
  }
}
