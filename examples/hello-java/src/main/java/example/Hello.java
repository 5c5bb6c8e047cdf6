package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Greets by name. Called through a function URL it receives an API Gateway HTTP API v2 event and
 * answers with an HTTP response ({@code ?name=Ann}); invoked directly it reads {@code {"name":
 * "Ann"}} and answers {@code {"message": "Hello, Ann"}}.
 */
public class Hello implements RequestHandler<Map<String, Object>, Object> {
  private static final String DEFAULT_NAME = "world";

  @Override
  public Object handleRequest(Map<String, Object> event, Context context) {
    if (event != null && (event.containsKey("requestContext") || event.containsKey("rawPath"))) {
      String name = nameOr(event.get("queryStringParameters") instanceof Map<?, ?> query ? query.get("name") : null);
      Map<String, Object> response = new LinkedHashMap<>();
      response.put("statusCode", 200);
      response.put("headers", Map.of("content-type", "text/plain"));
      response.put("body", "Hello, " + name);
      return response;
    }
    String name = nameOr(event != null ? event.get("name") : null);
    return Map.of("message", "Hello, " + name);
  }

  private static String nameOr(Object value) {
    return value instanceof String s && !s.isBlank() ? s : DEFAULT_NAME;
  }
}
