package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Greets by name, reading and writing JSON with Jackson (so its start-up loads and initialises a
 * real library, unlike {@code hello-java}).
 *
 * <p>Through a function URL it receives an API Gateway HTTP API v2 event: the name comes from the
 * query ({@code ?name=Ann}), else from a JSON body ({@code {"name":"Ann"}}), and the answer is an
 * HTTP response whose body is a {@link Greeting} written by the {@link ObjectMapper}. A body that
 * is not a JSON object gets a 400. Invoked directly with {@code {"name":"Ann"}} it returns the
 * same {@link Greeting} object.
 */
public class JacksonHello implements RequestHandler<Map<String, Object>, Object> {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final String DEFAULT_NAME = "world";

  /** What a caller may send: only the name is read. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record GreetingRequest(String name) {}

  /** The answer; {@code from} says where the name came from: query, body, event or default. */
  @JsonPropertyOrder({"greeting", "name", "from", "length"})
  public record Greeting(String greeting, String name, String from, int length) {
    static Greeting of(String name, String from) {
      return new Greeting("Hello, " + name, name, from, name.length());
    }
  }

  @Override
  public Object handleRequest(Map<String, Object> event, Context context) {
    if (event != null && (event.containsKey("requestContext") || event.containsKey("rawPath"))) {
      return httpResponse(event);
    }
    GreetingRequest request = event == null ? null : MAPPER.convertValue(event, GreetingRequest.class);
    return request != null && usable(request.name()) ? Greeting.of(request.name(), "event") : Greeting.of(DEFAULT_NAME, "default");
  }

  private static Map<String, Object> httpResponse(Map<String, Object> event) {
    Greeting greeting;
    Object query = event.get("queryStringParameters") instanceof Map<?, ?> q ? q.get("name") : null;
    if (query instanceof String s && usable(s)) {
      greeting = Greeting.of(s, "query");
    } else {
      GreetingRequest fromBody;
      try {
        fromBody = body(event);
      } catch (JsonProcessingException e) {
        return response(400, Map.of("error", "the body is not a JSON object: " + e.getOriginalMessage()));
      }
      greeting = fromBody != null && usable(fromBody.name()) ? Greeting.of(fromBody.name(), "body") : Greeting.of(DEFAULT_NAME, "default");
    }
    return response(200, greeting);
  }

  /** The JSON body as a request, or null when there is none. */
  private static GreetingRequest body(Map<String, Object> event) throws JsonProcessingException {
    if (!(event.get("body") instanceof String body) || body.isBlank()) {
      return null;
    }
    String json = Boolean.TRUE.equals(event.get("isBase64Encoded"))
        ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8)
        : body;
    return MAPPER.readValue(json, GreetingRequest.class);
  }

  private static Map<String, Object> response(int status, Object body) {
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("statusCode", status);
    response.put("headers", Map.of("content-type", "application/json"));
    try {
      response.put("body", MAPPER.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body + " as JSON", e);
    }
    return response;
  }

  private static boolean usable(String name) {
    return name != null && !name.isBlank();
  }
}
