package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.activation.async.Scheduler;
import dev.pilotlight.activation.history.MetricsHistory;
import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.CredentialStore;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.release.Traffic;
import dev.pilotlight.model.schedule.Schedule;
import dev.pilotlight.sources.EventSources;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * {@code /api/v1/...}: deploy, list, status, remove, invoke, logs, stop instances, failed
 * asynchronous invocations and their redrive. Store work
 * (unzipping, SQLite) runs on a blocking executor, never on an event loop.
 */
public final class ControlApi {

  private final ControlPlane control;
  private final Activator activator;
  private final FunctionStats stats;
  private final FunctionInvoker invoker;
  private final AsyncDispatcher async;
  private final ExecutorService blocking;
  private final String shownHost;
  private final Credentials credentials;
  private volatile Scheduler scheduler;
  private volatile java.util.function.Function<String, Map<String, Object>> preparations = name -> Map.of();
  private volatile EventSources sources;

  /**
   * @param blocking runs the store work (a bounded pool: past it a request gets 503, see BlockingWork)
   * @param host the host the server listens on, for the function URLs shown ({@code 0.0.0.0} shows {@code 127.0.0.1})
   * @param credentials the tokens and access keys {@code /api/v1/tokens} and {@code /api/v1/keys} issue, list and revoke
   */
  public ControlApi(ControlPlane control, Activator activator, FunctionStats stats, FunctionInvoker invoker, AsyncDispatcher async,
      ExecutorService blocking, String host, Credentials credentials) {
    this.credentials = credentials;
    this.control = control;
    this.activator = activator;
    this.stats = stats;
    this.invoker = invoker;
    this.async = async;
    this.blocking = blocking;
    this.shownHost = host.equals("0.0.0.0") ? "127.0.0.1" : host;
  }

  /**
   * What is prepared for a function in the background (its AOT training, its snapshot), shown in its
   * status as {@code preparation}; without it, status shows none.
   */
  public ControlApi preparations(java.util.function.Function<String, Map<String, Object>> p) {
    this.preparations = p;
    return this;
  }

  private volatile SecretsApi secrets;
  private volatile MetricsHistory history;
  private volatile java.util.function.Supplier<Map<String, Object>> node = () -> Map.of();
  private volatile java.util.function.Function<String, Map<String, Object>> idleTimes = name -> Map.of();

  /** Serves {@code GET /functions/NAME/idle-times}: the keep-alive's learned idle-time histogram (the console's keep-alive card). */
  public ControlApi idleTimes(java.util.function.Function<String, Map<String, Object>> f) {
    this.idleTimes = f;
    return this;
  }

  /** Serves {@code GET /node}: the node's memory, instances and protections (the console's overview). */
  public ControlApi node(java.util.function.Supplier<Map<String, Object>> n) {
    this.node = n;
    return this;
  }

  /** Serves {@code /functions/NAME/metrics} from {@code h}; without it, that path answers 404. */
  public ControlApi history(MetricsHistory h) {
    this.history = h;
    return this;
  }

  /** Serves {@code /secrets} with {@code control}; without it, those paths answer 404. */
  public ControlApi secrets(SecretControl control) {
    this.secrets = new SecretsApi(control, blocking);
    return this;
  }

  /** Serves {@code /functions/NAME/schedules} with {@code scheduler}; without one, those paths answer 404. */
  public ControlApi schedules(Scheduler scheduler) {
    this.scheduler = scheduler;
    return this;
  }

  /** The largest fixed payload a schedule may send (EventBridge's limit for a target's constant input). */
  static final int MAX_SCHEDULE_PAYLOAD = 8192;

  private void schedules(ChannelHandlerContext ctx, FullHttpRequest req, String name, String[] parts) {
    Scheduler sched = scheduler;
    HttpMethod m = req.method();
    if (sched == null) {
      reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound", "message", "schedules are not served here")));
      return;
    }
    if (parts.length == 4 && m.equals(HttpMethod.GET)) {
      blocking(ctx, req, () -> {
        requireFunction(name);
        return ErrorResponses.json(HttpResponseStatus.OK, Map.of("function", name,
            "schedules", sched.list(name).stream().map(ControlApi::scheduleView).toList()));
      });
    } else if (parts.length == 4 && m.equals(HttpMethod.POST)) {
      byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, () -> {
        requireFunction(name);
        JsonNode json = JsonBodies.object(body);
        if (!json.path("expression").isTextual()) {
          throw new Failure.InvalidInput("expected {\"expression\": \"rate(5 minutes)\"} (also: id, timezone, payload, missed)");
        }
        String id = json.path("id").isTextual() ? json.get("id").asText() : freeScheduleId(sched.list(name));
        byte[] payload = null;
        if (json.has("payload") && !json.get("payload").isNull()) {
          payload = LISTING_JSON.writeValueAsBytes(json.get("payload"));
          if (payload.length > MAX_SCHEDULE_PAYLOAD) {
            throw new Failure.InvalidInput("payload: " + payload.length + " bytes (at most " + MAX_SCHEDULE_PAYLOAD + ")");
          }
        }
        try {
          Schedule added = sched.add(name, id, json.get("expression").asText(), json.path("timezone").asText(null), payload,
              Schedule.Missed.parse(json.path("missed").asText(null)));
          return ErrorResponses.json(HttpResponseStatus.CREATED, scheduleView(added));
        } catch (IllegalArgumentException e) {
          throw new Failure.InvalidInput(e.getMessage());
        } catch (IllegalStateException e) {
          throw new Failure.Conflict(e.getMessage());
        }
      });
    } else if (parts.length == 5 && m.equals(HttpMethod.DELETE)) {
      blocking(ctx, req, () -> {
        requireFunction(name);
        if (!sched.remove(name, parts[4])) {
          throw new Failure.FunctionNotFound(name + "'s schedule " + parts[4]);
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
      });
    } else {
      methodNotAllowed(ctx, req);
    }
  }

  /** Serves {@code /functions/NAME/event-sources} with {@code sources}; without them, those paths answer 404. */
  public ControlApi eventSources(EventSources sources) {
    this.sources = sources;
    return this;
  }

  private void eventSources(ChannelHandlerContext ctx, FullHttpRequest req, String name, String[] parts) {
    EventSources es = sources;
    HttpMethod m = req.method();
    if (es == null) {
      reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound", "message", "event sources are not served here")));
      return;
    }
    if (parts.length == 4 && m.equals(HttpMethod.GET)) {
      blocking(ctx, req, () -> {
        requireFunction(name);
        return ErrorResponses.json(HttpResponseStatus.OK, Map.of("function", name,
            "eventSources", es.list(name).stream().map(ControlApi::sourceView).toList()));
      });
    } else if (parts.length == 4 && m.equals(HttpMethod.POST)) {
      byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, () -> {
        requireFunction(name);
        JsonNode json = JsonBodies.object(body);
        if (!json.path("source").isTextual()) {
          throw new Failure.InvalidInput("expected {\"source\": \"URI\"}: rabbitmq://USER:PASSWORD@HOST:5672/%2F?queue=NAME, "
              + "mqtt://[USER:PASSWORD@]HOST:1883?topic=FILTER, kafka://HOST:9092[,HOST:9092]?topic=NAME[&group=ID][&start=latest|trim_horizon] "
              + "or nats://[USER:PASSWORD@]HOST:4222?stream=NAME[&subject=FILTER][&consumer=DURABLE] "
              + "(also: batchSize, batchWindow, maxRetries, onFailure, filters)");
        }
        try {
          EventSources.View v = es.add(name, json.get("source").asText(),
              json.path("batchSize").isNumber() ? json.get("batchSize").asInt() : null,
              json.path("batchWindow").isTextual() ? Durations.parse("batchWindow", json.get("batchWindow").asText()) : null,
              json.path("maxRetries").isNumber() ? json.get("maxRetries").asInt() : null,
              json.path("onFailure").isTextual() ? json.get("onFailure").asText() : null, filters(json.get("filters")));
          return ErrorResponses.json(HttpResponseStatus.CREATED, sourceView(v));
        } catch (IllegalArgumentException e) {
          throw new Failure.InvalidInput(e.getMessage());
        }
      });
    } else if (parts.length == 5 && (m.equals(HttpMethod.PATCH) || m.equals(HttpMethod.PUT))) {
      byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, () -> {
        requireFunction(name);
        JsonNode json = JsonBodies.object(body);
        for (var field : json.properties()) {
          if (!List.of("batchSize", "batchWindow", "maxRetries", "filters", "enabled").contains(field.getKey())) {
            throw new Failure.InvalidInput("'" + field.getKey() + "' cannot be changed (can be: batchSize, batchWindow, maxRetries, filters, "
                + "enabled; the source and the failure queue stay: remove the mapping and add it again to change them)");
          }
        }
        try {
          return ErrorResponses.json(HttpResponseStatus.OK, sourceView(es.update(name, parts[4],
              json.path("batchSize").isNumber() ? json.get("batchSize").asInt() : null,
              json.path("batchWindow").isTextual() ? Durations.parse("batchWindow", json.get("batchWindow").asText()) : null,
              json.path("maxRetries").isNumber() ? json.get("maxRetries").asInt() : null,
              json.has("filters") ? filters(json.get("filters")) : null,
              json.path("enabled").isBoolean() ? json.get("enabled").asBoolean() : null)
              .orElseThrow(() -> new Failure.FunctionNotFound(name + "'s event source " + parts[4]))));
        } catch (IllegalArgumentException e) {
          throw new Failure.InvalidInput(e.getMessage());
        }
      });
    } else if (parts.length == 5 && m.equals(HttpMethod.DELETE)) {
      blocking(ctx, req, () -> {
        if (!es.remove(name, parts[4])) {
          throw new Failure.FunctionNotFound(name + "'s event source " + parts[4]);
        }
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
      });
    } else if (parts.length == 6 && m.equals(HttpMethod.POST) && (parts[5].equals("pause") || parts[5].equals("resume"))) {
      blocking(ctx, req, () -> {
        if (!es.enable(name, parts[4], parts[5].equals("resume"))) {
          throw new Failure.FunctionNotFound(name + "'s event source " + parts[4]);
        }
        return ErrorResponses.json(HttpResponseStatus.OK, sourceView(es.find(name, parts[4]).orElseThrow()));
      });
    } else {
      methodNotAllowed(ctx, req);
    }
  }

  /** {@code "filters"}: a list of patterns, each a JSON object or its text (Lambda's FilterCriteria patterns are strings). */
  private static List<String> filters(JsonNode v) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new Failure.InvalidInput("filters: expected a list of patterns such as [{\"data\": {\"kind\": [\"order\"]}}]");
    }
    List<String> out = new ArrayList<>();
    v.forEach(f -> out.add(f.isTextual() ? f.asText() : f.toString()));
    return out;
  }

  static Map<String, Object> sourceView(EventSources.View v) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("uuid", v.mapping().uuid());
    m.put("function", v.mapping().function());
    m.put("source", v.mapping().shownSource());
    m.put("batchSize", v.mapping().batchSize());
    m.put("batchWindow", Durations.format(v.mapping().batchWindow()));
    m.put("maxRetries", v.mapping().maxRetries());
    m.put("onFailure", v.mapping().onFailure());
    m.put("state", v.state());
    m.put("lastError", v.lastError());
    m.put("batches", v.batches());
    m.put("messages", v.messages());
    m.put("failedMessages", v.failedMessages());
    m.put("filteredMessages", v.filteredMessages());
    List<Object> patterns = new ArrayList<>();
    for (String f : v.mapping().filters()) {
      try {
        patterns.add(LISTING_JSON.readTree(f));
      } catch (java.io.IOException e) {
        patterns.add(f);
      }
    }
    m.put("filters", patterns);
    m.put("queueDepth", v.queueDepth() < 0 ? null : v.queueDepth());
    m.put("created", v.mapping().createdAt().toString());
    return m;
  }

  /** @throws Failure.FunctionNotFound when no function is deployed as {@code name} */
  private void requireFunction(String name) {
    if (control.find(name).isEmpty()) {
      throw new Failure.FunctionNotFound(name);
    }
  }

  /** {@code schedule-N}, the first N not taken. */
  private static String freeScheduleId(List<Schedule> taken) {
    for (int n = 1; ; n++) {
      String id = "schedule-" + n;
      if (taken.stream().noneMatch(s -> s.id().equals(id))) {
        return id;
      }
    }
  }

  static Map<String, Object> scheduleView(Schedule s) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("function", s.function());
    m.put("id", s.id());
    m.put("expression", s.expression());
    m.put("timezone", s.zone());
    m.put("missed", s.missed().id());
    Object payload = null;
    if (s.payload() != null) {
      try {
        payload = LISTING_JSON.readTree(s.payload());
      } catch (java.io.IOException e) {
        payload = new String(s.payload(), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    m.put("payload", payload);
    m.put("created", s.createdAt().toString());
    m.put("nextDue", s.nextDue() == null ? null : s.nextDue().toString());
    return m;
  }

  /** Handles {@code path} (after {@code /api/v1}); takes ownership of {@code req}. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, QueryStringDecoder query) {
    String baseUrl = baseUrl(ctx);
    String[] parts = path.split("/", -1); // "", "functions", name, sub
    HttpMethod m = req.method();
    if (parts.length >= 2 && (parts[1].equals("tokens") || parts[1].equals("keys"))) {
      credentials(ctx, req, parts);
      return;
    }
    if (parts.length >= 2 && parts[1].equals("secrets")) {
      SecretsApi s = secrets;
      if (s == null) {
        reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound", "message", "secrets are not served here")));
      } else {
        s.handle(ctx, req, parts);
      }
      return;
    }
    if (parts.length == 2 && parts[1].equals("node")) {
      if (m.equals(HttpMethod.GET)) {
        blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, node.get()));
      } else {
        methodNotAllowed(ctx, req);
      }
      return;
    }
    if (parts.length < 2 || !parts[1].equals("functions")) {
      reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound", "message", "no such API path: /api/v1" + path)));
      return;
    }
    if (parts.length == 2 || (parts.length == 3 && parts[2].isEmpty())) {
      if (m.equals(HttpMethod.GET)) {
        blocking(ctx, req, () -> listing(control.list(), baseUrl, ctx.alloc()));
        return;
      }
      methodNotAllowed(ctx, req);
      return;
    }
    String name = parts[2];
    String sub = parts.length > 3 ? parts[3] : "";
    switch (sub) {
      case "" -> {
        if (m.equals(HttpMethod.PUT) || m.equals(HttpMethod.POST)) {
          // ?rollout=PLAN or none: how the new revision takes over, whatever the package's pilotlight.yaml says
          String rollout = first(query, "rollout");
          blocking(ctx, req, () -> {
            ControlPlane.Deployed result = rollout == null ? control.deploy(name, new ByteBufInputStream(req.content()))
                : control.deploy(name, new ByteBufInputStream(req.content()), RolloutPlan.parseOrNone(rollout));
            Map<String, Object> view = new java.util.LinkedHashMap<>(view(result.deployment(), baseUrl));
            if (result.rollout() != null) {
              view.put("rollout", rolloutView(result.rollout()));
            }
            if (result.notice() != null) {
              view.put("notice", result.notice());
            }
            return ErrorResponses.json(result.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, view);
          });
        } else if (m.equals(HttpMethod.GET)) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK,
              view(control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name)), baseUrl)));
        } else if (m.equals(HttpMethod.PATCH)) {
          // a new revision with the same code and these settings (the console's configuration form)
          byte[] body = ByteBufUtil.getBytes(req.content());
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK,
              view(control.update(name, ConfigurationPatch.parse(body)::applyTo, null), baseUrl)));
        } else if (m.equals(HttpMethod.DELETE)) {
          blocking(ctx, req, () -> {
            if (!control.delete(name)) {
              throw new Failure.FunctionNotFound(name);
            }
            return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "invoke" -> {
        if (m.equals(HttpMethod.POST)) {
          // NAME@QUALIFIER calls one revision (a number, latest, an alias or a traffic tag), as /fn/NAME@QUALIFIER/ does
          invoker.invoke(ctx, req, name.replace('@', ':'));
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "revisions" -> {
        if (m.equals(HttpMethod.GET) && parts.length == 4) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, revisionsView(name)));
        } else if (m.equals(HttpMethod.DELETE) && parts.length == 5) {
          blocking(ctx, req, () -> {
            control.deleteRevision(name, revisionNumber(parts[4]));
            return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "traffic" -> {
        if (m.equals(HttpMethod.GET)) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, trafficView(name, control.releases(name).traffic())));
        } else if (m.equals(HttpMethod.PUT)) {
          byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
          blocking(ctx, req, () -> {
            JsonNode json = JsonBodies.object(body);
            if (!json.path("traffic").isTextual()) {
              throw new Failure.InvalidInput("expected {\"traffic\": \"3=90 latest=10\"} ([TAG:]REVISION=PERCENT, separated by spaces)");
            }
            Traffic t = control.traffic(name, Traffic.parse(json.get("traffic").asText()));
            return ErrorResponses.json(HttpResponseStatus.OK, trafficView(name, t));
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "rollout" -> {
        String action = parts.length > 4 ? parts[4] : "";
        if (m.equals(HttpMethod.GET) && action.isEmpty()) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, rolloutView(control.rollout(name)
              .orElseThrow(() -> new Failure.FunctionNotFound(name + "'s rollout")))));
        } else if (m.equals(HttpMethod.POST) && (action.equals("promote") || action.equals("abort"))) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, rolloutView(control.endRollout(name, action.equals("promote")))));
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "rollback" -> {
        if (m.equals(HttpMethod.POST)) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, trafficView(name, control.rollback(name))));
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "instances" -> {
        if (m.equals(HttpMethod.DELETE)) {
          blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, Map.of("stopped", activator.stopInstances(name))));
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "failures" -> {
        if (m.equals(HttpMethod.GET)) {
          blocking(ctx, req, () -> {
            requireFunction(name);
            return ErrorResponses.json(HttpResponseStatus.OK, FailureView.of(name, async.failures(name)));
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "redrive" -> {
        if (m.equals(HttpMethod.POST)) {
          blocking(ctx, req, () -> {
            requireFunction(name);
            return ErrorResponses.json(HttpResponseStatus.OK, Map.of("function", name, "redriven", async.redrive(name)));
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "usage" -> {
        if (m.equals(HttpMethod.GET)) {
          String since = first(query, "since");
          blocking(ctx, req, () -> {
            Deployment d = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name));
            java.time.Duration period = since == null ? null : Durations.parse("since", since);
            ControlPlane.FunctionUsage u = control.usage(name, period);
            return ErrorResponses.json(HttpResponseStatus.OK, UsageView.of(d, u, control.keepAlive(d).orElse(null), period));
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "metrics" -> {
        MetricsHistory h = history;
        if (h == null || !h.on()) {
          reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound",
              "message", "this daemon keeps no metrics history (serve --metrics-history off)")));
        } else if (m.equals(HttpMethod.GET)) {
          String since = first(query, "since");
          String step = first(query, "step");
          blocking(ctx, req, () -> {
            requireFunction(name);
            return ErrorResponses.json(HttpResponseStatus.OK, MetricsView.of(h, name, since, step));
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "idle-times" -> {
        if (m.equals(HttpMethod.GET)) {
          blocking(ctx, req, () -> {
            requireFunction(name);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("function", name);
            view.putAll(idleTimes.apply(name));
            return ErrorResponses.json(HttpResponseStatus.OK, view);
          });
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "logs" -> {
        if (m.equals(HttpMethod.GET)) {
          logs(ctx, req, name, query);
        } else {
          methodNotAllowed(ctx, req);
        }
      }
      case "schedules" -> schedules(ctx, req, name, parts);
      case "event-sources" -> eventSources(ctx, req, name, parts);
      default -> reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND,
          Map.of("error", "NotFound", "message", "no such API path: /api/v1" + path)));
    }
  }

  /**
   * {@code /tokens} and {@code /keys}: {@code POST} issues one ({@code {"role": "admin"|"deploy"|"invoke", "description": …}};
   * the answer is the only time its secret is shown), {@code GET} lists them without secrets, {@code DELETE /{id}} revokes.
   */
  private void credentials(ChannelHandlerContext ctx, FullHttpRequest req, String[] parts) {
    boolean tokens = parts[1].equals("tokens");
    HttpMethod m = req.method();
    boolean collection = parts.length == 2 || (parts.length == 3 && parts[2].isEmpty());
    if (collection && m.equals(HttpMethod.GET)) {
      blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, tokens
          ? Map.of("tokens", credentials.tokens().stream().map(ControlApi::tokenView).toList())
          : Map.of("keys", credentials.keys().stream().map(k -> keyView(k, false)).toList())));
    } else if (collection && m.equals(HttpMethod.POST)) {
      byte[] body = ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, () -> {
        JsonNode json = body.length == 0 ? JsonNodeFactory.instance.objectNode() : JsonBodies.object(body);
        Role role;
        try {
          role = Role.parse(json.path("role").asText("deploy"));
        } catch (IllegalArgumentException e) {
          throw new Failure.InvalidInput(e.getMessage());
        }
        String description = json.path("description").asText("");
        if (description.length() > 256) {
          throw new Failure.InvalidInput("description: " + description.length() + " characters (expected: at most 256)");
        }
        if (tokens) {
          Credentials.IssuedToken t = credentials.issueToken(role, description);
          Map<String, Object> view = tokenView(t.stored());
          view.put("token", t.token());
          return ErrorResponses.json(HttpResponseStatus.CREATED, view);
        }
        return ErrorResponses.json(HttpResponseStatus.CREATED, keyView(credentials.issueKey(role, description), true));
      });
    } else if (parts.length == 3 && !parts[2].isEmpty() && m.equals(HttpMethod.DELETE)) {
      String id = QueryStringDecoder.decodeComponent(parts[2]);
      blocking(ctx, req, () -> {
        boolean revoked = tokens ? credentials.revokeToken(id) : credentials.revokeKey(id);
        return revoked ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)
            : ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound",
                "message", (tokens ? "no token " : "no access key ") + id));
      });
    } else {
      methodNotAllowed(ctx, req);
    }
  }

  private static Map<String, Object> tokenView(CredentialStore.StoredToken t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("role", t.role().id());
    m.put("description", t.description());
    m.put("created", t.created().toString());
    return m;
  }

  private static Map<String, Object> keyView(AccessKey k, boolean withSecret) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accessKeyId", k.id());
    if (withSecret) {
      m.put("secretAccessKey", k.secret());
    }
    m.put("role", k.role().id());
    m.put("description", k.description());
    m.put("created", k.created().toString());
    return m;
  }

  /** Where function URLs are reached: the host listened on and the port this request came in on (the bound one, also when 0 was asked for). */
  private String baseUrl(ChannelHandlerContext ctx) {
    return ctx.channel().localAddress() instanceof InetSocketAddress a ? "http://" + shownHost + ":" + a.getPort() : "http://" + shownHost;
  }

  /** A revision's fixed fields as JSON, kept for the next listing: {@code "name":…,"url":"…"} without the braces. */
  private record Head(Deployment deployment, String baseUrl, String json) {}

  private final Map<String, Head> heads = new ConcurrentHashMap<>();

  /**
   * {@code {"functions": [view, …]}}, each view as {@link #view} makes it, field for field. A
   * revision's fixed fields are written to JSON once and reused while it is live; only what moves
   * (instances, counters, keep-alive) is written each time (see docs/performance.md, the idle
   * footprint, for what 10,000 functions take).
   */
  private FullHttpResponse listing(List<Deployment> deployments, String baseUrl, ByteBufAllocator alloc) throws IOException {
    // Written straight into pooled buffers that are sent as they are (about 800 bytes a function): no
    // array as large as the answer is made, copied and collected for each listing.
    PooledChunksOutput body = new PooledChunksOutput(alloc);
    try (JsonGenerator g = LISTING_JSON.createGenerator(body)) {
      g.writeStartObject();
      g.writeArrayFieldStart("functions");
      for (Deployment d : deployments) {
        Head head = heads.get(d.name());
        if (head == null || head.deployment() != d || !head.baseUrl().equals(baseUrl)) {
          String fixed = LISTING_JSON.writeValueAsString(FunctionView.fixed(d, baseUrl));
          head = new Head(d, baseUrl, fixed.substring(1, fixed.length() - 1));
          heads.put(d.name(), head);
        }
        Map<String, Object> live = FunctionView.live(activator.snapshot(d.name()).orElse(null), activator.scaling(d.name()).orElse(null),
            stats.peek(d.name()));
        control.keepAlive(d).ifPresent(k -> live.put("keepAlive", k.toMap()));
        putPreparation(d, live);
        g.writeStartObject();
        g.writeRaw(head.json());
        g.writeRaw(','); // the generator sees no field before the first live one, so the comma is ours
        writeFields(g, live);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (Throwable e) {
      body.release(); // whatever failed (direct memory running out too): no collector frees pooled buffers
      throw e;
    }
    if (heads.size() > deployments.size()) { // every listed one is in: the rest were removed
      Set<String> names = new HashSet<>();
      deployments.forEach(d -> names.add(d.name()));
      heads.keySet().retainAll(names);
    }
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.finish());
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return res;
  }

  private static final ObjectMapper LISTING_JSON = new ObjectMapper();

  /**
   * A view's fields as {@link ObjectMapper} would write them, but by their types here: the nested
   * maps (latencies, keep-alive) are written without a serializer looked up per value.
   */
  private static void writeFields(JsonGenerator g, Map<?, ?> fields) throws IOException {
    for (Map.Entry<?, ?> field : fields.entrySet()) {
      g.writeFieldName(String.valueOf(field.getKey()));
      switch (field.getValue()) {
        case null -> g.writeNull();
        case Integer i -> g.writeNumber(i);
        case Long l -> g.writeNumber(l);
        case Double x -> g.writeNumber(x);
        case Boolean b -> g.writeBoolean(b);
        case String str -> g.writeString(str);
        case Map<?, ?> nested -> {
          g.writeStartObject();
          writeFields(g, nested);
          g.writeEndObject();
        }
        case Object other -> g.writeObject(other);
      }
    }
  }

  private Map<String, Object> view(Deployment d, String baseUrl) {
    Map<String, Object> m = FunctionView.of(d, activator.snapshot(d.name()).orElse(null), activator.scaling(d.name()).orElse(null),
        stats.peek(d.name()), baseUrl);
    control.keepAlive(d).ifPresent(k -> m.put("keepAlive", k.toMap()));
    putPreparation(d, m);
    releasesView(d, m);
    return m;
  }

  /** What is being prepared for {@code d}'s function, when anything is: the same in the listing as in its own view. */
  private void putPreparation(Deployment d, Map<String, Object> m) {
    Map<String, Object> preparation = preparations.apply(d.name());
    if (!preparation.isEmpty()) {
      m.put("preparation", preparation);
    }
  }

  /** The split, the last rollout and, when older revisions have pools of their own, each pool's instances. */
  private void releasesView(Deployment d, Map<String, Object> m) {
    String name = d.name();
    Traffic traffic = control.releases(name).traffic();
    if (!traffic.followsLatestOnly()) {
      m.put("traffic", traffic.toString());
    }
    control.rollout(name).ifPresent(r -> m.put("rollout", rolloutView(r)));
    List<Long> pinned = activator.pinnedRevisions(name);
    if (!pinned.isEmpty()) {
      List<Map<String, Object>> pools = new java.util.ArrayList<>();
      activator.snapshot(name).ifPresent(s -> pools.add(poolView(name, activator.deployment(name).map(Deployment::revision).orElse(0L), s)));
      for (long r : pinned) {
        activator.snapshot(Activator.pinnedPool(name, r)).ifPresent(s -> pools.add(poolView(Activator.pinnedPool(name, r), r, s)));
      }
      m.put("revisionPools", pools);
    }
  }

  private static Map<String, Object> poolView(String pool, long revision, dev.pilotlight.model.PoolSnapshot s) {
    Map<String, Object> p = new java.util.LinkedHashMap<>();
    p.put("pool", pool);
    p.put("revision", revision);
    p.put("instances", s.ready());
    p.put("starting", s.starting());
    p.put("inFlight", s.inFlight());
    return p;
  }

  private void logs(ChannelHandlerContext ctx, FullHttpRequest req, String name, QueryStringDecoder query) {
    int tail = intParam(query, "tail", 100);
    boolean follow = "true".equals(first(query, "follow"));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    req.release();
    BlockingWork.submit(blocking, () -> {
      try {
        requireFunction(name);
        List<String> lines = control.tailLogs(name, tail);
        if (!follow) {
          FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
              Unpooled.copiedBuffer(lines.isEmpty() ? "" : String.join("\n", lines) + "\n", StandardCharsets.UTF_8));
          res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
          Responses.sendOnLoop(ctx, keepAlive, res);
          return;
        }
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        for (String line : lines) {
          ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8)));
        }
        ctx.flush();
        InFlightExchanges.endless(ctx.channel()); // a drain does not wait for a follower
        AutoCloseable sub = control.followLogs(name, line -> {
          if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8)));
          }
        });
        ctx.channel().closeFuture().addListener(f -> sub.close());
      } catch (Exception e) {
        Responses.sendOnLoop(ctx, keepAlive, ErrorResponses.of(e));
      }
    }, busy -> Responses.sendOnLoop(ctx, keepAlive, ErrorResponses.of(busy)));
  }

  private void blocking(ChannelHandlerContext ctx, FullHttpRequest req, BlockingWork.Work work) {
    BlockingWork.answer(blocking, ctx, req, work);
  }

  private static void reply(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    BlockingWork.reply(ctx, req, res);
  }

  private static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest req) {
    BlockingWork.methodNotAllowed(ctx, req);
  }

  private static String first(QueryStringDecoder q, String key) {
    List<String> v = q.parameters().get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static int intParam(QueryStringDecoder q, String key, int dflt) {
    String v = first(q, key);
    if (v == null) {
      return dflt;
    }
    try {
      return Math.max(0, Math.min(100_000, Integer.parseInt(v)));
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  /** Every kept revision with whether it is published and the share of the traffic it takes. */
  private Map<String, Object> revisionsView(String name) {
    List<Deployment> revisions = control.revisions(name);
    java.util.Set<Long> published = control.published(name);
    Traffic traffic = control.releases(name).traffic();
    long latest = revisions.getLast().revision();
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (Deployment d : revisions) {
      Map<String, Object> r = new java.util.LinkedHashMap<>();
      r.put("revision", d.revision());
      r.put("deployedAt", d.deployedAt().toString());
      r.put("codeSha256", d.codeSha256());
      r.put("runtime", d.spec().runtime().id());
      r.put("latest", d.revision() == latest);
      r.put("published", published.contains(d.revision()));
      r.put("percent", traffic.percentOf(d.revision(), latest));
      out.add(r);
    }
    return Map.of("function", name, "revisions", out);
  }

  private Map<String, Object> trafficView(String name, Traffic traffic) {
    long latest = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name)).revision();
    List<Map<String, Object>> targets = new java.util.ArrayList<>();
    for (Traffic.Target t : traffic.targets()) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("revision", t.latest() ? latest : t.revision());
      m.put("latest", t.latest());
      m.put("percent", t.percent());
      if (t.tag() != null) {
        m.put("tag", t.tag());
        m.put("url", "/fn/" + name + "@" + t.tag() + "/");
      }
      targets.add(m);
    }
    return Map.of("function", name, "traffic", traffic.toString(), "targets", targets);
  }

  private static long revisionNumber(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      throw new Failure.InvalidInput("revision '" + text + "' (expected: a revision number)");
    }
    return Long.parseLong(text);
  }

  static Map<String, Object> rolloutView(Rollout r) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("function", r.function());
    m.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
    m.put("stable", r.stable());
    m.put("revision", r.canary());
    m.put("percent", r.percent());
    m.put("plan", r.plan().toString());
    m.put("steps", r.plan().steps());
    m.put("step", r.step() < 0 ? "warming" : (r.step() + 1) + " of " + r.plan().steps().size());
    m.put("stepSince", r.stepSince().toString());
    m.put("startedAt", r.startedAt().toString());
    if (r.endedAt() != null) {
      m.put("endedAt", r.endedAt().toString());
    }
    if (!r.reason().isEmpty()) {
      m.put("reason", r.reason());
    }
    return m;
  }
}
