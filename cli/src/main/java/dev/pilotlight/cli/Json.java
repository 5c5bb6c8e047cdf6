package dev.pilotlight.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** JSON helpers shared by the commands: parsing daemon answers and printing them. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Parses a daemon answer that must be JSON. */
  static JsonNode parse(byte[] body) {
    JsonNode node = tryParse(body);
    if (node == null) {
      throw new CliFailure.Failed("the daemon answered with something that is not JSON: "
          + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8));
    }
    return node;
  }

  /** Parses JSON, or returns null when {@code body} is empty or not JSON. */
  static JsonNode tryParse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException e) {
      return null;
    }
  }

  /** Indented JSON, as {@code --json} prints it. */
  static String pretty(JsonNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** One compact line of JSON (for JSON Lines output). */
  static String compact(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A field as text, or {@code "-"} when it is missing or null. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? "-" : v.asText();
  }
}
