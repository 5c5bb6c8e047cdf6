package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.auth.UrlAuth;
import dev.pilotlight.model.release.Alias;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
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
    String qualifier = qualifier(ref, queryQualifier);
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
    JsonNode req = JsonBodies.objectWithout(body, "/Code/ZipFile"); // the package is decoded from the body apart
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
    byte[] zip = zipFile(req.path("Code"), "Code", body);
    FunctionSpec spec = FunctionSpec.builder().name(ref.name()).runtime(Runtime.parse(runtime)).awsRuntime(runtime).handler(text(req, "Handler"))
        .memoryMb(integer(req, "MemorySize", DEFAULT_MEMORY_MB)).timeout(Duration.ofSeconds(integer(req, "Timeout", DEFAULT_TIMEOUT_SECONDS)))
        .ephemeralStorageMb(ephemeralStorage(req, FunctionSpec.DEFAULT_EPHEMERAL_STORAGE_MB))
        .env(environment(req, Map.of())).deadLetter(deadLetter(req, null))
        .description(text(req, "Description")).role(text(req, "Role")).tags(LambdaTags.of(req.get("Tags"), "Tags")).build();
    Deployment d = control.create(spec, new ByteArrayInputStream(zip));
    return ErrorResponses.json(HttpResponseStatus.CREATED, FunctionConfiguration.of(d));
  }

  FullHttpResponse get(String functionName, String qualifier) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Configuration", configuration(functionName, qualifier));
    body.put("Code", Map.of()); // no Location: the package is not offered for download
    String name = LambdaNames.parse(functionName).name();
    FunctionSpec latest = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name)).spec(); // tags, concurrency: the function's
    body.put("Tags", latest.tags());
    if (latest.reservedConcurrency() != null) {
      body.put("Concurrency", Map.of("ReservedConcurrentExecutions", latest.reservedConcurrency()));
    }
    return ErrorResponses.json(HttpResponseStatus.OK, body);
  }

  FullHttpResponse getConfiguration(String functionName, String qualifier) {
    return ErrorResponses.json(HttpResponseStatus.OK, configuration(functionName, qualifier));
  }

  /** The configuration of the version the name and qualifier say: {@code $LATEST}, a revision number, or an alias's version. */
  private Map<String, Object> configuration(String functionName, String queryQualifier) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    String q = qualifier(ref, queryQualifier);
    Deployment latest = control.find(ref.name()).orElseThrow(() -> new Failure.FunctionNotFound(ref.name()));
    if (q == null || q.equals("$LATEST")) {
      return FunctionConfiguration.of(latest);
    }
    long revision = versionOf(ref.name(), q, latest);
    Deployment d = control.revision(ref.name(), revision).orElseThrow(() -> new Failure.FunctionNotFound(ref.name() + ":" + q));
    return FunctionConfiguration.of(d, Long.toString(revision));
  }

  /** The revision a version number or an alias (its primary version) names. */
  private long versionOf(String name, String q, Deployment latest) {
    if (q.chars().allMatch(Character::isDigit) && !q.isEmpty() && q.length() <= 18) {
      return Long.parseLong(q);
    }
    Alias a = control.releases(name).alias(q).orElseThrow(() -> new Failure.FunctionNotFound(name + ":" + q));
    return a.revision() == null ? latest.revision() : a.revision();
  }

  /** The qualifier from the name ({@code NAME:Q}) or the query ({@code ?Qualifier=}), which must agree. */
  static String qualifier(LambdaNames.Ref ref, String queryQualifier) {
    String q = ref.qualifier();
    if (queryQualifier != null && !queryQualifier.isEmpty()) {
      if (q != null && !q.equals(queryQualifier)) {
        throw new Failure.InvalidInput("The derived qualifier from the function name ('" + q
            + "') does not match the specified qualifier ('" + queryQualifier + "')");
      }
      q = queryQualifier;
    }
    return q;
  }

  // ---- versions and aliases ------------------------------------------------------------------------------

  /** PublishVersion: the latest revision as a version, kept until deleted (a revision number is its version number). */
  FullHttpResponse publishVersion(String functionName, byte[] body) {
    String name = unqualified(functionName);
    JsonNode req = body.length == 0 ? JsonBodies.object("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) : JsonBodies.object(body);
    Deployment latest = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name));
    String sha = text(req, "CodeSha256");
    if (sha != null && !sha.equals(FunctionConfiguration.of(latest).get("CodeSha256"))) {
      throw new Failure.InvalidInput("CodeSha256: '" + sha + "' is not the code of $LATEST (it changed since you read it)");
    }
    Deployment d = control.publish(name);
    return ErrorResponses.json(HttpResponseStatus.CREATED, FunctionConfiguration.of(d, Long.toString(d.revision())));
  }

  /**
   * ListVersionsByFunction: {@code $LATEST}, then every published version, oldest first (as on
   * Lambda; any kept revision can be invoked by its number all the same).
   */
  FullHttpResponse listVersions(String functionName) {
    String name = unqualified(functionName);
    Deployment latest = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name));
    List<Map<String, Object>> versions = new ArrayList<>();
    versions.add(FunctionConfiguration.of(latest));
    java.util.Set<Long> published = control.published(name);
    for (Deployment d : control.revisions(name)) {
      if (published.contains(d.revision())) {
        versions.add(FunctionConfiguration.of(d, Long.toString(d.revision())));
      }
    }
    return ErrorResponses.json(HttpResponseStatus.OK, Map.of("Versions", versions));
  }

  /** CreateAlias ({@code create}) or UpdateAlias, whose fields left out keep their values. */
  FullHttpResponse putAlias(String functionName, String aliasName, byte[] body, boolean create) {
    String name = unqualified(functionName);
    JsonNode req = JsonBodies.object(body);
    String alias = create ? text(req, "Name") : aliasName;
    if (alias == null) {
      throw new Failure.InvalidInput("Name is missing (the alias's name)");
    }
    Alias.validateName(alias);
    Alias old = create ? null : control.releases(name).alias(alias).orElseThrow(() -> new Failure.FunctionNotFound(name + ":" + alias));
    String version = text(req, "FunctionVersion");
    if (version == null && old == null) {
      throw new Failure.InvalidInput("FunctionVersion is missing (a version number or $LATEST)");
    }
    Long revision = version == null ? old.revision() : parseVersion(version, "FunctionVersion");
    Long extra = old == null ? null : old.additionalRevision();
    double weight = old == null ? 0 : old.additionalWeight();
    JsonNode routing = req.get("RoutingConfig");
    if (routing != null && !routing.isNull()) {
      JsonNode weights = routing.path("AdditionalVersionWeights");
      extra = null;
      weight = 0;
      if (weights.isObject() && weights.size() > 1) {
        throw new Failure.InvalidInput("RoutingConfig.AdditionalVersionWeights: " + weights.size() + " versions (at most 1, as on Lambda)");
      }
      if (weights.isObject() && weights.size() == 1) {
        var e = weights.fields().next();
        extra = parseVersion(e.getKey(), "RoutingConfig.AdditionalVersionWeights");
        if (extra == null) {
          throw new Failure.InvalidInput("RoutingConfig.AdditionalVersionWeights: $LATEST cannot take a share (give a version number)");
        }
        if (!e.getValue().isNumber()) {
          throw new Failure.InvalidInput("RoutingConfig.AdditionalVersionWeights: " + e.getValue() + " (expected: a number from 0.0 to 1.0)");
        }
        weight = e.getValue().asDouble();
      }
    }
    String description = req.hasNonNull("Description") ? text(req, "Description") : old == null ? "" : old.description();
    Alias a = control.alias(name, new Alias(alias, revision, extra, weight, description), create);
    return ErrorResponses.json(create ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, aliasConfiguration(name, a));
  }

  FullHttpResponse getAlias(String functionName, String alias) {
    String name = unqualified(functionName);
    Alias a = control.releases(name).alias(alias).orElseThrow(() -> new Failure.FunctionNotFound(name + ":" + alias));
    return ErrorResponses.json(HttpResponseStatus.OK, aliasConfiguration(name, a));
  }

  FullHttpResponse listAliases(String functionName, QueryStringDecoder query) {
    String name = unqualified(functionName);
    String version = first(query, "FunctionVersion");
    List<Map<String, Object>> out = new ArrayList<>();
    for (Alias a : control.releases(name).aliases()) {
      if (version == null || version.equals(a.version())) {
        out.add(aliasConfiguration(name, a));
      }
    }
    return ErrorResponses.json(HttpResponseStatus.OK, Map.of("Aliases", out));
  }

  FullHttpResponse deleteAlias(String functionName, String alias) {
    String name = unqualified(functionName);
    if (control.find(name).isEmpty()) {
      throw new Failure.FunctionNotFound(name);
    }
    control.deleteAlias(name, alias); // deleting one that is not there is no error, as on Lambda
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  static Map<String, Object> aliasConfiguration(String function, Alias a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("AliasArn", LambdaNames.arn(function) + ":" + a.name());
    m.put("Name", a.name());
    m.put("FunctionVersion", a.version());
    m.put("Description", a.description());
    if (a.additionalRevision() != null) {
      m.put("RoutingConfig", Map.of("AdditionalVersionWeights", Map.of(Long.toString(a.additionalRevision()), a.additionalWeight())));
    }
    m.put("RevisionId", Integer.toHexString(a.hashCode()));
    return m;
  }

  /** A version number, or null for {@code $LATEST}. */
  private static Long parseVersion(String v, String field) {
    if (v.equals("$LATEST")) {
      return null;
    }
    if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(Character::isDigit) || Long.parseLong(v) < 1) {
      throw new Failure.InvalidInput(field + ": '" + v + "' (expected: a version number or $LATEST)");
    }
    return Long.parseLong(v);
  }

  private static String unqualified(String functionName) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    if (ref.qualifier() != null) {
      throw new Failure.InvalidInput("FunctionName: '" + functionName + "' (expected a name without a qualifier here)");
    }
    return ref.name();
  }

  FullHttpResponse updateCode(String functionName, byte[] body) {
    String name = resolve(control::find, functionName, null).name();
    byte[] zip = zipFile(JsonBodies.objectWithout(body, "/ZipFile"), "", body);
    Deployment d = control.update(name, spec -> spec, new ByteArrayInputStream(zip));
    return ErrorResponses.json(HttpResponseStatus.OK, FunctionConfiguration.of(d));
  }

  FullHttpResponse updateConfiguration(String functionName, byte[] body) {
    String name = resolve(control::find, functionName, null).name();
    JsonNode req = JsonBodies.object(body);
    Deployment d = control.update(name, s -> s.toBuilder()
        .runtime(req.hasNonNull("Runtime") ? Runtime.parse(text(req, "Runtime")) : s.runtime())
        .awsRuntime(req.hasNonNull("Runtime") ? text(req, "Runtime") : s.awsRuntime())
        .description(req.has("Description") ? text(req, "Description") : s.description())
        .role(req.hasNonNull("Role") ? text(req, "Role") : s.role())
        .handler(req.hasNonNull("Handler") ? text(req, "Handler") : s.handler())
        .memoryMb(integer(req, "MemorySize", s.memoryMb()))
        .timeout(req.hasNonNull("Timeout") ? Duration.ofSeconds(integer(req, "Timeout", 0)) : s.timeout())
        .ephemeralStorageMb(ephemeralStorage(req, s.ephemeralStorageMb()))
        .env(environment(req, s.env()))
        .deadLetter(deadLetter(req, s.deadLetter()))
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
    String q = qualifier(ref, qualifier);
    if (q != null && !q.equals("$LATEST")) {
      Long revision = parseVersion(q, "Qualifier");
      control.deleteRevision(ref.name(), revision); // one version: refused while an alias or the traffic split uses it
      return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    }
    if (!control.delete(ref.name())) {
      throw new Failure.FunctionNotFound(ref.name());
    }
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  /**
   * {@code ZipFile} (base64) of {@code code} (read without it), decoded from {@code body}; other
   * code sources are refused by name.
   */
  private static byte[] zipFile(JsonNode code, String where, byte[] body) {
    String prefix = where.isEmpty() ? "" : where + ".";
    for (String other : List.of("S3Bucket", "S3Key", "ImageUri")) {
      if (code.hasNonNull(other)) {
        throw new Failure.InvalidInput(prefix + other + " is not supported (upload the package as " + prefix + "ZipFile)");
      }
    }
    String pointer = where.isEmpty() ? "/ZipFile" : "/" + where + "/ZipFile";
    return JsonBodies.base64At(body, pointer, prefix + "ZipFile")
        .orElseThrow(() -> new Failure.InvalidInput(prefix + "ZipFile is missing (expected the package zip, base64-encoded)"));
  }

  static String text(JsonNode n, String field) {
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

  /** {@code DeadLetterConfig.TargetArn} when given (empty: none), else {@code current}. */
  private static String deadLetter(JsonNode req, String current) {
    JsonNode config = req.get("DeadLetterConfig");
    if (config == null || config.isNull()) {
      return current;
    }
    if (!config.isObject()) {
      throw new Failure.InvalidInput("DeadLetterConfig: " + config + " (expected: an object with TargetArn)");
    }
    String target = text(config, "TargetArn");
    return target == null || target.isBlank() ? null : target;
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
