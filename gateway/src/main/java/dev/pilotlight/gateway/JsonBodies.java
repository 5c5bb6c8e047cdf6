package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Failure;
import java.io.IOException;

/** Request bodies that must be one JSON object, for the native and the Lambda API alike. */
final class JsonBodies {
  /**
   * No cap of its own on a string's length (Jackson's default is 20 M characters): the body is
   * already within the request size limit, and a Lambda CreateFunction carries its whole package
   * as one base64 string.
   */
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build());

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
