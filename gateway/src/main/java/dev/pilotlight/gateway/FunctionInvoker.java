package dev.pilotlight.gateway;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.Lease;
import dev.pilotlight.activation.history.MetricsHistory;
import dev.pilotlight.activation.usage.UsageLedger;
import dev.pilotlight.activation.usage.UsageMeter;
import dev.pilotlight.gateway.lambda.HttpEvents;
import dev.pilotlight.gateway.proxy.Forwarded;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.gateway.proxy.ProxyOutcome;
import dev.pilotlight.gateway.proxy.StreamedBody;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.model.TraceHeader;
import dev.pilotlight.model.auth.UrlAuth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs one request against a function: takes a lease from the activator, then either proxies to an
 * {@code http} instance or sends a Lambda event through the Runtime API, enforces the function's
 * timeout, releases the lease, and records the invocation (logs, stats, metrics).
 */
public final class FunctionInvoker {
  /** Lambda's limit for a synchronous request payload. */
  public static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
  /** The revision that answered, on every answer a function gave (Lambda's Invoke API also says it as {@code X-Amz-Executed-Version}). */
  public static final String REVISION_HEADER = "X-Pilotlight-Revision";
  /** On answers of {@code POST /api/v1/functions/NAME/invoke} to Lambda-style functions: the invocation's request id. */
  public static final String REQUEST_ID_HEADER = "X-Pilotlight-Request-Id";
  /** A caller's X-Ray trace header: the invocation joins its trace ({@link TraceHeader}). */
  public static final String TRACE_HEADER = "X-Amzn-Trace-Id";
  private static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.UTF_8);

  private final Activator activator;
  private final HttpProxy proxy;
  private final FunctionStats stats;
  private final InvocationLog log;
  private final MeterRegistry metrics;
  private final InstantSource clock;
  private final UsageMeter usage;
  private final Map<String, FunctionMeters> meters = new ConcurrentHashMap<>();
  private volatile Routing routing = Routing.LATEST_ONLY;
  private MetricsHistory history;
  private final RevisionCalls revisionCalls = new RevisionCalls();

  public FunctionInvoker(Activator activator, HttpProxy proxy, FunctionStats stats, InvocationLog log, MeterRegistry metrics, InstantSource clock) {
    this(activator, proxy, stats, log, metrics, clock, new UsageMeter(UsageLedger.NONE, clock));
  }

  /** @param usage where every invocation's billed duration and memory are summed (cost accounting) */
  public FunctionInvoker(Activator activator, HttpProxy proxy, FunctionStats stats, InvocationLog log, MeterRegistry metrics, InstantSource clock,
      UsageMeter usage) {
    this.usage = usage;
    this.activator = activator;
    this.proxy = proxy;
    this.stats = stats;
    this.log = log;
    this.metrics = metrics;
    this.clock = clock;
    this.history = new MetricsHistory(MetricsHistory.Ledger.NONE, clock, false);
  }

  /** Where every call's numbers are kept per minute (the console's charts); by default nowhere. Set before the first call. */
  public FunctionInvoker history(MetricsHistory h) {
    this.history = h;
    return this;
  }

  /** Where calls go by traffic split, alias and qualifier (the daemon's release service); by default, every call to the latest revision. */
  public FunctionInvoker routing(Routing r) {
    this.routing = r;
    return this;
  }

  Routing routing() {
    return routing;
  }

  /** The calls each revision answered, for the functions a rollout watches. */
  public RevisionCalls revisionCalls() {
    return revisionCalls;
  }

  /**
   * A function URL call: {@code path} and {@code rawQuery} are what the function sees.
   *
   * @param target the function's name (the call follows its traffic split), or {@code NAME:QUALIFIER}
   */
  public void serveUrl(ChannelHandlerContext ctx, FullHttpRequest req, String target, String path, String rawQuery) {
    run(ctx, req, target, path, rawQuery, true);
  }

  /**
   * The function URL calls whose body streams: those to {@code http} apps, unless their URL auth
   * is {@code aws_iam} (a SigV4 signature covers the payload's hash, so it needs the whole body).
   */
  public GatewayHandler.StreamedUrls streamedUrls() {
    return new GatewayHandler.StreamedUrls() {
      @Override
      public boolean streams(String function) {
        return activator.deployment(function).map(Deployment::spec)
            .filter(spec -> !spec.runtime().lambdaStyle() && UrlAuth.parse(spec.auth()) != UrlAuth.AWS_IAM).isPresent();
      }

      @Override
      public GatewayHandler.BodySink serve(ChannelHandlerContext ctx, HttpRequest head, String function, String path, String rawQuery) {
        return serveStreamed(ctx, head, function, path, rawQuery);
      }
    };
  }

  /**
   * A function URL call to an {@code http} app whose body streams: the parts go to the instance as
   * they come (through the returned sink), once it has one; see {@link StreamedBody}.
   */
  public GatewayHandler.BodySink serveStreamed(ChannelHandlerContext ctx, HttpRequest head, String target, String path, String rawQuery) {
    StreamedBody body = new StreamedBody(ctx.channel());
    String requestId = RequestIds.next();
    long startNanos = System.nanoTime();
    String name = Routing.functionOf(target);
    lease(target, requestId, startNanos).whenComplete((lease, error) -> {
      if (error == null && lease.instance().deployment().spec().runtime().lambdaStyle()) {
        // redeployed as a Lambda-style function since the call was routed
        lease.release(true);
        record(name, lease, requestId, startNanos, true, "error", lease.instance());
        error = new Failure.Unavailable("function '" + name + "' changed from an http app to a Lambda-style function; call again");
      }
      if (error != null) {
        body.abandon();
        Responses.sendOnLoop(ctx, HttpUtil.isKeepAlive(head) && body.received(), ErrorResponses.of(error));
        return;
      }
      proxyHttp(ctx, head, body, lease, requestId, path, rawQuery, startNanos);
    });
    return sinkInto(body);
  }

  /** The router's sink for a streamed call whose parts go to the instance through {@code body}. */
  static GatewayHandler.BodySink sinkInto(StreamedBody body) {
    return new GatewayHandler.BodySink() {
      @Override
      public void part(HttpContent part) {
        body.offer(part);
      }

      @Override
      public void clientClosed() {
        body.clientGone();
      }
    };
  }

  /** A direct invoke ({@code POST /api/v1/functions/{name}/invoke}): the body is the event; {@code target} as for {@link #serveUrl}. */
  void invoke(ChannelHandlerContext ctx, FullHttpRequest req, String target) {
    req.setMethod(HttpMethod.POST);
    run(ctx, req, target, "/", "", false);
  }

  /**
   * Runs one Lambda event on {@code name} (the Invoke API and asynchronous invocations): takes a
   * lease, logs {@code START}, invokes, releases the lease and records the invocation. Completes
   * with how the run ended once an instance had it, or exceptionally with the {@link Failure} that
   * kept it from running (not found, queue full, no instance free in time, init failure, shutdown).
   *
   * @param target the function's name (its traffic split decides), or {@code NAME:QUALIFIER}
   * @param payload the event; empty means {@code {}}
   */
  public CompletableFuture<InvokeResult> invokeEvent(String target, String requestId, byte[] payload) {
    return event(target, requestId, payload, false, null);
  }

  /** As {@link #invokeEvent(String, String, byte[])}, joining the trace of the caller's {@code X-Amzn-Trace-Id} (null: none). */
  public CompletableFuture<InvokeResult> invokeEvent(String target, String requestId, byte[] payload, String callerTrace) {
    return event(target, requestId, payload, false, callerTrace);
  }

  private void run(ChannelHandlerContext ctx, FullHttpRequest req, String target, String path, String rawQuery, boolean viaUrl) {
    String name = Routing.functionOf(target);
    if (req.content().readableBytes() > MAX_SYNC_PAYLOAD) {
      Responses.send(ctx, req, ErrorResponses.of(new Failure.PayloadTooLarge(
          "request body of " + req.content().readableBytes() + " bytes is over the 6 MB limit")));
      req.release();
      return;
    }
    String requestId = RequestIds.next();
    long startNanos = System.nanoTime();
    lease(target, requestId, startNanos).whenComplete((lease, error) -> {
      if (error != null) {
        Responses.send(ctx, req, ErrorResponses.of(error));
        req.release();
        return;
      }
      String revision = Long.toString(lease.instance().deployment().revision());
      if (lease.instance().deployment().spec().runtime().lambdaStyle()) {
        byte[] payload;
        Instant now = clock.instant();
        String callerTrace = req.headers().get(TRACE_HEADER);
        String trace = TraceHeader.forInvocation(callerTrace, now.getEpochSecond(), ThreadLocalRandom.current());
        if (viaUrl) {
          if (callerTrace == null) {
            // As on Lambda, a function URL event's headers carry the trace the call is part of: one
            // the caller did not start is the invocation's new root.
            req.headers().set(TRACE_HEADER, TraceHeader.rootOf(trace));
          }
          String ip = Forwarded.clientIp(ctx.channel());
          int port = ctx.channel().localAddress() instanceof InetSocketAddress l ? l.getPort() : 0;
          payload = HttpEvents.toEvent(req, path, rawQuery, requestId, name, new HttpEvents.Caller(ip, Forwarded.scheme(ctx.channel()), port), now);
        } else {
          payload = req.content().readableBytes() == 0 ? EMPTY_EVENT : ByteBufUtil.getBytes(req.content());
        }
        boolean streamed = viaUrl && lease.instance().deployment().spec().streamsUrlResponses();
        execute(lease, target, requestId, payload, startNanos, streamed, trace).whenComplete((result, failure) -> {
          try {
            FullHttpResponse out;
            if (failure == null && result.failure() == null && result.response().isStreamed()) {
              StreamedUrlResponse.relay(ctx, HttpUtil.isKeepAlive(req), result.response().stream(), revision);
              return;
            }
            if (failure != null) {
              out = ErrorResponses.of(failure);
            } else if (result.failure() != null) {
              out = ErrorResponses.of(result.failure());
            } else if (result.response().isError()) {
              out = functionError(result.response(), viaUrl);
            } else {
              out = viaUrl ? toUrlResponse(result.response()) : jsonResponse(result.response().payload());
            }
            out.headers().set(REVISION_HEADER, revision);
            if (!viaUrl) { // the native invoke: the id its log lines carry (START … REPORT), e.g. for the console
              out.headers().set(REQUEST_ID_HEADER, requestId);
            }
            Responses.send(ctx, req, out);
          } finally {
            req.release();
          }
        });
      } else {
        proxyHttp(ctx, req, StreamedBody.whole(ctx.channel(), req), lease, requestId, path, rawQuery, startNanos);
      }
    });
  }

  /**
   * A lease on an instance of the revision {@code target} calls ({@link Routing}), with {@code START}
   * logged; a failure to get one is logged and recorded.
   */
  private CompletableFuture<Lease> lease(String target, String requestId, long startNanos) {
    String name = Routing.functionOf(target);
    CompletableFuture<Lease> leased;
    try {
      leased = activator.acquire(routing.route(name, Routing.qualifierOf(target)).pool());
    } catch (Failure f) {
      leased = CompletableFuture.failedFuture(f);
    }
    return leased.handle((lease, error) -> {
      if (error != null) {
        Throwable t = ErrorResponses.unwrap(error);
        if (!(t instanceof Failure.FunctionNotFound)) {
          record(name, null, requestId, startNanos, false, t instanceof Failure f && ErrorResponses.isThrottle(f) ? "throttled" : "error", null);
          log.line(name, "-", requestId, "ERROR " + t.getMessage());
        }
        throw t instanceof CompletionException c ? c : new CompletionException(t);
      }
      Instance instance = lease.instance();
      log.line(name, instance.id(), requestId, "START RequestId: " + requestId + " Version: " + instance.deployment().revision());
      return lease;
    });
  }

  /**
   * {@code Lambda-Runtime-Invoked-Function-Arn} for a call of {@code target}: qualified with the
   * version or alias the caller named, as on Lambda ({@code …:function:NAME:prod}); unqualified for
   * a call of the function itself, also when the Lambda API resolved it to {@code $LATEST}.
   */
  static String invokedArn(String target) {
    return target.endsWith(":$LATEST") ? LambdaNames.arn(Routing.functionOf(target)) : LambdaNames.arn(target);
  }

  /**
   * Sends {@code payload} to the leased Lambda-style instance within the function's timeout, then
   * releases the lease (unhealthy after a timeout or crash, which replaces the instance) and records
   * the invocation. Never completes exceptionally for a failed run: that is {@link InvokeResult#failure()}.
   *
   * @param target what the caller named ({@code NAME} or {@code NAME:QUALIFIER}): the runtime's
   *     invoked function ARN is qualified when the call named a version or alias ({@link #invokedArn})
   * @param acceptsStream whether the caller takes a streamed response as it comes; if the function
   *     streams, the result's stream is a {@link GuardedStream} and the lease is released (and the
   *     invocation recorded) when it ends, not here
   * @param trace the invocation's trace header ({@link TraceHeader#forInvocation}, keeping the
   *     root of the caller's {@code X-Amzn-Trace-Id} if it sent one)
   */
  private CompletableFuture<InvokeResult> execute(Lease lease, String target, String requestId, byte[] payload, long startNanos,
      boolean acceptsStream, String trace) {
    Instance instance = lease.instance();
    Deployment d = instance.deployment();
    String name = d.name();
    long timeoutMs = d.spec().timeout().toMillis();
    long sentNanos = acceptsStream ? System.nanoTime() : 0;
    Instant now = clock.instant();
    LambdaRequest lr = new LambdaRequest(requestId, payload, now.plusMillis(timeoutMs), invokedArn(target), acceptsStream, trace);
    return within(instance.invoke(lr), timeoutMs).handle((res, error) -> {
      if (error == null && res.isStreamed()) {
        return new InvokeResult(LambdaResponse.streamed(guarded(res, lease, requestId, startNanos, timeoutMs - (System.nanoTime() - sentNanos) / 1_000_000)), null,
            d.revision());
      }
      InvokeResult result;
      String outcome;
      if (error != null) {
        Throwable t = ErrorResponses.unwrap(error);
        Failure f;
        if (t instanceof TimeoutException) {
          f = new Failure.FunctionTimeout("function '" + name + "' did not finish within its timeout of " + timeoutMs
              + " ms; its instance " + instance.id() + " is being replaced", Duration.ofMillis(timeoutMs));
          outcome = "timeout";
        } else {
          f = t instanceof Failure named ? named : new Failure.InstanceFailed(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
          outcome = "crash";
        }
        log.line(name, instance.id(), requestId, "ERROR " + f.getMessage());
        result = new InvokeResult(null, f, d.revision());
      } else {
        outcome = res.isError() ? "function_error" : "success";
        result = new InvokeResult(res, null, d.revision());
      }
      lease.release(result.failure() == null);
      record(name, lease, requestId, startNanos, !outcome.equals("success"), outcome, instance);
      return result;
    });
  }

  /** A streamed response that holds its lease, and runs out of time, until its end. */
  private GuardedStream guarded(LambdaResponse res, Lease lease, String requestId, long startNanos, long remainingMs) {
    Instance instance = lease.instance();
    String name = instance.deployment().name();
    long timeoutMs = instance.deployment().spec().timeout().toMillis();
    GuardedStream stream = new GuardedStream(res.stream(), outcome -> {
      if (outcome.equals("timeout")) {
        log.line(name, instance.id(), requestId, "ERROR function '" + name + "' did not finish its streamed response within its timeout of "
            + timeoutMs + " ms; its instance " + instance.id() + " is being replaced");
      }
      lease.release(!outcome.equals("timeout") && !outcome.equals("crash"));
      record(name, lease, requestId, startNanos, !outcome.equals("success"), outcome, instance);
    });
    stream.timer(Timeouts.TIMER.after(remainingMs, () -> stream.timedOut("RequestId: " + requestId
        + " Error: " + AwsErrorResponses.timedOut(Duration.ofMillis(timeoutMs)))));
    return stream;
  }

  /**
   * Runs one Lambda event on {@code name} for a caller that takes a streamed response as it comes
   * ({@code InvokeWithResponseStream}): as {@link #invokeEvent}, but a function that streams
   * completes the future when its stream starts, with a {@link LambdaResponse#stream()} to subscribe to.
   */
  public CompletableFuture<InvokeResult> invokeStreaming(String target, String requestId, byte[] payload, String callerTrace) {
    return event(target, requestId, payload, true, callerTrace);
  }

  /** {@link #invokeEvent} and {@link #invokeStreaming}: one Lambda event, streamed back to a caller that takes streams. */
  private CompletableFuture<InvokeResult> event(String target, String requestId, byte[] payload, boolean acceptsStream, String callerTrace) {
    long startNanos = System.nanoTime();
    String name = Routing.functionOf(target);
    return lease(target, requestId, startNanos).thenCompose(lease -> {
      Instance instance = lease.instance();
      if (!instance.deployment().spec().runtime().lambdaStyle()) {
        lease.release(true);
        record(name, lease, requestId, startNanos, true, "error", instance);
        return CompletableFuture.failedFuture(new Failure.InvalidInput("function '" + name
            + "' is an http app: call it through its URL /fn/" + name + "/ (only Lambda-style functions take events)"));
      }
      return execute(lease, target, requestId, payload.length == 0 ? EMPTY_EVENT : payload, startNanos, acceptsStream,
          TraceHeader.forInvocation(callerTrace, clock.instant().getEpochSecond(), ThreadLocalRandom.current()));
    });
  }

  /**
   * Fails {@code f} with a {@link TimeoutException} unless it completes within {@code ms} (at most
   * one {@link Timeouts#SLOT} late). Not {@code orTimeout}: the JDK's delay scheduler is woken for
   * every timer set and cancelled, which cost more CPU than much of the rest of a warm invocation.
   */
  private static <T> CompletableFuture<T> within(CompletableFuture<T> f, long ms) {
    if (f.isDone()) {
      return f;
    }
    InvocationTimer.Timeout timer = Timeouts.TIMER.after(ms, () -> f.completeExceptionally(new TimeoutException()));
    f.whenComplete((r, e) -> timer.cancel());
    return f;
  }

  /**
   * The timer that ends invocations at their timeout ({@link InvocationTimer}), and where what follows
   * a timeout runs: not on the timer's one thread, since it stops the instance and answers the caller,
   * and one slow stop must not hold up every other invocation's timeout behind it.
   */
  private static final class Timeouts {
    /** How late a timeout may fire: timeouts are whole seconds (Lambda's 1 s to 900 s), so 50 ms is within 5 % of the shortest. */
    static final long SLOT = 50;
    static final InvocationTimer TIMER = timer();

    private Timeouts() {}

    private static InvocationTimer timer() {
      var scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("invocation-timeouts").factory());
      var continuations = java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("invocation-timeout-", 0).factory());
      return new InvocationTimer(scheduler, continuations, SLOT, () -> System.nanoTime() / 1_000_000);
    }
  }

  private static FullHttpResponse toUrlResponse(LambdaResponse res) {
    try {
      return HttpEvents.toResponse(res.payload());
    } catch (IllegalArgumentException badBase64) {
      return ErrorResponses.of(new Failure.InstanceFailed("the function's response is malformed: " + badBase64.getMessage()));
    }
  }

  static FullHttpResponse functionError(LambdaResponse res, boolean viaUrl) {
    FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        viaUrl ? HttpResponseStatus.BAD_GATEWAY : HttpResponseStatus.OK, Unpooled.wrappedBuffer(res.payload()));
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    out.headers().set("X-Pilotlight-Function-Error", res.errorType());
    return out;
  }

  private static FullHttpResponse jsonResponse(byte[] payload) {
    FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(payload));
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return out;
  }

  private void proxyHttp(ChannelHandlerContext ctx, HttpRequest head, StreamedBody body, Lease lease, String requestId, String path,
      String rawQuery, long startNanos) {
    Instance instance = lease.instance();
    String name = instance.deployment().name();
    if (instance.deployment().spec().concurrency() == 1) {
      instance.currentRequest(requestId);
    }
    String uri = rawQuery.isEmpty() ? path : path + "?" + rawQuery;
    long timeoutMs = instance.deployment().spec().timeout().toMillis();
    head.headers().set("X-Request-Id", requestId);
    boolean keepAlive = HttpUtil.isKeepAlive(head);
    var spec = instance.deployment().spec();
    String revision = Long.toString(instance.deployment().revision());
    proxy.forward(ctx, head, body, uri, instance.httpAddress(), spec.timeout(), spec.idleTimeout(), new ProxyOutcome() {
      @Override
      public void responseHead(HttpHeaders headers) {
        headers.set(REVISION_HEADER, revision);
      }

      @Override
      public void completed(int status) {
        lease.release(true);
        record(name, lease, requestId, startNanos, status >= 500, status >= 500 ? "http_5xx" : "success", instance);
      }

      @Override
      public void failed(Throwable cause, boolean responseStarted) {
        if (instance.exited().isDone() || takesNoConnections(cause)) {
          decide(cause, responseStarted, instance.exited().isDone());
          return;
        }
        // A crashing app's sockets close a moment before its process's exit is seen: wait for that
        // exit a little before calling the instance healthy (and the next call would meet a dead one).
        instance.exited().copy().completeOnTimeout(null, CRASH_GRACE.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((reason, e) -> ctx.executor().execute(() -> decide(cause, responseStarted, reason != null)));
      }

      /**
       * An app that dropped one connection (it refused a request's headers, answered without
       * reading an upload and closed) still serves the others: only an exited process, or one that
       * takes no connections, is retired.
       */
      private void decide(Throwable cause, boolean responseStarted, boolean exited) {
        boolean unreachable = !exited && takesNoConnections(cause);
        Failure.InstanceFailed f = new Failure.InstanceFailed(exited
            ? "instance " + instance.id() + " failed mid-request: " + instance.exited().join()
            : unreachable ? "instance " + instance.id() + " takes no connections on its port (" + cause.getMessage() + "); it is being replaced"
            : "instance " + instance.id() + ": " + cause.getMessage() + " (this request only: the instance goes on serving)");
        log.line(name, instance.id(), requestId, "ERROR " + f.getMessage());
        lease.release(!exited && !unreachable);
        record(name, lease, requestId, startNanos, true, exited || unreachable ? "crash" : "http_5xx", instance);
        if (!responseStarted) {
          // a body still arriving is dropped: the connection ends after the answer
          Responses.sendOnLoop(ctx, keepAlive && body.received(), ErrorResponses.of(f));
        }
      }

      @Override
      public void timedOut(boolean responseStarted, boolean instanceAtFault) {
        Failure.FunctionTimeout f = new Failure.FunctionTimeout("function '" + name + "' did not finish within its timeout of "
            + timeoutMs + " ms; " + (instanceAtFault ? "its instance " + instance.id() + " answered nothing meanwhile and is being replaced"
                : !body.received() ? "the request's body had not all arrived from the client" : "the instance goes on serving"),
            Duration.ofMillis(timeoutMs));
        log.line(name, instance.id(), requestId, "ERROR " + f.getMessage());
        lease.release(!instanceAtFault);
        record(name, lease, requestId, startNanos, true, "timeout", instance);
        if (!responseStarted) {
          Responses.sendOnLoop(ctx, keepAlive && body.received(), ErrorResponses.of(f));
        }
      }

      @Override
      public void clientClosed() {
        log.line(name, instance.id(), requestId, "ERROR the client closed its connection before the exchange ended");
        lease.release(true);
        record(name, lease, requestId, startNanos, true, "client_closed", instance);
      }
    });
  }

  /**
   * How long a proxied request whose connection the app closed waits for the app's process to be
   * seen exiting before the instance is judged alive: a crash closes the sockets a moment before
   * the exit is observed (the sandbox's init and the JDK's reaper come between).
   */
  static final Duration CRASH_GRACE = Duration.ofSeconds(1);

  /**
   * Whether a proxied request's failure says the app takes no connections on its port any more (its
   * server stopped while the process lives on): it then serves nothing, and the instance is retired
   * whatever the client did. Any other failure of one connection fails that request alone.
   */
  static boolean takesNoConnections(Throwable cause) {
    return cause instanceof java.net.ConnectException || cause instanceof io.netty.channel.ConnectTimeoutException;
  }

  /** Histogram buckets of every latency timer, so that Prometheus can compute quantiles across instances and functions. */
  static final Duration[] BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  /**
   * One function's meters, looked up once: a registry lookup builds and sorts the tags each time,
   * which cost more than recording. The registry keeps the meters of a removed function anyway.
   */
  private final class FunctionMeters {
    final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    /** By launch strategy: cold starts counted, and their durations. */
    final Map<String, ColdStartMeters> coldStarts = new ConcurrentHashMap<>();
    final Timer duration;
    final Timer queueWait;

    FunctionMeters(String name) {
      duration = histogram("pilotlight.invocation.duration", "Invocations, from arrival to answer", "function", name);
      queueWait = histogram("pilotlight.queue.wait", "Time invocations waited for a free instance", "function", name);
    }
  }

  private record ColdStartMeters(Counter count, Timer duration) {}

  private ColdStartMeters coldStartMeters(String name, String strategy) {
    return new ColdStartMeters(metrics.counter("pilotlight.cold.starts", "function", name, "strategy", strategy),
        histogram("pilotlight.cold.start.duration", "Invocations that waited for their instance to start, from arrival to answer",
            "function", name, "strategy", strategy));
  }

  private Timer histogram(String meter, String description, String... tags) {
    return Timer.builder(meter).description(description).tags(tags).serviceLevelObjectives(BUCKETS).register(metrics);
  }

  private void record(String name, Lease lease, String requestId, long startNanos, boolean error, String outcome, Instance instance) {
    double ms = (System.nanoTime() - startNanos) / 1e6;
    FunctionStats.Entry e = stats.of(name);
    e.invocations.incrementAndGet();
    if (error) {
      e.errors.incrementAndGet();
    }
    e.latency(ms);
    if (lease == null || instance == null) { // it never ran: a throttle, or no instance could be had
      history.call(name, ms, error || outcome.equals("error"), outcome.equals("throttled"));
    }
    long nanos = (long) (ms * 1e6);
    FunctionMeters m = meters.computeIfAbsent(name, FunctionMeters::new);
    m.outcomes.computeIfAbsent(outcome, o -> metrics.counter("pilotlight.invocations", "function", name, "outcome", o)).increment();
    m.duration.record(nanos, TimeUnit.NANOSECONDS);
    if (lease != null) {
      m.queueWait.record(lease.waited());
    }
    if (lease != null && lease.cold()) {
      double initMs = instance.initDuration().toNanos() / 1e6;
      e.coldStart(instance.launchStrategy(), initMs);
      // looked up once per strategy, as the meters above: a cold start's path runs this in the interpreter
      ColdStartMeters cold = m.coldStarts.computeIfAbsent(instance.launchStrategy(), strategy -> coldStartMeters(name, strategy));
      cold.count().increment();
      cold.duration().record(nanos, TimeUnit.NANOSECONDS);
    }
    if (instance != null) {
      revisionCalls.record(name, instance.deployment().revision(), ms, error);
      if (instance.deployment().spec().concurrency() == 1) {
        instance.requestEnded(requestId);
      }
      // As on Lambda, Duration (and what is billed) is the time on the instance: not the wait for a
      // slot or for the instance's init, which REPORT shows apart as Init Duration.
      double runMs = lease == null ? ms : Math.max(0, ms - lease.waited().toNanos() / 1e6);
      long billedMs = (long) Math.ceil(runMs);
      int memoryMb = instance.deployment().spec().memoryMb();
      OptionalLong peak = instance.peakMemoryBytes();
      long maxUsedMb = peak.isPresent() ? (peak.getAsLong() + (1 << 20) - 1) >> 20 : 0;
      StringBuilder report = new StringBuilder(256) // END and REPORT fit: no regrowth per invocation
          .append("END RequestId: ").append(requestId).append('\n')
          .append("REPORT RequestId: ").append(requestId)
          .append("\tDuration: ").append(twoDecimals(runMs)).append(" ms")
          .append("\tBilled Duration: ").append(billedMs).append(" ms")
          .append("\tMemory Size: ").append(memoryMb).append(" MB");
      if (maxUsedMb > 0) {
        report.append("\tMax Memory Used: ").append(maxUsedMb).append(" MB");
      }
      if (lease != null) {
        boolean cold = lease.cold();
        usage.invocation(name, billedMs, memoryMb, maxUsedMb, cold, cold ? instance.initDuration().toMillis() : 0, lease.prewarmHit());
        history.served(name, ms, error, billedMs, memoryMb, cold, cold ? instance.launchStrategy() : null,
            cold ? instance.initDuration().toNanos() / 1e6 : 0, lease.prewarmHit());
      }
      if (lease != null && lease.cold()) {
        report.append("\tInit Duration: ").append(twoDecimals(instance.initDuration().toNanos() / 1e6)).append(" ms")
            .append("\tLaunch: ").append(instance.launchStrategy());
      }
      log.line(name, instance.id(), requestId, report.toString());
    }
  }

  /** {@code ms} rounded half up to two decimals, as REPORT lines show it ({@code 3.14}); no {@code String.format} per call. */
  static String twoDecimals(double ms) {
    long hundredths = Math.round(ms * 100);
    long frac = hundredths % 100;
    return (hundredths / 100) + (frac < 10 ? ".0" : ".") + frac;
  }
}
