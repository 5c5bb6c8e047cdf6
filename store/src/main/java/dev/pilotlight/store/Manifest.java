package dev.pilotlight.store;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Setting;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.schedule.Schedule;
import dev.pilotlight.model.schedule.ScheduleSpec;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingSpec;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads and writes {@code pilotlight.yaml}, the manifest inside a package. Every error names the
 * key and what was expected, so the CLI can print it as is. The keys are the settings declared in
 * {@link FunctionSettings} (types, defaults and checks there; the table in docs/configuration.md),
 * plus {@code rollout}, which says how the package's revision takes over rather than how it runs
 * (a {@link RolloutPlan}, read by the daemon at deploy, not stored with the revision), and
 * {@code package}, which only the CLI reads:
 *
 * <pre>
 * name: hello-java            # optional when the deploy names the function
 * runtime: java               # java, python, node, provided (or an AWS name: java21, python3.12, nodejs20.x…) or http
 * handler: example.Hello::handleRequest   # Lambda-style runtimes; http has a command instead
 * memory: 256                 # MB per instance
 * timeout: 30s                # durations: 500ms, 30s, 5m, or plain seconds
 * env: {GREETING: hello}      # numbers and booleans become strings
 * rollout: canary:10%,5m      # how a new revision takes over; none (the default): at once
 * schedule: ["rate(1 hour)"]  # the function's schedules after the deploy (docs/events.md)
 * events: ["rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=orders"]  # its event source mappings after the deploy
 * package: target/app.jar     # read by the CLI only
 * </pre>
 */
public final class Manifest {

  /** The file name the CLI and the server look for at the root of a package. */
  public static final String FILE_NAME = "pilotlight.yaml";

  /** The key of the deploy directive: how a new revision takes over from the one serving now. */
  public static final String ROLLOUT = "rollout";

  /**
   * Every key the manifest accepts: the settings in the order {@link #toYaml} writes them, then the
   * deploy directive and what only the CLI reads, which it does not write.
   */
  public static final List<String> KNOWN_KEYS = Stream.concat(FunctionSettings.keys().stream(), Stream.of(ROLLOUT, "schedule", "events", "package", "build"))
      .toList();

  /** The key of the function's schedules (see {@link Contents#schedules}). */
  public static final String SCHEDULE = "schedule";

  /** The key of the function's event source mappings (see {@link Contents#events}). */
  public static final String EVENTS = "events";

  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // "memory:" with nothing after it means "not set"; a quoted '' stays an empty string.
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build());

  private Manifest() {}

  /**
   * What a package's manifest says.
   *
   * @param spec the function's settings, validated
   * @param rollout how the package's revision takes over from the one serving now; empty when the
   *     manifest has no {@code rollout} or says {@code none}: at once
   * @param schedules the function's schedules once the package is deployed (a {@code schedule:}
   *     list, empty for none); empty when the manifest has no {@code schedule} key: the function's
   *     schedules stay as they are
   * @param events the function's event source mappings once the package is deployed (an {@code
   *     events:} list, empty for none); empty when the manifest has no {@code events} key: its
   *     mappings stay as they are
   */
  public record Contents(FunctionSpec spec, Optional<RolloutPlan> rollout, Optional<List<ScheduleSpec>> schedules,
      Optional<List<MappingSpec>> events) {
    public Contents(FunctionSpec spec, Optional<RolloutPlan> rollout) {
      this(spec, rollout, Optional.empty(), Optional.empty());
    }
  }

  /**
   * Parses manifest text into a validated spec. Missing optional keys take {@link FunctionSpec}'s
   * defaults; an empty text is an empty manifest. A {@code rollout} is checked, not returned: see
   * {@link #read}.
   *
   * @param nameOverride the function name given at deploy time; when non-null it wins over {@code name}
   * @throws Failure.InvalidInput for malformed YAML, unknown keys, wrong types or invalid values
   */
  public static FunctionSpec parse(String yaml, String nameOverride) {
    return read(yaml, nameOverride).spec();
  }

  /**
   * Parses manifest text into a validated spec and the rollout it asks for, as {@link #parse} does.
   *
   * @throws Failure.InvalidInput as {@link #parse} does; for a rollout that is not a plan, naming
   *     {@code pilotlight.yaml: rollout:}
   */
  public static Contents read(String yaml, String nameOverride) {
    ObjectNode root = readRoot(yaml == null ? "" : yaml);
    for (var property : root.properties()) {
      String key = property.getKey();
      if (!KNOWN_KEYS.contains(key)) {
        throw new Failure.InvalidInput(FILE_NAME + ": unknown key '" + key + "' (known keys: "
            + String.join(", ", KNOWN_KEYS) + ")");
      }
    }
    FunctionSpec.Builder spec = FunctionSpec.builder();
    for (Setting<?> setting : FunctionSettings.ALL) {
      JsonNode v = root.get(setting.key());
      if (setting == FunctionSettings.NAME && nameOverride != null) {
        spec.name(nameOverride);
      } else if (v != null && !v.isNull()) {
        setting.setParsed(spec, setting.kind() == Setting.Kind.MAP ? env(v) : scalar(setting, v));
      }
    }
    JsonNode runtime = root.get(FunctionSettings.RUNTIME.key());
    if (runtime != null && runtime.isTextual() && !root.hasNonNull(FunctionSettings.AWS_RUNTIME.key())) {
      spec.awsRuntime(runtime.asText()); // runtime: nodejs22.x reads back as nodejs22.x (a family name keeps none)
    }
    return new Contents(spec.build(), rollout(root.get(ROLLOUT)), schedules(root.get(SCHEDULE)), events(root.get(EVENTS)));
  }

  /**
   * {@code schedule:} a list whose entries are an expression ({@code - rate(1 hour)}) or a map with
   * {@code expression} and optionally {@code id} (default {@code schedule-N}, N its position from 1),
   * {@code timezone}, {@code payload} (any YAML value, sent as JSON) and {@code missed}.
   */
  private static Optional<List<ScheduleSpec>> schedules(JsonNode v) {
    if (v == null) {
      return Optional.empty();
    }
    String where = FILE_NAME + ": " + SCHEDULE + ": ";
    if (v.isNull()) {
      return Optional.of(List.of());
    }
    if (!v.isArray()) {
      throw new Failure.InvalidInput(where + describe(v) + " (expected: a list of expressions such as rate(1 hour), or of maps "
          + "with expression, id, timezone, payload, missed)");
    }
    List<ScheduleSpec> out = new java.util.ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String at = where + "entry " + (i + 1) + ": ";
      try {
        ScheduleSpec spec;
        if (e.isTextual()) {
          spec = ScheduleSpec.of("schedule-" + (i + 1), e.asText(), null, null, null);
        } else if (e.isObject()) {
          for (var field : e.properties()) {
            if (!List.of("expression", "id", "timezone", "payload", "missed").contains(field.getKey())) {
              throw new IllegalArgumentException("unknown key '" + field.getKey() + "' (known: expression, id, timezone, payload, missed)");
            }
          }
          if (!e.path("expression").isTextual()) {
            throw new IllegalArgumentException("expression is required, e.g. expression: rate(1 hour)");
          }
          byte[] payload = payload(e.get("payload"));
          spec = ScheduleSpec.of(e.path("id").isValueNode() ? e.get("id").asText() : "schedule-" + (i + 1), e.get("expression").asText(),
              e.path("timezone").isValueNode() ? e.get("timezone").asText() : null, payload,
              Schedule.Missed.parse(e.path("missed").isValueNode() ? e.get("missed").asText() : null));
        } else {
          throw new IllegalArgumentException(describe(e) + " (expected: an expression or a map)");
        }
        if (!ids.add(spec.id())) {
          throw new IllegalArgumentException("id '" + spec.id() + "' is used twice");
        }
        out.add(spec);
      } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException ex) {
        throw new Failure.InvalidInput(at + ex.getMessage());
      }
    }
    return Optional.of(List.copyOf(out));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<String> EVENT_KEYS = List.of("source", "batchSize", "batchWindow", "maxRetries", "onFailure", "filters", "enabled");

  /**
   * {@code events:} a list whose entries are a source URI or a map with {@code source} and
   * optionally {@code batchSize}, {@code batchWindow}, {@code maxRetries}, {@code onFailure},
   * {@code filters} (Lambda's patterns, each a map or JSON text) and {@code enabled}. Checked here
   * as far as the manifest goes; the broker is asked when the deploy applies them.
   */
  private static Optional<List<MappingSpec>> events(JsonNode v) {
    if (v == null) {
      return Optional.empty();
    }
    String where = FILE_NAME + ": " + EVENTS + ": ";
    if (v.isNull()) {
      return Optional.of(List.of());
    }
    if (!v.isArray()) {
      throw new Failure.InvalidInput(where + describe(v) + " (expected: a list of source URIs such as "
          + "rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME, or of maps with " + String.join(", ", EVENT_KEYS) + ")");
    }
    List<MappingSpec> out = new java.util.ArrayList<>();
    java.util.Set<String> sources = new java.util.HashSet<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      try {
        MappingSpec spec;
        if (e.isTextual()) {
          spec = new MappingSpec(e.asText(), null, null, null, null, List.of(), null);
        } else if (e.isObject()) {
          for (var field : e.properties()) {
            if (!EVENT_KEYS.contains(field.getKey())) {
              throw new IllegalArgumentException("unknown key '" + field.getKey() + "' (known: " + String.join(", ", EVENT_KEYS) + ")");
            }
          }
          if (!e.path("source").isTextual()) {
            throw new IllegalArgumentException("source is required, e.g. source: rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME");
          }
          spec = new MappingSpec(e.get("source").asText(), integer(e, "batchSize"),
              e.path("batchWindow").isValueNode() ? Durations.parse("batchWindow", e.get("batchWindow").asText()) : null,
              integer(e, "maxRetries"), e.path("onFailure").isValueNode() ? e.get("onFailure").asText() : null, filters(e.get("filters")),
              e.path("enabled").isValueNode() ? bool("enabled", e.get("enabled").asText()) : null);
        } else {
          throw new IllegalArgumentException(describe(e) + " (expected: a source URI or a map)");
        }
        if (!spec.source().contains("://")) {
          throw new IllegalArgumentException("source '" + spec.source() + "' is not a URI (expected e.g. "
              + "rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME or mqtt://HOST:1883?topic=FILTER)");
        }
        if (!sources.add(spec.source())) {
          throw new IllegalArgumentException("source " + EventSourceMapping.redact(spec.source()) + " is listed twice");
        }
        out.add(spec);
      } catch (IllegalArgumentException | Failure.InvalidInput ex) {
        throw new Failure.InvalidInput(where + "entry " + (i + 1) + ": " + ex.getMessage());
      }
    }
    return Optional.of(List.copyOf(out));
  }

  private static Integer integer(JsonNode entry, String key) {
    JsonNode n = entry.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    try {
      return Integer.valueOf(n.asText().strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + n.asText() + "' (expected: a whole number)");
    }
  }

  private static boolean bool(String key, String text) {
    return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException(key + ": '" + text + "' (expected: true or false)");
    };
  }

  /** Filter patterns: a list whose entries are JSON text or a YAML map (written as JSON); at most 5 (Lambda's limit). */
  private static List<String> filters(JsonNode v) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException("filters: " + describe(v) + " (expected: a list of Lambda filter patterns)");
    }
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode f : v) {
      try {
        JsonNode pattern = f.isTextual() ? JSON.readTree(f.asText()) : f;
        if (pattern == null || !pattern.isObject()) {
          throw new IllegalArgumentException("filters: " + describe(f) + " (expected: a pattern object such as {\"body\": {\"kind\": [\"order\"]}})");
        }
        out.add(JSON.writeValueAsString(pattern));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("filters: not JSON (" + e.getOriginalMessage() + ")");
      }
    }
    return out;
  }


  /**
   * A schedule's payload as JSON bytes: a YAML string is JSON text (kept with its types), anything
   * else is the YAML value itself (whose scalars are strings, as everywhere in the manifest).
   */
  private static byte[] payload(JsonNode v) throws com.fasterxml.jackson.core.JsonProcessingException {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      try {
        return JSON.writeValueAsBytes(JSON.readTree(v.asText()));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("payload: a string must be JSON text (" + e.getOriginalMessage() + ")");
      }
    }
    return JSON.writeValueAsBytes(v);
  }

  private static Optional<RolloutPlan> rollout(JsonNode v) {
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new Failure.InvalidInput(FILE_NAME + ": " + ROLLOUT + ": " + describe(v) + " (expected: a plan such as canary:10%,5m "
          + "or linear:10%,1m, or none)");
    }
    try {
      return RolloutPlan.parseOrNone(v.asText());
    } catch (Failure.InvalidInput e) {
      // RolloutPlan's messages start with "rollout: ", as the key does.
      throw new Failure.InvalidInput(FILE_NAME + ": " + e.getMessage());
    }
  }

  private static Object scalar(Setting<?> setting, JsonNode v) {
    if (!v.isTextual()) {
      throw setting.wrongType(setting.key(), describe(v));
    }
    return setting.parse(setting.key(), v.asText());
  }

  /**
   * Writes {@code spec} as manifest text that {@link #parse} reads back to an equal spec. A
   * rollout is no setting of a revision and is not written.
   */
  public static String toYaml(FunctionSpec spec) {
    Map<String, Object> doc = new LinkedHashMap<>();
    for (Setting<?> setting : FunctionSettings.ALL) {
      put(doc, setting, spec);
    }
    try {
      return YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers always serialises", e);
    }
  }

  private static <T> void put(Map<String, Object> doc, Setting<T> setting, FunctionSpec spec) {
    T value = setting.get(spec);
    if (setting.written(value)) {
      doc.put(setting.key(), setting.format(value));
    }
  }

  private static ObjectNode readRoot(String yaml) {
    JsonNode root;
    try (JsonParser parser = YAML.createParser(yaml)) {
      root = parser.nextToken() == null ? null : readScalarsAsWritten(parser);
      if (root != null && parser.nextToken() != null) {
        throw new Failure.InvalidInput(FILE_NAME + ": holds more than one YAML document (remove the second '---')");
      }
    } catch (JsonProcessingException e) {
      throw new Failure.InvalidInput(FILE_NAME + ": " + oneLine(e));
    } catch (IOException e) {
      throw new IllegalStateException("reading from a string cannot fail", e);
    }
    if (root == null || root.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!root.isObject()) {
      throw new Failure.InvalidInput(FILE_NAME + ": expected 'key: value' lines such as 'runtime: java', got "
          + describe(root));
    }
    return (ObjectNode) root;
  }

  /**
   * Builds a tree in which every scalar is the text exactly as written. Jackson's YAML reader
   * follows YAML 1.1, where {@code yes} is a boolean and {@code 0123} is octal 83; kept as text,
   * {@code env: {ZIP: 0123, DEBUG: yes}} reaches the function as written, and numeric keys are
   * converted (and checked) here instead.
   */
  private static JsonNode readScalarsAsWritten(JsonParser p) throws IOException {
    var nodes = JsonNodeFactory.instance;
    return switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          object.set(key, readScalarsAsWritten(p));
        }
        yield object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(readScalarsAsWritten(p));
        }
        yield array;
      }
      case VALUE_NULL -> nodes.nullNode();
      default -> nodes.textNode(p.getText());
    };
  }

  /**
   * The parser's complaint on one line: {@code line 2, column 10: mapping values are not allowed
   * here}. SnakeYAML's own message adds a multi-line excerpt with a caret, which a JSON error body
   * or a terminal line cannot show well.
   */
  private static String oneLine(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblem() != null) {
        Mark at = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
        String where = at == null ? "" : "line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ": ";
        String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
        return flatten(where + m.getProblem() + context);
      }
    }
    String text = flatten(e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage());
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      text = "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + text;
    }
    return text;
  }

  private static String flatten(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static Map<String, String> env(JsonNode v) {
    if (!v.isObject()) {
      throw FunctionSettings.ENV.wrongType("env", describe(v));
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (var e : v.properties()) {
      JsonNode value = e.getValue();
      if (value.isContainerNode()) {
        throw wrongType("env." + e.getKey(), value, "a string, number or boolean");
      }
      // null stays null so FunctionSpec reports "env: key 'X' has no value".
      env.put(e.getKey(), value.isNull() ? null : value.asText());
    }
    return env;
  }

  private static Failure.InvalidInput wrongType(String key, JsonNode value, String expected) {
    return new Failure.InvalidInput(key + ": " + describe(value) + " (expected: " + expected + ")");
  }

  private static String describe(JsonNode v) {
    if (v.isObject()) return "a mapping";
    if (v.isArray()) return "a list";
    if (v.isTextual()) return "'" + v.asText() + "'";
    return v.asText();
  }
}
