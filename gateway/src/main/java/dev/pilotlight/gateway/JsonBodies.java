package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Failure;
import java.io.IOException;

/** Request bodies that must be one JSON object, for the native and the Lambda API alike. */
final class JsonBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonBodies() {}

  /** {@code body} as a JSON object; anything else is {@link Failure.InvalidInput} (400). */
  static JsonNode object(byte[] body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new Failure.InvalidInput("the request body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new Failure.InvalidInput("the request body is not JSON: " + e.getMessage());
    }
  }
}
