package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * Lambda's check of an Invoke payload: it must be JSON (any value, or nothing at all), else the
 * call is refused with {@code 400 InvalidRequestContentException} before anything runs or is
 * queued. Function URLs and the native API pass bodies on as they are.
 */
final class InvokePayloads {
  /** The payload's size is bounded by the invoke limits before this runs; the parser's own caps would refuse less. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNumberLength(Integer.MAX_VALUE).build())
      .build();

  private InvokePayloads() {}

  /** Lambda's error for a payload that is not JSON. */
  static final class NotJson extends RuntimeException {
    NotJson(String detail) {
      super("Could not parse request body into json: Could not parse payload into json: " + detail);
    }
  }

  /** @throws NotJson when {@code payload} holds anything but one JSON value (or only white space) */
  static void check(byte[] payload) {
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() == null) {
        return; // empty: Lambda runs the function with no payload
      }
      p.skipChildren();
      JsonToken after = p.nextToken();
      if (after != null) {
        throw new NotJson("more than one JSON value (" + after.asString() + " after the first)");
      }
    } catch (IOException e) {
      String detail = e.getMessage();
      int at = detail.indexOf("\n at [");
      throw new NotJson(at > 0 ? detail.substring(0, at) : detail);
    }
  }
}
