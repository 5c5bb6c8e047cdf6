package example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JacksonHelloTest {
  private final JacksonHello hello = new JacksonHello();

  private static Map<String, Object> urlEvent(Map<String, Object> query, String body, boolean base64) {
    Map<String, Object> event = new HashMap<>();
    event.put("version", "2.0");
    event.put("rawPath", "/");
    event.put("requestContext", Map.of("http", Map.of("method", body == null ? "GET" : "POST")));
    if (query != null) {
      event.put("queryStringParameters", query);
    }
    if (body != null) {
      event.put("body", body);
      event.put("isBase64Encoded", base64);
    }
    return event;
  }

  @SuppressWarnings("unchecked")
  private JsonNode answer(Map<String, Object> event, int status) throws Exception {
    Map<String, Object> response = (Map<String, Object>) hello.handleRequest(event, null);
    assertThat(response).containsEntry("statusCode", status)
        .containsEntry("headers", Map.of("content-type", "application/json"));
    return JacksonHello.MAPPER.readTree((String) response.get("body"));
  }

  @Test
  void answersAQueryWithAJsonGreeting() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> response = (Map<String, Object>) hello.handleRequest(urlEvent(Map.of("name", "Ann"), null, false), null);
    assertThat(response.get("body")).isEqualTo("{\"greeting\":\"Hello, Ann\",\"name\":\"Ann\",\"from\":\"query\",\"length\":3}");
  }

  @Test
  void readsTheNameFromAJsonBodyPlainOrBase64() throws Exception {
    assertThat(answer(urlEvent(null, "{\"name\":\"Bo\",\"extra\":[1,2]}", false), 200).get("greeting").asText()).isEqualTo("Hello, Bo");
    String encoded = Base64.getEncoder().encodeToString("{\"name\":\"Cy\"}".getBytes(StandardCharsets.UTF_8));
    JsonNode fromBase64 = answer(urlEvent(Map.of(), encoded, true), 200);
    assertThat(fromBase64.get("greeting").asText()).isEqualTo("Hello, Cy");
    assertThat(fromBase64.get("from").asText()).isEqualTo("body");
  }

  @Test
  void theQueryWinsOverTheBodyAndWorldIsTheDefault() throws Exception {
    assertThat(answer(urlEvent(Map.of("name", "Ann"), "{\"name\":\"Bo\"}", false), 200).get("name").asText()).isEqualTo("Ann");
    JsonNode none = answer(urlEvent(null, null, false), 200);
    assertThat(none.get("greeting").asText()).isEqualTo("Hello, world");
    assertThat(none.get("from").asText()).isEqualTo("default");
  }

  @Test
  void aBodyThatIsNotJsonIsA400() throws Exception {
    assertThat(answer(urlEvent(null, "name=Ann", false), 400).get("error").asText()).startsWith("the body is not a JSON object");
  }

  @Test
  void aDirectInvokeReturnsTheGreetingObject() {
    assertThat(hello.handleRequest(Map.of("name", "Ann"), null)).isEqualTo(new JacksonHello.Greeting("Hello, Ann", "Ann", "event", 3));
    assertThat(hello.handleRequest(Map.of("other", 1), null)).isEqualTo(new JacksonHello.Greeting("Hello, world", "world", "default", 5));
    assertThat(hello.handleRequest(null, null)).isEqualTo(new JacksonHello.Greeting("Hello, world", "world", "default", 5));
  }
}
