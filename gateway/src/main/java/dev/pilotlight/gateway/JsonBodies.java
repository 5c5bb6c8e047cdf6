package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.Failure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;

/** Request bodies that must be one JSON object, for the native and the Lambda API alike. */
final class JsonBodies {
  /**
   * No cap of its own on a string's length (Jackson's default is 20 M characters): the body is
   * already within the request size limit. A package's base64 string, the one value that large,
   * is not read as a string at all ({@link #base64At}).
   */
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build());

  private JsonBodies() {}

  /** {@code body} as a JSON object; anything else is {@link Failure.InvalidInput} (400). */
  static JsonNode object(byte[] body) {
    return objectWithout(body, null);
  }

  /**
   * {@code body} as a JSON object without the value at {@code skipped} (a JSON pointer such as
   * {@code /Code/ZipFile}; null for none), which is passed over without being read into memory.
   */
  static JsonNode objectWithout(byte[] body, String skipped) {
    try (JsonParser p = JSON.createParser(body)) {
      if (skipped == null) {
        JsonNode n = JSON.readTree(p);
        if (n == null || !n.isObject()) {
          throw new Failure.InvalidInput("the request body must be a JSON object");
        }
        return n;
      }
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Failure.InvalidInput("the request body must be a JSON object");
      }
      return readSkipping(p, JsonPointer.compile(skipped));
    } catch (IOException e) {
      throw new Failure.InvalidInput("the request body is not JSON: " + e.getMessage());
    }
  }

  /** The object {@code p} is at the start of, without the value at {@code rest} (relative to it), which is passed over unread. */
  private static ObjectNode readSkipping(JsonParser p, JsonPointer rest) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (rest.matchesProperty(name)) {
        JsonPointer tail = rest.tail();
        if (tail.matches()) {
          p.skipChildren(); // a string is skipped unread by the next token's read
          continue;
        }
        if (t == JsonToken.START_OBJECT) {
          out.set(name, readSkipping(p, tail));
          continue;
        }
      }
      out.set(name, JSON.readTree(p));
    }
    return out;
  }

  /**
   * The base64 string at {@code pointer} in {@code body}, decoded straight from the body's bytes
   * (a 50 MB package is never a 67 M-character string); empty when it is absent or null.
   *
   * @throws Failure.InvalidInput when the body is not JSON, or the value is not a base64 string
   */
  static Optional<byte[]> base64At(byte[] body, String pointer, String name) {
    JsonPointer target = JsonPointer.compile(pointer);
    try (JsonParser p = JSON.createParser(body)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME) {
          continue;
        }
        JsonPointer at = p.getParsingContext().pathAsPointer();
        if (at.equals(target)) {
          if (t == JsonToken.VALUE_NULL) {
            return Optional.empty();
          }
          if (t != JsonToken.VALUE_STRING) {
            throw new Failure.InvalidInput(name + " is not a string (expected the package zip, base64-encoded)");
          }
          ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 * 3 + 3);
          try {
            p.readBinaryValue(Base64Variants.MIME_NO_LINEFEEDS, out);
          } catch (IOException | IllegalArgumentException notBase64) {
            throw new Failure.InvalidInput(name + " is not base64: " + firstLine(notBase64.getMessage()));
          }
          return Optional.of(out.toByteArray());
        }
        if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && !target.toString().startsWith(at.toString())) {
          p.skipChildren(); // nothing under here is the target
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new Failure.InvalidInput("the request body is not JSON: " + e.getMessage());
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
