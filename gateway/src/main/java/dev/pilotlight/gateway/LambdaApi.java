package dev.pilotlight.gateway;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.NodeConcurrency;
import dev.pilotlight.sources.EventSources;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The Lambda API on the daemon's port ({@code /2015-03-31/functions…}): Invoke here, the
 * management subset in {@link LambdaFunctions}. Errors are AWS's ({@link AwsErrorResponses}), so
 * AWS's CLI and SDKs work with {@code --endpoint-url} / {@code endpointOverride}.
 */
public final class LambdaApi {
  /** The path prefix of every Lambda API operation served here. */
  static final String PREFIX = "/2015-03-31";
  /** The path prefix of the function URL configuration operations, whose paths are passed in whole. */
  static final String URL_PREFIX = "/2021-10-31";
  /** The path prefix of {@code InvokeWithResponseStream}, whose paths are passed in whole. */
  static final String STREAM_PREFIX = "/2021-11-15";
  /** Lambda's limit for an asynchronous invocation's payload. */
  static final int MAX_ASYNC_PAYLOAD = 1024 * 1024;
  /** Lambda returns at most the last 4 KB of the invocation's log in {@code X-Amz-Log-Result}. */
  static final int MAX_TAIL_BYTES = 4096;
  /** How far back in the function's log the lines of one invocation are looked for. */
  private static final int TAIL_SCAN_LINES = 2000;

  private final Activator activator;
  private final FunctionInvoker invoker;
  private final AsyncDispatcher async;
  private final ControlPlane control;
  private final ExecutorService blocking;
  private final LambdaFunctions functions;
  private final LambdaEventInvokeConfigs invokeConfigs;
  private final LambdaTags tags;
  private final LambdaPolicies policies;
  private final LambdaConcurrency concurrency;
  private LambdaEventSourceMappings mappings;

  /**
   * @param blocking runs the store work (a bounded pool: past it a request gets 503, see BlockingWork)
   * @param node what the node can run at once (GetAccountSettings, reserved concurrency)
   */
  public LambdaApi(Activator activator, FunctionInvoker invoker, AsyncDispatcher async, ControlPlane control, ExecutorService blocking,
      NodeConcurrency node) {
    this.activator = activator;
    this.invoker = invoker;
    this.async = async;
    this.control = control;
    this.blocking = blocking;
    this.functions = new LambdaFunctions(control);
    this.invokeConfigs = new LambdaEventInvokeConfigs(control);
    this.tags = new LambdaTags(control);
    this.policies = new LambdaPolicies(control);
    this.concurrency = new LambdaConcurrency(control, node);
  }

  /** Whether {@code uri} (a request's, query included) is the Lambda API's, under any of its dates. */
  static boolean isLambdaApiPath(String uri) {
    return uri.startsWith(PREFIX + "/") || OTHER_VERSION.matcher(uri).lookingAt();
  }

  /**
   * Whether {@code path} is the Lambda API's with another date than {@link #PREFIX}
   * ({@code /2017-03-31/tags/…}, {@code /2021-10-31/functions/…/url}…): passed to {@link #handle} whole.
   */
  public static boolean otherVersion(String path) {
    return OTHER_VERSION.matcher(path).lookingAt() && !path.startsWith(PREFIX + "/");
  }

  private static final java.util.regex.Pattern OTHER_VERSION = java.util.regex.Pattern.compile("/20\\d\\d-\\d\\d-\\d\\d/");

  /** Handles {@code path} (after {@link #PREFIX}); takes ownership of {@code req}. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, QueryStringDecoder query) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpMethod m = req.method();
    String[] parts = path.split("/", -1); // "", "functions", name, sub
    String qualifier = first(query, "Qualifier");
    if (path.startsWith(URL_PREFIX + "/")) {
      urlConfig(ctx, req, keepAlive, path.substring(URL_PREFIX.length()));
      return;
    }
    if (path.startsWith(LambdaEventInvokeConfigs.PREFIX + "/")) {
      eventInvokeConfig(ctx, req, keepAlive, path, qualifier);
      return;
    }
    if (otherVersion(path) && !path.startsWith(STREAM_PREFIX + "/")) {
      otherOperation(ctx, req, keepAlive, path, query);
      return;
    }
    if (path.startsWith(STREAM_PREFIX + "/")) {
      String[] p = path.substring(STREAM_PREFIX.length()).split("/", -1); // "", "functions", name, "response-streaming-invocations"
      if (p.length == 4 && p[1].equals("functions") && p[3].equals("response-streaming-invocations") && m.equals(HttpMethod.POST)) {
        invokeWithResponseStream(ctx, req, keepAlive, QueryStringDecoder.decodeComponent(p[2]), qualifier);
      } else {
        reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
            "Pilotlight does not implement " + m + " " + path));
      }
      return;
    }
    try {
      if (parts.length >= 2 && parts[1].equals("event-source-mappings") && parts.length <= 3 && mappings != null) {
        eventSourceMappings(ctx, req, keepAlive, parts.length == 3 ? QueryStringDecoder.decodeComponent(parts[2]) : "", query);
        return;
      }
      if (parts.length == 5 && parts[1].equals("functions") && parts[3].equals("policy") && m.equals(HttpMethod.DELETE)) {
        String name = QueryStringDecoder.decodeComponent(parts[2]);
        String sid = QueryStringDecoder.decodeComponent(parts[4]);
        String revision = first(query, "RevisionId");
        blocking(ctx, req, keepAlive, () -> policies.remove(name, sid, revision));
        return;
      }
      if (parts.length < 2 || !parts[1].equals("functions") || parts.length > 5 || (parts.length == 5 && !parts[3].equals("aliases"))) {
        throw unknown(m, path);
      }
      if (parts.length == 2 || (parts.length == 3 && parts[2].isEmpty())) {
        if (m.equals(HttpMethod.GET)) {
          blocking(ctx, req, keepAlive, () -> functions.list(query));
        } else if (m.equals(HttpMethod.POST)) {
          byte[] body = ByteBufUtil.getBytes(req.content());
          blocking(ctx, req, keepAlive, () -> functions.create(body));
        } else {
          throw unknown(m, path);
        }
        return;
      }
      String name = QueryStringDecoder.decodeComponent(parts[2]);
      String sub = parts.length >= 4 ? parts[3] : "";
      if (parts.length == 5) { // /functions/{name}/aliases/{alias}
        String alias = QueryStringDecoder.decodeComponent(parts[4]);
        if (m.equals(HttpMethod.GET)) {
          blocking(ctx, req, keepAlive, () -> functions.getAlias(name, alias));
        } else if (m.equals(HttpMethod.PUT)) {
          byte[] body = ByteBufUtil.getBytes(req.content());
          blocking(ctx, req, keepAlive, () -> functions.putAlias(name, alias, body, false));
        } else if (m.equals(HttpMethod.DELETE)) {
          blocking(ctx, req, keepAlive, () -> functions.deleteAlias(name, alias));
        } else {
          throw unknown(m, path);
        }
        return;
      }
      switch (sub) {
        case "versions" -> {
          if (m.equals(HttpMethod.GET)) {
            blocking(ctx, req, keepAlive, () -> functions.listVersions(name));
          } else if (m.equals(HttpMethod.POST)) {
            byte[] body = ByteBufUtil.getBytes(req.content());
            blocking(ctx, req, keepAlive, () -> functions.publishVersion(name, body));
          } else {
            throw unknown(m, path);
          }
        }
        case "aliases" -> {
          if (m.equals(HttpMethod.GET)) {
            blocking(ctx, req, keepAlive, () -> functions.listAliases(name, query));
          } else if (m.equals(HttpMethod.POST)) {
            byte[] body = ByteBufUtil.getBytes(req.content());
            blocking(ctx, req, keepAlive, () -> functions.putAlias(name, null, body, true));
          } else {
            throw unknown(m, path);
          }
        }
        case "invocations" -> {
          if (!m.equals(HttpMethod.POST)) {
            throw unknown(m, path);
          }
          invoke(ctx, req, keepAlive, name, qualifier);
        }
        case "" -> {
          if (m.equals(HttpMethod.GET)) {
            blocking(ctx, req, keepAlive, () -> functions.get(name, qualifier));
          } else if (m.equals(HttpMethod.DELETE)) {
            blocking(ctx, req, keepAlive, () -> functions.delete(name, qualifier));
          } else {
            throw unknown(m, path);
          }
        }
        case "configuration" -> {
          if (m.equals(HttpMethod.GET)) {
            blocking(ctx, req, keepAlive, () -> functions.getConfiguration(name, qualifier));
          } else if (m.equals(HttpMethod.PUT)) {
            byte[] body = ByteBufUtil.getBytes(req.content());
            blocking(ctx, req, keepAlive, () -> functions.updateConfiguration(name, body));
          } else {
            throw unknown(m, path);
          }
        }
        case "policy" -> {
          if (m.equals(HttpMethod.GET)) {
            blocking(ctx, req, keepAlive, () -> policies.get(name));
          } else if (m.equals(HttpMethod.POST)) {
            byte[] body = ByteBufUtil.getBytes(req.content());
            blocking(ctx, req, keepAlive, () -> policies.add(name, qualifier, body));
          } else {
            throw unknown(m, path);
          }
        }
        case "code" -> {
          if (!m.equals(HttpMethod.PUT)) {
            throw unknown(m, path);
          }
          byte[] body = ByteBufUtil.getBytes(req.content());
          blocking(ctx, req, keepAlive, () -> functions.updateCode(name, body));
        }
        default -> throw unknown(m, path);
      }
    } catch (UnknownOperation e) {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException", e.getMessage()));
    } catch (RuntimeException e) {
      reply(ctx, req, keepAlive, AwsErrorResponses.of(e));
    }
  }

  /**
   * {@code /2019-09-25/functions/{name}/event-invoke-config} (GET, PUT, POST to update, DELETE) and
   * {@code …/event-invoke-config/list} (GET), over the function's settings ({@link LambdaEventInvokeConfigs}).
   */
  private void eventInvokeConfig(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String path, String qualifier) {
    HttpMethod m = req.method();
    String[] p = path.substring(LambdaEventInvokeConfigs.PREFIX.length()).split("/", -1); // "", "functions", name, "event-invoke-config"[, "list"]
    boolean config = p.length >= 4 && p.length <= 5 && p[1].equals("functions") && p[3].equals("event-invoke-config");
    if (!config || (p.length == 5 && !(p[4].equals("list") && m.equals(HttpMethod.GET)))) {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
          "Pilotlight does not implement " + m + " " + path));
      return;
    }
    String name = QueryStringDecoder.decodeComponent(p[2]);
    byte[] body = ByteBufUtil.getBytes(req.content());
    if (p.length == 5) {
      blocking(ctx, req, keepAlive, () -> invokeConfigs.list(name));
    } else if (m.equals(HttpMethod.GET)) {
      blocking(ctx, req, keepAlive, () -> invokeConfigs.get(name, qualifier));
    } else if (m.equals(HttpMethod.PUT) || m.equals(HttpMethod.POST)) {
      blocking(ctx, req, keepAlive, () -> invokeConfigs.put(name, qualifier, body, m.equals(HttpMethod.PUT)));
    } else if (m.equals(HttpMethod.DELETE)) {
      blocking(ctx, req, keepAlive, () -> invokeConfigs.delete(name, qualifier));
    } else {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
          "Pilotlight does not implement " + m + " " + path));
    }
  }

  /**
   * The operations whose paths carry another date: tags, reserved concurrency, account settings and
   * layers; any other is {@code UnknownOperationException}.
   */
  private void otherOperation(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String path, QueryStringDecoder query) {
    HttpMethod m = req.method();
    String[] p = path.split("/", -1); // "", date, …
    String date = p[1];
    if (path.startsWith(LambdaTags.PREFIX) && p.length == 4) {
      String arn = QueryStringDecoder.decodeComponent(p[3]);
      if (m.equals(HttpMethod.GET)) {
        blocking(ctx, req, keepAlive, () -> tags.list(arn));
        return;
      } else if (m.equals(HttpMethod.POST)) {
        byte[] body = ByteBufUtil.getBytes(req.content());
        blocking(ctx, req, keepAlive, () -> tags.tag(arn, body));
        return;
      } else if (m.equals(HttpMethod.DELETE)) {
        List<String> keys = query.parameters().getOrDefault("tagKeys", List.of());
        blocking(ctx, req, keepAlive, () -> tags.untag(arn, keys));
        return;
      }
    }
    if (p.length == 5 && p[2].equals("functions") && p[4].equals("concurrency")) {
      String name = QueryStringDecoder.decodeComponent(p[3]);
      if (date.equals("2017-10-31") && m.equals(HttpMethod.PUT)) {
        byte[] body = ByteBufUtil.getBytes(req.content());
        blocking(ctx, req, keepAlive, () -> concurrency.put(name, body));
        return;
      } else if (date.equals("2017-10-31") && m.equals(HttpMethod.DELETE)) {
        blocking(ctx, req, keepAlive, () -> concurrency.delete(name));
        return;
      } else if (date.equals("2019-09-30") && m.equals(HttpMethod.GET)) {
        blocking(ctx, req, keepAlive, () -> concurrency.get(name));
        return;
      }
    }
    if (date.equals("2016-08-19") && p.length >= 3 && p.length <= 4 && p[2].equals("account-settings")
        && (p.length == 3 || p[3].isEmpty()) && m.equals(HttpMethod.GET)) {
      blocking(ctx, req, keepAlive, concurrency::accountSettings);
      return;
    }
    if (date.equals("2018-10-31") && m.equals(HttpMethod.GET) && p.length >= 3 && p[2].equals("layers")) {
      // Pilotlight has no Lambda layers (a package carries its dependencies): every list is empty
      if (p.length == 3 || (p.length == 4 && p[3].isEmpty())) {
        reply(ctx, req, keepAlive, ErrorResponses.json(HttpResponseStatus.OK, java.util.Map.of("Layers", List.of())));
        return;
      }
      if (p.length == 5 && p[4].equals("versions")) {
        reply(ctx, req, keepAlive, ErrorResponses.json(HttpResponseStatus.OK, java.util.Map.of("LayerVersions", List.of())));
        return;
      }
    }
    reply(ctx, req, keepAlive, unknownOperation(m, path));
  }

  /** AWS's answer to an operation it does not know: 404 {@code UnknownOperationException}, named in {@code x-amzn-ErrorType}. */
  static FullHttpResponse unknownOperation(HttpMethod m, String fullPath) {
    return AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
        "Pilotlight does not implement " + m + " " + fullPath + " (see docs/lambda-compatibility.md for the operations it serves)");
  }

  /** Serves Lambda's event source mapping operations over {@code sources} (without it they are unknown operations). */
  public LambdaApi eventSources(EventSources sources) {
    this.mappings = new LambdaEventSourceMappings(sources, control);
    return this;
  }

  /** {@code /2015-03-31/event-source-mappings/[{uuid}]}: Create, List, Get, Update and Delete. */
  private void eventSourceMappings(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String uuid, QueryStringDecoder query) {
    HttpMethod m = req.method();
    if (uuid.isEmpty() && m.equals(HttpMethod.POST)) {
      byte[] body = ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, keepAlive, () -> mappings.create(body));
    } else if (uuid.isEmpty() && m.equals(HttpMethod.GET)) {
      blocking(ctx, req, keepAlive, () -> mappings.list(query));
    } else if (!uuid.isEmpty() && m.equals(HttpMethod.GET)) {
      blocking(ctx, req, keepAlive, () -> mappings.get(uuid));
    } else if (!uuid.isEmpty() && m.equals(HttpMethod.PUT)) {
      byte[] body = ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, keepAlive, () -> mappings.update(uuid, body));
    } else if (!uuid.isEmpty() && m.equals(HttpMethod.DELETE)) {
      blocking(ctx, req, keepAlive, () -> mappings.delete(uuid));
    } else {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
          "Pilotlight does not implement " + m + " " + PREFIX + "/event-source-mappings/" + uuid));
    }
  }

  /** {@code /2021-10-31/functions/{name}/url}: the function URL configuration operations. */
  private void urlConfig(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String path) {
    HttpMethod m = req.method();
    String[] parts = path.split("/", -1); // "", "functions", name, "url"
    if (parts.length != 4 || !parts[1].equals("functions") || !parts[3].equals("url")) {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
          "Pilotlight does not implement " + m + " " + URL_PREFIX + path));
      return;
    }
    String name = QueryStringDecoder.decodeComponent(parts[2]);
    String host = req.headers().get(HttpHeaderNames.HOST, "127.0.0.1");
    String base = "http://" + host;
    if (m.equals(HttpMethod.GET)) {
      blocking(ctx, req, keepAlive, () -> functions.getUrlConfig(name, base));
    } else if (m.equals(HttpMethod.POST) || m.equals(HttpMethod.PUT)) {
      byte[] body = ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, keepAlive, () -> functions.putUrlConfig(name, body, base, m.equals(HttpMethod.POST)));
    } else if (m.equals(HttpMethod.DELETE)) {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.BAD_REQUEST, "InvalidParameterValueException",
          "every Pilotlight function has its URL (/fn/" + name + "/); make it private with AuthType AWS_IAM instead of deleting it"));
    } else {
      reply(ctx, req, keepAlive, AwsErrorResponses.error(HttpResponseStatus.NOT_FOUND, "UnknownOperationException",
          "Pilotlight does not implement " + m + " " + URL_PREFIX + path));
    }
  }

  /**
   * What an Invoke runs, as the invoker takes it: {@code NAME:$LATEST} without a qualifier (as on
   * Lambda: not the URL's traffic split), else {@code NAME:QUALIFIER}, checked to exist now. Refused
   * if the function is an http app, which only takes URL calls.
   */
  private String lambdaStyle(String functionName, String queryQualifier) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    String qualifier = LambdaFunctions.qualifier(ref, queryQualifier);
    Deployment d = activator.deployment(ref.name()).orElseThrow(() -> new Failure.FunctionNotFound(ref.name()));
    if (!d.spec().runtime().lambdaStyle()) {
      throw new Failure.InvalidInput("function '" + d.name() + "' is an http app: call it through its URL /fn/" + d.name()
          + "/ (the Invoke API takes Lambda-style functions)");
    }
    if (qualifier == null || qualifier.equals("$LATEST")) {
      return ref.name() + ":$LATEST";
    }
    invoker.routing().route(ref.name(), qualifier); // an unknown version or alias is ResourceNotFound before anything is queued
    return ref.name() + ":" + qualifier;
  }

  private void invoke(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String functionName, String queryQualifier) {
    String requestId = RequestIds.next();
    String type = req.headers().get("X-Amz-Invocation-Type", "RequestResponse");
    boolean tail = "Tail".equalsIgnoreCase(req.headers().get("X-Amz-Log-Type", "None"));
    byte[] payload;
    String name;
    try {
      int size = req.content().readableBytes();
      switch (type) {
        case "RequestResponse" -> checkSize(size, FunctionInvoker.MAX_SYNC_PAYLOAD);
        case "Event" -> checkSize(size, MAX_ASYNC_PAYLOAD);
        case "DryRun" -> { }
        default -> throw new Failure.InvalidInput("X-Amz-Invocation-Type: '" + type + "' (expected: RequestResponse, Event or DryRun)");
      }
      name = lambdaStyle(functionName, queryQualifier);
      payload = ByteBufUtil.getBytes(req.content());
      InvokePayloads.check(payload);
    } catch (RuntimeException e) {
      reply(ctx, req, keepAlive, withRequestId(AwsErrorResponses.of(e), requestId));
      return;
    }
    String traceHeader = req.headers().get(FunctionInvoker.TRACE_HEADER);
    req.release();
    boolean qualified = !name.endsWith(":$LATEST");
    String function = Routing.functionOf(name);
    switch (type) {
      case "DryRun" -> Responses.sendOnLoop(ctx, keepAlive, withRequestId(
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), requestId));
      case "Event" -> BlockingWork.submit(blocking, () -> {
        FullHttpResponse res;
        try {
          // on disk before the 202; a qualified event keeps its qualifier (NAME:QUALIFIER), an unqualified one runs $LATEST
          async.accept(qualified ? name : function, requestId, payload);
          res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED);
        } catch (RuntimeException e) {
          res = AwsErrorResponses.of(e);
        }
        Responses.sendOnLoop(ctx, keepAlive, withRequestId(res, requestId));
      }, busy -> Responses.sendOnLoop(ctx, keepAlive, withRequestId(AwsErrorResponses.of(busy), requestId)));
      default -> invoker.invokeEvent(name, requestId, payload, traceHeader).whenComplete((result, error) -> {
        FullHttpResponse res = syncResponse(result, error, requestId, qualified);
        if (tail && res.status().code() == 200) {
          BlockingWork.submit(blocking, () -> {
            try {
              res.headers().set("X-Amz-Log-Result", logResult(control.tailLogs(function, TAIL_SCAN_LINES), requestId));
            } catch (RuntimeException unreadable) {
              // the answer matters more than its log: send it without X-Amz-Log-Result
            }
            Responses.sendOnLoop(ctx, keepAlive, res);
          }, busy -> Responses.sendOnLoop(ctx, keepAlive, res)); // busy: the answer without its log
        } else {
          Responses.sendOnLoop(ctx, keepAlive, res);
        }
      });
    }
  }

  /**
   * InvokeWithResponseStream: the function's response as event-stream {@code PayloadChunk}s as it
   * streams them, then {@code InvokeComplete} (see {@link EventStreamResponse}). A failure to run it
   * at all is an ordinary AWS error; a failure of the run is {@code InvokeComplete}'s {@code ErrorCode}.
   */
  private void invokeWithResponseStream(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String functionName,
      String queryQualifier) {
    String requestId = RequestIds.next();
    String type = req.headers().get("X-Amz-Invocation-Type", "RequestResponse");
    boolean tail = "Tail".equalsIgnoreCase(req.headers().get("X-Amz-Log-Type", "None"));
    byte[] payload;
    String name;
    try {
      if (!type.equals("RequestResponse") && !type.equals("DryRun")) {
        throw new Failure.InvalidInput("X-Amz-Invocation-Type: '" + type + "' (expected: RequestResponse or DryRun for InvokeWithResponseStream)");
      }
      checkSize(req.content().readableBytes(), FunctionInvoker.MAX_SYNC_PAYLOAD);
      name = lambdaStyle(functionName, queryQualifier);
      payload = ByteBufUtil.getBytes(req.content());
      InvokePayloads.check(payload);
    } catch (RuntimeException e) {
      reply(ctx, req, keepAlive, withRequestId(AwsErrorResponses.of(e), requestId));
      return;
    }
    req.release();
    if (type.equals("DryRun")) {
      Responses.sendOnLoop(ctx, keepAlive, withRequestId(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), requestId));
      return;
    }
    invoker.invokeStreaming(name, requestId, payload, req.headers().get(FunctionInvoker.TRACE_HEADER)).whenComplete((result, error) -> {
      Failure failed = null;
      if (error != null) {
        Throwable t = ErrorResponses.unwrap(error);
        if (!(t instanceof Failure f && AwsErrorResponses.isFunctionFailure(f))) {
          Responses.sendOnLoop(ctx, keepAlive, withRequestId(AwsErrorResponses.of(t), requestId));
          return;
        }
        failed = f;
      } else if (result.failure() != null) {
        failed = result.failure();
      }
      String function = Routing.functionOf(name);
      EventStreamResponse out = new EventStreamResponse(ctx, keepAlive, blocking,
          tail ? () -> logResult(control.tailLogs(function, TAIL_SCAN_LINES), requestId) : null);
      long revision = result != null ? result.revision() : 0;
      out.head(requestId, !name.endsWith(":$LATEST") && revision > 0 ? Long.toString(revision) : "$LATEST", revision);
      if (failed != null) {
        out.complete(AwsErrorResponses.functionErrorType(failed), AwsErrorResponses.functionErrorMessage(failed, requestId));
      } else if (result.response().isStreamed()) {
        out.relay(result.response().stream());
      } else if (result.response().isError()) {
        out.end(result.response().errorType(), result.response().payload());
      } else {
        if (result.response().payload().length > 0) {
          out.chunk(result.response().payload());
        }
        out.complete(null, null);
      }
    });
  }

  private static void checkSize(int size, int max) {
    if (size > max) {
      throw new Failure.PayloadTooLarge("Request must be smaller than " + max + " bytes for the InvokeFunction operation"
          + " (this one is " + size + " bytes)");
    }
  }

  /** The answer to an unqualified RequestResponse invocation. */
  static FullHttpResponse syncResponse(InvokeResult result, Throwable error, String requestId) {
    return syncResponse(result, error, requestId, false);
  }

  /**
   * The answer to a RequestResponse invocation: the payload, a function error, or an API error.
   * {@code X-Amz-Executed-Version} is {@code $LATEST} for an unqualified call (as on Lambda), else
   * the revision that ran.
   */
  static FullHttpResponse syncResponse(InvokeResult result, Throwable error, String requestId, boolean qualified) {
    FullHttpResponse res;
    if (error != null) {
      Throwable t = ErrorResponses.unwrap(error);
      res = t instanceof Failure f && AwsErrorResponses.isFunctionFailure(f)
          ? functionError(ErrorResponses.json(HttpResponseStatus.OK, AwsErrorResponses.functionErrorDocument(f, requestId)))
          : AwsErrorResponses.of(t);
    } else if (result.failure() != null) {
      res = functionError(ErrorResponses.json(HttpResponseStatus.OK, AwsErrorResponses.functionErrorDocument(result.failure(), requestId)));
    } else {
      res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(result.response().payload()));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      if (result.response().isError()) {
        functionError(res);
      }
    }
    if (res.status().code() == 200) {
      res.headers().set("X-Amz-Executed-Version", qualified && result != null && result.revision() > 0 ? Long.toString(result.revision()) : "$LATEST");
      if (result != null && result.revision() > 0) {
        res.headers().set(FunctionInvoker.REVISION_HEADER, Long.toString(result.revision()));
      }
    }
    return withRequestId(res, requestId);
  }

  private static FullHttpResponse functionError(FullHttpResponse res) {
    res.headers().set("X-Amz-Function-Error", "Unhandled");
    return res;
  }

  private static FullHttpResponse withRequestId(FullHttpResponse res, String requestId) {
    res.headers().set("x-amzn-RequestId", requestId);
    return res;
  }

  /**
   * {@code X-Amz-Log-Result}: base64 of the last 4 KB of the invocation's own lines (those carrying
   * its request id), without the log file's timestamp, request id and instance prefix, as Lambda
   * shows them.
   */
  static String logResult(List<String> logLines, String requestId) {
    StringBuilder text = new StringBuilder();
    for (String line : logLines) {
      // "<timestamp> <requestId> [<instance>] <message>"
      int a = line.indexOf(' ');
      int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
      if (b < 0 || !line.regionMatches(a + 1, requestId, 0, requestId.length()) || b != a + 1 + requestId.length()) {
        continue;
      }
      int c = line.indexOf("] ", b);
      text.append(c < 0 ? line.substring(b + 1) : line.substring(c + 2)).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_TAIL_BYTES) {
      bytes = Arrays.copyOfRange(bytes, bytes.length - MAX_TAIL_BYTES, bytes.length);
    }
    return Base64.getEncoder().encodeToString(bytes);
  }

  private interface Work {
    FullHttpResponse run() throws Exception;
  }

  private void blocking(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, Work work) {
    req.release();
    BlockingWork.submit(blocking, () -> {
      FullHttpResponse res;
      try {
        res = work.run();
      } catch (Exception e) {
        res = AwsErrorResponses.of(e);
      }
      Responses.sendOnLoop(ctx, keepAlive, res);
    }, busy -> Responses.sendOnLoop(ctx, keepAlive, AwsErrorResponses.of(busy)));
  }

  private static void reply(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, FullHttpResponse res) {
    req.release();
    Responses.sendOnLoop(ctx, keepAlive, res);
  }

  private static UnknownOperation unknown(HttpMethod m, String path) {
    return new UnknownOperation("Pilotlight does not implement " + m + " " + PREFIX + path + " (see docs/api.md for the Lambda "
        + "operations it serves)");
  }

  private static String first(QueryStringDecoder q, String key) {
    List<String> v = q.parameters().getOrDefault(key, new ArrayList<>());
    return v.isEmpty() ? null : v.getFirst();
  }

  /** A path or method outside the implemented subset. */
  private static final class UnknownOperation extends RuntimeException {
    UnknownOperation(String message) {
      super(message, null, false, false);
    }
  }
}
