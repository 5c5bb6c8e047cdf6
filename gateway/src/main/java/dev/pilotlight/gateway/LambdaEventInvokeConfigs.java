package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.FunctionSpec;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's event invoke configuration ({@code /2019-09-25/functions/{name}/event-invoke-config}):
 * Put, Update, Get, Delete and ListFunctionEventInvokeConfigs over the function's own settings
 * {@code maxRetries}, {@code maxEventAge}, {@code onSuccess} and {@code onFailure} — one source of
 * truth, the same settings a manifest and {@code deploy} flags set. Pilotlight keeps one
 * configuration per function: a qualifier is accepted and shown back, and the settings apply to
 * every version and alias (asynchronous events run with the function's current settings).
 */
final class LambdaEventInvokeConfigs {
  /** The path prefix of these operations, whose paths are passed in whole. */
  static final String PREFIX = "/2019-09-25";
  private static final long MAX_AGE_SECONDS = FunctionSpec.DEFAULT_MAX_EVENT_AGE.toSeconds();

  private final ControlPlane control;

  LambdaEventInvokeConfigs(ControlPlane control) {
    this.control = control;
  }

  /** GetFunctionEventInvokeConfig: {@code 404} when the function has none (every setting at its default). */
  FullHttpResponse get(String functionName, String qualifier) {
    Deployment d = find(functionName, qualifier);
    if (!configured(d.spec())) {
      throw new NoConfig(d.name());
    }
    return ErrorResponses.json(HttpResponseStatus.OK, shape(d, qualifier(functionName, qualifier)));
  }

  /** ListFunctionEventInvokeConfigs: the function's one configuration, if it has one. */
  FullHttpResponse list(String functionName) {
    Deployment d = find(functionName, null);
    List<Object> configs = configured(d.spec()) ? List.of(shape(d, "$LATEST")) : List.of();
    return ErrorResponses.json(HttpResponseStatus.OK, Map.of("FunctionEventInvokeConfigs", configs));
  }

  /**
   * PutFunctionEventInvokeConfig ({@code replace}: what the body leaves out returns to its default)
   * and UpdateFunctionEventInvokeConfig (what it leaves out is kept).
   */
  FullHttpResponse put(String functionName, String qualifier, byte[] body, boolean replace) {
    Deployment current = find(functionName, qualifier);
    JsonNode req = JsonBodies.object(body);
    Deployment d = control.update(current.name(), s -> {
      FunctionSpec.Builder b = s.toBuilder();
      if (replace) {
        b.maxRetries(FunctionSettings.MAX_RETRIES.defaultValue()).maxEventAge(FunctionSettings.MAX_EVENT_AGE.defaultValue())
            .onSuccess(null).onFailure(null);
      }
      JsonNode retries = req.get("MaximumRetryAttempts");
      if (retries != null && !retries.isNull()) {
        if (!retries.isIntegralNumber() || retries.asInt() < 0 || retries.asInt() > 2) {
          throw new Failure.InvalidInput("MaximumRetryAttempts: " + retries + " (expected: 0, 1 or 2)");
        }
        b.maxRetries(retries.asInt());
      }
      JsonNode age = req.get("MaximumEventAgeInSeconds");
      if (age != null && !age.isNull()) {
        if (!age.isIntegralNumber() || age.asLong() < 1 || age.asLong() > MAX_AGE_SECONDS) {
          throw new Failure.InvalidInput("MaximumEventAgeInSeconds: " + age + " (expected: 1 to " + MAX_AGE_SECONDS
              + "; Lambda's least is 60)");
        }
        b.maxEventAge(Duration.ofSeconds(age.asLong()));
      }
      JsonNode config = req.get("DestinationConfig");
      if (config != null && !config.isNull()) {
        if (!config.isObject()) {
          throw new Failure.InvalidInput("DestinationConfig: " + config + " (expected: {OnSuccess: {Destination}, OnFailure: {Destination}})");
        }
        destination(config, "OnSuccess").ifPresent(v -> b.onSuccess(v.isEmpty() ? null : v));
        destination(config, "OnFailure").ifPresent(v -> b.onFailure(v.isEmpty() ? null : v));
      }
      return b.build();
    }, null);
    return ErrorResponses.json(HttpResponseStatus.OK, shape(d, qualifier(functionName, qualifier)));
  }

  /** DeleteFunctionEventInvokeConfig: every setting back to its default ({@code 204}); {@code 404} when there was none. */
  FullHttpResponse delete(String functionName, String qualifier) {
    Deployment current = find(functionName, qualifier);
    if (!configured(current.spec())) {
      throw new NoConfig(current.name());
    }
    control.update(current.name(), s -> s.toBuilder().maxRetries(FunctionSettings.MAX_RETRIES.defaultValue())
        .maxEventAge(FunctionSettings.MAX_EVENT_AGE.defaultValue()).onSuccess(null).onFailure(null).build(), null);
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  /** {@code OnSuccess.Destination} or {@code OnFailure.Destination}: empty to remove it, absent to leave it. */
  private static Optional<String> destination(JsonNode config, String field) {
    JsonNode v = config.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    JsonNode dest = v.get("Destination");
    if (!v.isObject() || (dest != null && !dest.isNull() && !dest.isTextual())) {
      throw new Failure.InvalidInput("DestinationConfig." + field + ": " + v + " (expected: {\"Destination\": \"ARN or URI\"})");
    }
    return Optional.of(dest == null || dest.isNull() ? "" : dest.asText().strip());
  }

  /** Whether the function has an event invoke configuration: any of its settings away from its default. */
  static boolean configured(FunctionSpec s) {
    return s.onSuccess() != null || s.onFailure() != null || s.maxRetries() != FunctionSettings.MAX_RETRIES.defaultValue()
        || !s.maxEventAge().equals(FunctionSettings.MAX_EVENT_AGE.defaultValue());
  }

  /** The {@code FunctionEventInvokeConfig} shape. */
  private static Map<String, Object> shape(Deployment d, String qualifier) {
    FunctionSpec s = d.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("LastModified", d.deployedAt().toEpochMilli() / 1000.0);
    m.put("FunctionArn", LambdaNames.arn(s.name()) + ":" + qualifier);
    m.put("MaximumRetryAttempts", s.maxRetries());
    m.put("MaximumEventAgeInSeconds", Math.max(1, s.maxEventAge().toSeconds()));
    Map<String, Object> destinations = new LinkedHashMap<>();
    s.successDestination().ifPresent(x -> destinations.put("OnSuccess", Map.of("Destination", x.arn())));
    s.failureDestination().ifPresent(x -> destinations.put("OnFailure", Map.of("Destination", x.arn())));
    m.put("DestinationConfig", destinations);
    return m;
  }

  private Deployment find(String functionName, String qualifier) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    LambdaFunctions.qualifier(ref, qualifier); // a name's qualifier and the query's must agree
    return control.find(ref.name()).orElseThrow(() -> new Failure.FunctionNotFound(ref.name()));
  }

  private static String qualifier(String functionName, String queryQualifier) {
    String q = LambdaFunctions.qualifier(LambdaNames.parse(functionName), queryQualifier);
    return q == null ? "$LATEST" : q;
  }

  /** Lambda's answer when a function has no event invoke configuration. */
  static final class NoConfig extends RuntimeException {
    NoConfig(String name) {
      super("The function " + LambdaNames.arn(name) + " doesn't have an EventInvokeConfig");
    }
  }
}
