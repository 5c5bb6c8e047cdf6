package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Failure;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TagResource, UntagResource and ListTags ({@code /2017-03-31/tags/{ARN}}) over the function's
 * {@code tags} setting, which is stored with its spec like every other setting.
 */
final class LambdaTags {
  static final String PREFIX = "/2017-03-31/tags/";

  private final ControlPlane control;

  LambdaTags(ControlPlane control) {
    this.control = control;
  }

  FullHttpResponse list(String arn) {
    String name = function(arn);
    return ErrorResponses.json(HttpResponseStatus.OK, Map.of("Tags", control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name))
        .spec().tags()));
  }

  FullHttpResponse tag(String arn, byte[] body) {
    String name = function(arn);
    Map<String, String> added = of(JsonBodies.object(body).get("Tags"), "Tags");
    if (added.isEmpty()) {
      throw new Failure.InvalidInput("Tags is missing (expected: an object of KEY: value)");
    }
    control.update(name, s -> {
      Map<String, String> tags = new TreeMap<>(s.tags());
      tags.putAll(added);
      return s.toBuilder().tags(tags).build();
    }, null);
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  FullHttpResponse untag(String arn, List<String> keys) {
    String name = function(arn);
    if (keys.isEmpty()) {
      throw new Failure.InvalidInput("tagKeys is missing (expected: one or more tagKeys=KEY query parameters)");
    }
    control.update(name, s -> {
      Map<String, String> tags = new TreeMap<>(s.tags());
      keys.forEach(tags::remove);
      return s.toBuilder().tags(tags).build();
    }, null);
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  /** The function a tagged resource's ARN names; Pilotlight tags functions only, not versions or aliases. */
  private String function(String arn) {
    if (!arn.startsWith("arn:")) {
      throw new Failure.InvalidInput("Resource: '" + arn + "' (expected a function ARN, " + LambdaNames.ARN_PREFIX + "NAME)");
    }
    LambdaNames.Ref ref = LambdaNames.parse(arn);
    if (ref.qualifier() != null) {
      throw new Failure.InvalidInput("Resource: '" + arn + "' (tags belong to the function: give its unqualified ARN)");
    }
    return ref.name();
  }

  /** A {@code Tags} object of strings; absent or null: none. */
  static Map<String, String> of(JsonNode tags, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null || tags.isNull()) {
      return out;
    }
    if (!tags.isObject()) {
      throw new Failure.InvalidInput(field + ": " + tags + " (expected: an object of KEY: value)");
    }
    tags.properties().forEach(e -> {
      if (!e.getValue().isTextual()) {
        throw new Failure.InvalidInput(field + ": value of '" + e.getKey() + "' is " + e.getValue() + " (expected: a string)");
      }
      out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }
}
