package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.auth.UrlAuth;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Lambda API's management subset: CreateFunction, UpdateFunctionCode,
 * UpdateFunctionConfiguration, GetFunction, GetFunctionConfiguration, ListFunctions and
 * DeleteFunction, on the same control plane as {@code pilotlight deploy}. Every method blocks (the
 * store) and runs off the event loops; failures are thrown and mapped by {@link AwsErrorResponses}.
 */
final class LambdaFunctions {
  /** Lambda's defaults for a function created without them. */
  static final int DEFAULT_MEMORY_MB = 128;
  static final int DEFAULT_TIMEOUT_SECONDS = 3;

  private final ControlPlane control;

  LambdaFunctions(ControlPlane control) {
    this.control = control;
  }

  /**
   * The function a call names: its current revision, provided the qualifier (from the name or
   * {@code ?Qualifier=}) is absent, {@code $LATEST} or that revision's number.
   */
  static Deployment resolve(Function<String, Optional<Deployment>> lookup, String functionName, String queryQualifier) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    String qualifier = ref.qualifier();
    if (queryQualifier != null && !queryQualifier.isEmpty()) {
      if (qualifier != null && !qualifier.equals(queryQualifier)) {
        throw new Failure.InvalidInput("The derived qualifier from the function name ('" + qualifier
            + "') does not match the specified qualifier ('" + queryQualifier + "')");
      }
      qualifier = queryQualifier;
    }
    Deployment d = lookup.apply(ref.name()).orElseThrow(() -> new Failure.FunctionNotFound(ref.name()));
    if (qualifier != null && !qualifier.equals("$LATEST") && !qualifier.equals(Long.toString(d.revision()))) {
      throw new Failure.FunctionNotFound(ref.name() + ":" + qualifier);
    }
    return d;
  }

  FullHttpResponse list(QueryStringDecoder query) {
    int max = intParam(query, "MaxItems", 50, 1, 10_000);
    String marker = first(query, "Marker");
    List<Map<String, Object>> page = new ArrayList<>();
    String next = null;
    for (Deployment d : control.list()) { // sorted by name
      if (marker != null && d.name().compareTo(marker) <= 0) {
        continue;
      }
      if (page.size() == max) {
        next = (String) page.getLast().get("FunctionName");
        break;
      }
      page.add(FunctionConfiguration.of(d));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Functions", page);
    if (next != null) {
      body.put("NextMarker", next);
    }
    return ErrorResponses.json(HttpResponseStatus.OK, body);
  }

  FullHttpResponse create(byte[] body) {
    JsonNode req = JsonBodies.object(body);
    if (req.hasNonNull("PackageType") && !req.get("PackageType").asText().equals("Zip")) {
      throw new Failure.InvalidInput("PackageType: '" + req.get("PackageType").asText() + "' (Pilotlight runs Zip packages only)");
    }
    LambdaNames.Ref ref = LambdaNames.parse(text(req, "FunctionName"));
    if (ref.qualifier() != null) {
      throw new Failure.InvalidInput("FunctionName: '" + text(req, "FunctionName") + "' (expected a name without a qualifier)");
    }
    String runtime = text(req, "Runtime");
    if (runtime == null) {
      throw new Failure.InvalidInput("Runtime is missing (expected one of: " + Runtime.accepted() + ")");
    }
    byte[] zip = zipFile(req.path("Code"), "Code");
    FunctionSpec spec = FunctionSpec.builder().name(ref.name()).runtime(Runtime.parse(runtime)).handler(text(req, "Handler"))
        .memoryMb(integer(req, "MemorySize", DEFAULT_MEMORY_MB)).timeout(Duration.ofSeconds(integer(req, "Timeout", DEFAULT_TIMEOUT_SECONDS)))
        .ephemeralStorageMb(ephemeralStorage(req, FunctionSpec.DEFAULT_EPHEMERAL_STORAGE_MB))
        .env(environment(req, Map.of())).build();
    Deployment d = control.create(spec, new ByteArrayInputStream(zip));
    return ErrorResponses.json(HttpResponseStatus.CREATED, FunctionConfiguration.of(d));
  }

  FullHttpResponse get(String functionName, String qualifier) {
    Deployment d = resolve(control::find, functionName, qualifier);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Configuration", FunctionConfiguration.of(d));
    body.put("Code", Map.of()); // no Location: the package is not offered for download
    return ErrorResponses.json(HttpResponseStatus.OK, body);
  }

  FullHttpResponse getConfiguration(String functionName, String qualifier) {
    return ErrorResponses.json(HttpResponseStatus.OK, FunctionConfiguration.of(resolve(control::find, functionName, qualifier)));
  }

  FullHttpResponse updateCode(String functionName, byte[] body) {
    String name = resolve(control::find, functionName, null).name();
    byte[] zip = zipFile(JsonBodies.object(body), "");
    Deployment d = control.update(name, spec -> spec, new ByteArrayInputStream(zip));
    return ErrorResponses.json(HttpResponseStatus.OK, FunctionConfiguration.of(d));
  }

  FullHttpResponse updateConfiguration(String functionName, byte[] body) {
    String name = resolve(control::find, functionName, null).name();
    JsonNode req = JsonBodies.object(body);
    Deployment d = control.update(name, s -> s.toBuilder()
        .runtime(req.hasNonNull("Runtime") ? Runtime.parse(text(req, "Runtime")) : s.runtime())
        .handler(req.hasNonNull("Handler") ? text(req, "Handler") : s.handler())
        .memoryMb(integer(req, "MemorySize", s.memoryMb()))
        .timeout(req.hasNonNull("Timeout") ? Duration.ofSeconds(integer(req, "Timeout", 0)) : s.timeout())
        .ephemeralStorageMb(ephemeralStorage(req, s.ephemeralStorageMb()))
        .env(environment(req, s.env()))
        .build(), null);
    return ErrorResponses.json(HttpResponseStatus.OK, FunctionConfiguration.of(d));
  }

  /**
   * GetFunctionUrlConfig. Every function has its URL here ({@code /fn/NAME/}); its config is the
   * function's {@code auth} setting: {@code NONE}, {@code AWS_IAM}, or {@code TOKEN} (Pilotlight's own).
   */
  FullHttpResponse getUrlConfig(String functionName, String urlBase) {
    Deployment d = resolve(control::find, functionName, null);
    return ErrorResponses.json(HttpResponseStatus.OK, urlConfig(d, urlBase));
  }

  /** CreateFunctionUrlConfig ({@code 201}) and UpdateFunctionUrlConfig ({@code 200}): sets the function's {@code auth} and {@code invokeMode}. */
  FullHttpResponse putUrlConfig(String functionName, byte[] body, String urlBase, boolean create) {
    String name = resolve(control::find, functionName, null).name();
    JsonNode req = JsonBodies.object(body);
    String authType = req.hasNonNull("AuthType") ? text(req, "AuthType") : null;
    if (create && authType == null) {
      throw new Failure.InvalidInput("AuthType is required (NONE or AWS_IAM)");
    }
    String auth = authType == null ? null : switch (authType) {
      case "NONE" -> "none";
      case "AWS_IAM" -> "aws_iam";
      case "TOKEN" -> "token";
      default -> throw new Failure.InvalidInput("AuthType: '" + authType + "' (expected: NONE or AWS_IAM, or Pilotlight's TOKEN)");
    };
    String mode = req.hasNonNull("InvokeMode") ? text(req, "InvokeMode") : null;
    if (mode != null && !mode.equals("BUFFERED") && !mode.equals("RESPONSE_STREAM")) {
      throw new Failure.InvalidInput("InvokeMode: '" + mode + "' (expected: BUFFERED or RESPONSE_STREAM)");
    }
    Deployment d = auth == null && mode == null ? resolve(control::find, name, null) : control.update(name, s -> {
      FunctionSpec.Builder b = s.toBuilder();
      if (auth != null) {
        b.auth(auth);
      }
      if (mode != null) {
        b.invokeMode(mode);
      }
      return b.build();
    }, null);
    return ErrorResponses.json(create ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, urlConfig(d, urlBase));
  }

  private static Map<String, Object> urlConfig(Deployment d, String urlBase) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("FunctionUrl", urlBase + "/fn/" + d.name() + "/");
    m.put("FunctionArn", LambdaNames.arn(d.name()));
    m.put("AuthType", UrlAuth.parse(d.spec().auth()).name());
    m.put("InvokeMode", d.spec().streamsUrlResponses() ? FunctionSpec.RESPONSE_STREAM : "BUFFERED");
    m.put("CreationTime", d.deployedAt().toString());
    m.put("LastModifiedTime", d.deployedAt().toString());
    return m;
  }

  FullHttpResponse delete(String functionName, String qualifier) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    String q = qualifier != null ? qualifier : ref.qualifier();
    if (q != null && !q.equals("$LATEST")) {
      throw new Failure.InvalidInput("Qualifier: '" + q + "' (Pilotlight has no published versions to delete; delete the function itself)");
    }
    if (!control.delete(ref.name())) {
      throw new Failure.FunctionNotFound(ref.name());
    }
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  /** {@code ZipFile} (base64) from {@code code}; other code sources are refused by name. */
  private static byte[] zipFile(JsonNode code, String where) {
    String prefix = where.isEmpty() ? "" : where + ".";
    for (String other : List.of("S3Bucket", "S3Key", "ImageUri")) {
      if (code.hasNonNull(other)) {
        throw new Failure.InvalidInput(prefix + other + " is not supported (upload the package as " + prefix + "ZipFile)");
      }
    }
    JsonNode zip = code.get("ZipFile");
    if (zip == null || !zip.isTextual()) {
      throw new Failure.InvalidInput(prefix + "ZipFile is missing (expected the package zip, base64-encoded)");
    }
    try {
      return Base64.getMimeDecoder().decode(zip.asText());
    } catch (IllegalArgumentException e) {
      throw new Failure.InvalidInput(prefix + "ZipFile is not base64: " + e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Failure.InvalidInput(field + ": " + v + " (expected: a string)");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field, int dflt) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new Failure.InvalidInput(field + ": " + v + " (expected: an integer)");
    }
    return v.asInt();
  }

  /** {@code EphemeralStorage.Size} (MB) when given, else {@code current}. */
  private static int ephemeralStorage(JsonNode req, int current) {
    JsonNode storage = req.get("EphemeralStorage");
    if (storage == null || storage.isNull()) {
      return current;
    }
    if (!storage.isObject()) {
      throw new Failure.InvalidInput("EphemeralStorage: " + storage + " (expected: an object with Size in MB)");
    }
    return integer(storage, "Size", current);
  }

  /** {@code Environment.Variables} when given (it replaces the whole environment, as on Lambda), else {@code current}. */
  private static Map<String, String> environment(JsonNode req, Map<String, String> current) {
    JsonNode env = req.get("Environment");
    if (env == null || env.isNull()) {
      return current;
    }
    JsonNode vars = env.path("Variables");
    Map<String, String> out = new LinkedHashMap<>();
    if (vars.isObject()) {
      vars.properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    } else if (!vars.isMissingNode() && !vars.isNull()) {
      throw new Failure.InvalidInput("Environment.Variables: " + vars + " (expected: an object of NAME: value)");
    }
    return out;
  }

  private static String first(QueryStringDecoder q, String key) {
    List<String> v = q.parameters().get(key);
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  private static int intParam(QueryStringDecoder q, String key, int dflt, int min, int max) {
    String v = first(q, key);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Failure.InvalidInput(key + ": '" + v + "' (expected: " + min + ".." + max + ")");
    }
  }
}
