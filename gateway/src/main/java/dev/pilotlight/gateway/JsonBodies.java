package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    try (JsonParser raw = JSON.createParser(body)) {
      JsonParser p = skipped == null ? raw
          : new FilteringParserDelegate(raw, new Excluding(JsonPointer.compile(skipped)), TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true);
      JsonNode n = JSON.readTree(p);
      if (n == null || !n.isObject()) {
        throw new Failure.InvalidInput("the request body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new Failure.InvalidInput("the request body is not JSON: " + e.getMessage());
    }
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

  /** Lets everything through but the value at one pointer. */
  private static final class Excluding extends TokenFilter {
    private final JsonPointer rest;

    Excluding(JsonPointer rest) {
      this.rest = rest;
    }

    @Override
    public TokenFilter includeProperty(String name) {
      if (!rest.matchesProperty(name)) {
        return TokenFilter.INCLUDE_ALL;
      }
      JsonPointer tail = rest.tail();
      return tail.matches() ? null : new Excluding(tail);
    }

    @Override
    public TokenFilter includeElement(int index) {
      return TokenFilter.INCLUDE_ALL;
    }

    @Override
    protected boolean _includeScalar() {
      return true;
    }
  }
}
