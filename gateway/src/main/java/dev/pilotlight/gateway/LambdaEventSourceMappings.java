package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.sources.EventSources;
import dev.pilotlight.sources.SourceDescription;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's event source mapping operations ({@code /2015-03-31/event-source-mappings/…}) over the
 * daemon's {@link EventSources}, in AWS's shapes for self-managed Kafka ({@code
 * SelfManagedEventSource}, {@code Topics}) and for Amazon MQ for RabbitMQ ({@code EventSourceArn},
 * {@code Queues}, {@code SourceAccessConfigurations}), so deploy tools that make mappings work
 * unchanged where they can. What a broker on AWS names by an ARN (an Amazon MQ broker, a Secrets
 * Manager secret) is named here by its address and its credentials (see
 * docs/lambda-compatibility.md#event-source-mappings); any Pilotlight source URI is also taken as
 * {@code EventSourceArn}.
 */
final class LambdaEventSourceMappings {
  /** Lambda's default and largest page for ListEventSourceMappings. */
  static final int DEFAULT_MAX_ITEMS = 100;

  private static final List<String> SOURCE_SCHEMES = List.of("rabbitmq", "amqp", "amqps", "mqtt", "mqtts", "kafka", "kafkas", "nats", "tls");
  private static final List<String> CREATE_KEYS = List.of("FunctionName", "EventSourceArn", "Enabled", "BatchSize",
      "MaximumBatchingWindowInSeconds", "FilterCriteria", "StartingPosition", "DestinationConfig", "MaximumRetryAttempts", "Topics", "Queues",
      "SourceAccessConfigurations", "SelfManagedEventSource", "SelfManagedKafkaEventSourceConfig", "FunctionResponseTypes", "Tags",
      "KMSKeyArn");
  private static final List<String> UPDATE_KEYS = List.of("FunctionName", "Enabled", "BatchSize", "MaximumBatchingWindowInSeconds",
      "FilterCriteria", "MaximumRetryAttempts", "DestinationConfig", "SourceAccessConfigurations", "FunctionResponseTypes", "KMSKeyArn");

  private final EventSources sources;
  private final ControlPlane control;

  LambdaEventSourceMappings(EventSources sources, ControlPlane control) {
    this.sources = sources;
    this.control = control;
  }

  /** CreateEventSourceMapping: {@code 202} with the mapping, as Lambda answers. */
  FullHttpResponse create(byte[] body) {
    JsonNode req = JsonBodies.object(body);
    knownKeys(req, CREATE_KEYS);
    String function = function(req);
    if (control.find(function).isEmpty()) {
      throw new Failure.FunctionNotFound(function);
    }
    notSupported(req);
    String source = sourceOf(req);
    String onFailure = onFailure(req.get("DestinationConfig"));
    try {
      EventSources.View v = sources.add(function, source, integer(req, "BatchSize"), window(req), retries(req), onFailure, filters(req));
      if (req.path("Enabled").isBoolean() && !req.get("Enabled").asBoolean()) {
        sources.enable(function, v.mapping().uuid(), false);
        v = sources.find(function, v.mapping().uuid()).orElse(v);
      }
      return ErrorResponses.json(HttpResponseStatus.ACCEPTED, configuration(v));
    } catch (IllegalArgumentException e) {
      throw new Failure.InvalidInput(e.getMessage());
    }
  }

  /** ListEventSourceMappings: by {@code FunctionName} and {@code EventSourceArn} when given, paged by {@code Marker} and {@code MaxItems}. */
  FullHttpResponse list(QueryStringDecoder query) {
    String functionName = first(query, "FunctionName");
    String function = functionName == null ? null : LambdaNames.parse(functionName).name();
    String arn = first(query, "EventSourceArn");
    int max = DEFAULT_MAX_ITEMS;
    String maxItems = first(query, "MaxItems");
    if (maxItems != null) {
      try {
        max = Integer.parseInt(maxItems);
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1 || max > 10_000) {
        throw new Failure.InvalidInput("MaxItems: '" + maxItems + "' (expected: 1 to 10000)");
      }
    }
    List<Map<String, Object>> all = new ArrayList<>();
    for (EventSources.View v : sources.all()) {
      if (function != null && !v.mapping().function().equals(function)) {
        continue;
      }
      Map<String, Object> c = configuration(v);
      if (arn != null && !arn.equals(c.get("EventSourceArn"))) {
        continue;
      }
      all.add(c);
    }
    int from = 0;
    String marker = first(query, "Marker");
    if (marker != null) {
      try {
        from = Integer.parseInt(marker);
      } catch (NumberFormatException e) {
        throw new Failure.InvalidInput("Marker: '" + marker + "' (expected: a NextMarker this API returned)");
      }
    }
    int to = Math.min(all.size(), from + max);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("EventSourceMappings", from >= all.size() ? List.of() : all.subList(from, to));
    if (to < all.size()) {
      out.put("NextMarker", Integer.toString(to));
    }
    return ErrorResponses.json(HttpResponseStatus.OK, out);
  }

  FullHttpResponse get(String uuid) {
    return ErrorResponses.json(HttpResponseStatus.OK, configuration(byUuid(uuid)));
  }

  /** UpdateEventSourceMapping: what is given changes; the function, source and failure destination stay. */
  FullHttpResponse update(String uuid, byte[] body) {
    JsonNode req = JsonBodies.object(body);
    knownKeys(req, UPDATE_KEYS);
    EventSources.View v = byUuid(uuid);
    String function = v.mapping().function();
    if (req.hasNonNull("FunctionName") && !LambdaNames.parse(req.get("FunctionName").asText()).name().equals(function)) {
      throw new Failure.InvalidInput("FunctionName: a mapping stays with its function in Pilotlight (delete it and create one for the other)");
    }
    notSupported(req);
    if (req.hasNonNull("SourceAccessConfigurations")) {
      throw new Failure.InvalidInput("SourceAccessConfigurations: a mapping's broker credentials do not change in Pilotlight (delete it and create "
          + "it again)");
    }
    if (req.hasNonNull("DestinationConfig") && !java.util.Objects.equals(onFailure(req.get("DestinationConfig")), v.mapping().onFailure())) {
      throw new Failure.InvalidInput("DestinationConfig: a mapping's failure destination does not change in Pilotlight (delete it and create it "
          + "again)");
    }
    try {
      EventSources.View updated = sources.update(function, uuid, integer(req, "BatchSize"), window(req), retries(req),
          req.has("FilterCriteria") ? filters(req) : null, req.path("Enabled").isBoolean() ? req.get("Enabled").asBoolean() : null)
          .orElseThrow(() -> notFound(uuid));
      return ErrorResponses.json(HttpResponseStatus.ACCEPTED, configuration(updated));
    } catch (IllegalArgumentException e) {
      throw new Failure.InvalidInput(e.getMessage());
    }
  }

  /** DeleteEventSourceMapping: {@code 202} with the mapping as it was, in state {@code Deleting}. */
  FullHttpResponse delete(String uuid) {
    EventSources.View v = byUuid(uuid);
    if (!sources.remove(v.mapping().function(), uuid)) {
      throw notFound(uuid);
    }
    Map<String, Object> c = configuration(v);
    c.put("State", "Deleting");
    return ErrorResponses.json(HttpResponseStatus.ACCEPTED, c);
  }

  private EventSources.View byUuid(String uuid) {
    return sources.find(uuid).orElseThrow(() -> notFound(uuid));
  }

  private static Failure.FunctionNotFound notFound(String uuid) {
    return new Failure.FunctionNotFound("event source mapping " + uuid);
  }

  // ---- requests -----------------------------------------------------------------------------------

  private static void knownKeys(JsonNode req, List<String> known) {
    for (var field : req.properties()) {
      if (!known.contains(field.getKey())) {
        throw new Failure.InvalidInput("'" + field.getKey() + "' is not supported by Pilotlight here (known: " + String.join(", ", known) + ")");
      }
    }
  }

  private static String function(JsonNode req) {
    LambdaNames.Ref ref = LambdaNames.parse(req.path("FunctionName").isTextual() ? req.get("FunctionName").asText() : null);
    if (ref.qualifier() != null) {
      throw new Failure.InvalidInput("FunctionName: '" + req.get("FunctionName").asText() + "': a mapping invokes what the function URL serves; "
          + "a version or alias qualifier is not supported");
    }
    return ref.name();
  }

  /** What Lambda offers for other sources, refused with the reason rather than ignored. */
  private static void notSupported(JsonNode req) {
    if (req.hasNonNull("FunctionResponseTypes") && !req.get("FunctionResponseTypes").isEmpty()) {
      throw new Failure.InvalidInput("FunctionResponseTypes: ReportBatchItemFailures is not supported for these sources (nor for Kafka and "
          + "Amazon MQ on Lambda): a batch succeeds or fails whole");
    }
    if (req.hasNonNull("KMSKeyArn")) {
      throw new Failure.InvalidInput("KMSKeyArn: Pilotlight keeps filter criteria in its data directory and encrypts them with no KMS key");
    }
  }

  /** The Pilotlight source URI for a request: Kafka's self-managed shape, Amazon MQ's with the broker's address, or a source URI. */
  static String sourceOf(JsonNode req) {
    JsonNode servers = req.path("SelfManagedEventSource").path("Endpoints").path("KAFKA_BOOTSTRAP_SERVERS");
    String arn = req.path("EventSourceArn").isTextual() ? req.get("EventSourceArn").asText() : null;
    if (!servers.isMissingNode()) {
      if (arn != null) {
        throw new Failure.InvalidInput("give either EventSourceArn or SelfManagedEventSource, not both");
      }
      return kafka(req, servers);
    }
    if (arn == null) {
      throw new Failure.InvalidInput("expected SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS (with Topics) for Kafka, or "
          + "EventSourceArn: the address of a RabbitMQ broker (amqp://HOST:5672, with Queues) or a Pilotlight source URI");
    }
    if (arn.startsWith("arn:")) {
      throw new Failure.InvalidInput("EventSourceArn: '" + arn + "': Pilotlight reaches a broker by its address, not an AWS ARN; give "
          + "amqp://HOST:5672 (amqps:// for TLS) with Queues and SourceAccessConfigurations BASIC_AUTH (URI: USER:PASSWORD), or a source URI "
          + "such as mqtt://HOST:1883?topic=FILTER (see docs/lambda-compatibility.md)");
    }
    URI u = uri(arn, "EventSourceArn");
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!SOURCE_SCHEMES.contains(scheme)) {
      throw new Failure.InvalidInput("EventSourceArn: '" + EventSourceMapping.redact(arn) + "' (expected amqp://HOST:5672 with Queues, or a "
          + "source URI: " + String.join("://, ", SOURCE_SCHEMES) + "://)");
    }
    boolean rabbit = scheme.equals("amqp") || scheme.equals("amqps") || scheme.equals("rabbitmq");
    if (rabbit && req.has("Queues")) {
      return rabbit(req, u, scheme);
    }
    if (req.has("Queues") || req.has("Topics") || req.has("SourceAccessConfigurations")) {
      throw new Failure.InvalidInput("Queues, Topics and SourceAccessConfigurations go with amqp://HOST:PORT or SelfManagedEventSource; "
          + "a source URI carries its own (" + EventSourceMapping.redact(arn) + ")");
    }
    return arn;
  }

  private static String kafka(JsonNode req, JsonNode servers) {
    List<String> hosts = new ArrayList<>();
    if (servers.isArray()) {
      servers.forEach(s -> hosts.add(s.asText().strip()));
    }
    if (hosts.isEmpty() || hosts.stream().anyMatch(h -> h.isEmpty() || h.contains("/") || h.contains("@") || h.contains(","))) {
      throw new Failure.InvalidInput("SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS: expected a list of HOST:PORT");
    }
    String topic = single(req, "Topics");
    StringBuilder uri = new StringBuilder("kafka://");
    String sasl = null;
    for (JsonNode access : req.path("SourceAccessConfigurations")) {
      String type = access.path("Type").asText();
      String mechanism = switch (type) {
        case "BASIC_AUTH" -> "plain";
        case "SASL_SCRAM_256_AUTH" -> "scram-sha-256";
        case "SASL_SCRAM_512_AUTH" -> "scram-sha-512";
        default -> throw new Failure.InvalidInput("SourceAccessConfigurations: Type " + type + " is not supported for Kafka here (supported: "
            + "BASIC_AUTH, SASL_SCRAM_256_AUTH, SASL_SCRAM_512_AUTH)");
      };
      if (sasl != null) {
        throw new Failure.InvalidInput("SourceAccessConfigurations: one authentication entry at most");
      }
      sasl = mechanism;
      uri.append(credentials(access));
    }
    uri.append(String.join(",", hosts)).append("?topic=").append(enc(topic));
    String group = req.path("SelfManagedKafkaEventSourceConfig").path("ConsumerGroupId").asText("");
    if (!group.isEmpty()) {
      uri.append("&group=").append(enc(group));
    }
    String start = req.path("StartingPosition").asText("LATEST");
    if (!start.equals("LATEST") && !start.equals("TRIM_HORIZON")) {
      throw new Failure.InvalidInput("StartingPosition: '" + start + "' (expected LATEST or TRIM_HORIZON)");
    }
    uri.append("&start=").append(start.toLowerCase(Locale.ROOT));
    if (sasl != null) {
      uri.append("&sasl=").append(sasl);
    }
    return uri.toString();
  }

  private static String rabbit(JsonNode req, URI broker, String scheme) {
    if (broker.getRawQuery() != null || (broker.getRawPath() != null && !broker.getRawPath().isEmpty() && !broker.getRawPath().equals("/"))) {
      throw new Failure.InvalidInput("EventSourceArn: with Queues, give the broker's address alone (amqp://HOST:5672); the virtual host goes in "
          + "SourceAccessConfigurations VIRTUAL_HOST");
    }
    String queue = single(req, "Queues");
    String user = "";
    String vhost = "/";
    for (JsonNode access : req.path("SourceAccessConfigurations")) {
      String type = access.path("Type").asText();
      switch (type) {
        case "BASIC_AUTH" -> user = credentials(access);
        case "VIRTUAL_HOST" -> vhost = access.path("URI").asText("/");
        default -> throw new Failure.InvalidInput("SourceAccessConfigurations: Type " + type + " is not supported for RabbitMQ here "
            + "(supported: BASIC_AUTH, VIRTUAL_HOST)");
      }
    }
    String host = broker.getHost() + (broker.getPort() > 0 ? ":" + broker.getPort() : "");
    return (scheme.equals("amqps") ? "amqps" : "amqp") + "://" + user + host + "/" + enc(vhost) + "?queue=" + enc(queue);
  }

  /** {@code USER:PASSWORD@} from an entry's URI; a Secrets Manager ARN is refused (there is none here). */
  private static String credentials(JsonNode access) {
    String value = access.path("URI").asText("");
    int colon = value.indexOf(':');
    if (value.startsWith("arn:") || colon <= 0) {
      throw new Failure.InvalidInput("SourceAccessConfigurations " + access.path("Type").asText() + ": URI is USER:PASSWORD in Pilotlight "
          + "(it has no Secrets Manager to read a secret ARN from)");
    }
    return enc(value.substring(0, colon)) + ":" + enc(value.substring(colon + 1)) + "@";
  }

  private static String single(JsonNode req, String key) {
    JsonNode list = req.path(key);
    if (!list.isArray() || list.size() != 1 || !list.get(0).isTextual() || list.get(0).asText().isBlank()) {
      throw new Failure.InvalidInput(key + ": expected exactly one name, as on Lambda");
    }
    return list.get(0).asText();
  }

  private static String onFailure(JsonNode destination) {
    if (destination == null || destination.isNull()) {
      return null;
    }
    String d = destination.path("OnFailure").path("Destination").asText("");
    if (d.isEmpty()) {
      return null;
    }
    if (d.startsWith("arn:")) {
      throw new Failure.InvalidInput("DestinationConfig.OnFailure.Destination: '" + d + "': name a queue on the same RabbitMQ broker; "
          + "without one, given-up batches go to the function's failures list");
    }
    return d;
  }

  private static Integer integer(JsonNode req, String key) {
    JsonNode n = req.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.canConvertToInt()) {
      throw new Failure.InvalidInput(key + ": expected a whole number");
    }
    return n.asInt();
  }

  private static Duration window(JsonNode req) {
    Integer seconds = integer(req, "MaximumBatchingWindowInSeconds");
    return seconds == null ? null : Duration.ofSeconds(seconds);
  }

  private static Integer retries(JsonNode req) {
    Integer n = integer(req, "MaximumRetryAttempts");
    if (n != null && n < 0) {
      throw new Failure.InvalidInput("MaximumRetryAttempts: " + n + " (Pilotlight retries a batch 0 to 100 times; -1, forever, is not offered)");
    }
    return n;
  }

  private static List<String> filters(JsonNode req) {
    JsonNode filters = req.path("FilterCriteria").path("Filters");
    List<String> out = new ArrayList<>();
    for (JsonNode f : filters) {
      if (!f.path("Pattern").isTextual()) {
        throw new Failure.InvalidInput("FilterCriteria.Filters: each entry is {\"Pattern\": \"JSON text\"}");
      }
      out.add(f.get("Pattern").asText());
    }
    return out;
  }

  // ---- answers ------------------------------------------------------------------------------------

  /** A mapping as Lambda's EventSourceMappingConfiguration; the credentials shown as USER:****. */
  static Map<String, Object> configuration(EventSources.View v) {
    EventSourceMapping m = v.mapping();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("UUID", m.uuid());
    c.put("BatchSize", m.batchSize());
    c.put("MaximumBatchingWindowInSeconds", m.batchWindow().toSeconds());
    c.put("MaximumRetryAttempts", m.maxRetries());
    List<Map<String, String>> access = new ArrayList<>();
    switch (EventSources.describe(m.source())) {
      case SourceDescription.Kafka k -> {
        c.put("SelfManagedEventSource", Map.of("Endpoints", Map.of("KAFKA_BOOTSTRAP_SERVERS", k.servers())));
        c.put("Topics", k.topic() == null ? List.of() : List.of(k.topic()));
        c.put("StartingPosition", k.start().toUpperCase(Locale.ROOT));
        c.put("SelfManagedKafkaEventSourceConfig", Map.of("ConsumerGroupId", k.group() == null ? m.uuid() : k.group()));
        if (k.user() != null) {
          String type = switch (k.sasl() == null ? "PLAIN" : k.sasl()) {
            case "SCRAM-SHA-256" -> "SASL_SCRAM_256_AUTH";
            case "SCRAM-SHA-512" -> "SASL_SCRAM_512_AUTH";
            default -> "BASIC_AUTH";
          };
          access.add(Map.of("Type", type, "URI", k.user() + ":****"));
        }
      }
      case SourceDescription.Rabbit r -> {
        c.put("EventSourceArn", (r.tls() ? "amqps" : "amqp") + "://" + r.host() + ":" + r.port());
        c.put("Queues", List.of(r.queue()));
        access.add(Map.of("Type", "BASIC_AUTH", "URI", r.user() + ":****"));
        access.add(Map.of("Type", "VIRTUAL_HOST", "URI", r.vhost()));
      }
      case SourceDescription.Other o -> c.put("EventSourceArn", o.shown());
    }
    if (!access.isEmpty()) {
      c.put("SourceAccessConfigurations", access);
    }
    c.put("FunctionArn", LambdaNames.arn(m.function()));
    if (!m.filters().isEmpty()) {
      c.put("FilterCriteria", Map.of("Filters", m.filters().stream().map(p -> Map.of("Pattern", p)).toList()));
    }
    if (m.onFailure() != null) {
      c.put("DestinationConfig", Map.of("OnFailure", Map.of("Destination", m.onFailure())));
    }
    c.put("LastModified", m.createdAt().toEpochMilli() / 1000.0);
    boolean problem = v.state().equals("Problem");
    c.put("State", problem ? "Enabled" : v.state());
    c.put("StateTransitionReason", "USER_INITIATED");
    c.put("LastProcessingResult", problem ? "PROBLEM: " + v.lastError() : v.batches() > 0 ? "OK" : "No records processed");
    return c;
  }

  private static URI uri(String value, String field) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new Failure.InvalidInput(field + ": not a URI (" + e.getReason() + ")");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String first(QueryStringDecoder q, String key) {
    return Optional.ofNullable(q.parameters().get(key)).filter(l -> !l.isEmpty()).map(List::getFirst).orElse(null);
  }
}
