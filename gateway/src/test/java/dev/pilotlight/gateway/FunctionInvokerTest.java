package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.usage.UsageLedger;
import dev.pilotlight.activation.usage.UsageMeter;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.Usage;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One invocation through {@link FunctionInvoker}, over instances in memory: what the instance is
 * sent, what the caller gets back, and what is logged, counted and billed. No sockets: function
 * URLs and direct invokes are driven through an {@link EmbeddedChannel}.
 */
class FunctionInvokerTest {
  final ManualClock clock = new ManualClock();
  final List<String> lines = new CopyOnWriteArrayList<>();
  final List<ScriptedInstance> launched = new CopyOnWriteArrayList<>();
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  final FunctionStats stats = new FunctionStats();
  final SummingLedger ledger = new SummingLedger();
  final UsageMeter usage = new UsageMeter(ledger, clock);
  /** How every instance answers; a test sets it before the call. */
  volatile Function<LambdaRequest, CompletableFuture<LambdaResponse>> answer =
      r -> CompletableFuture.completedFuture(new LambdaResponse(r.payload(), null));
  final Activator activator = new Activator((d, background, version) -> {
    ScriptedInstance i = new ScriptedInstance(d.name() + "-" + (launched.size() + 1), d, r -> answer.apply(r));
    launched.add(i);
    return CompletableFuture.completedFuture(i);
  }, new ScalingDecider()::instancesToStart, ActivationEvents.NONE, clock, 100);
  final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter()); // a context to answer on
  final HttpProxy proxy = new HttpProxy(channel.eventLoop()); // http apps are not proxied here
  final FunctionInvoker invoker = new FunctionInvoker(activator, proxy, stats,
      (function, instanceId, requestId, line) -> lines.add(function + " " + instanceId + " " + line), metrics, clock, usage);

  @AfterEach
  void close() {
    activator.shutdown();
    proxy.close();
    channel.finishAndReleaseAll();
  }

  Deployment deploy(String name) {
    Deployment d = Deployments.java(name, 1, 10);
    activator.deploy(d);
    return d;
  }

  double invocations(String function, String outcome) {
    Counter c = metrics.find("pilotlight.invocations").tags("function", function, "outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void anEventRunsOnAnInstanceAndIsLoggedCountedAndBilled() {
    deploy("hello");

    InvokeResult first = invoker.invokeEvent("hello", "req-1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)).join();
    InvokeResult second = invoker.invokeEvent("hello", "req-2", "{\"a\":2}".getBytes(StandardCharsets.UTF_8)).join();

    assertThat(first.succeeded()).isTrue();
    assertThat(text(first.response().payload())).isEqualTo("{\"a\":1}");
    assertThat(text(second.response().payload())).isEqualTo("{\"a\":2}");
    assertThat(launched).hasSize(1);
    ScriptedInstance instance = launched.getFirst();
    assertThat(instance.requests()).extracting(LambdaRequest::requestId).containsExactly("req-1", "req-2");
    LambdaRequest sent = instance.requests().getFirst();
    assertThat(sent.deadline()).isEqualTo(clock.instant().plusSeconds(30)); // the function's timeout
    assertThat(sent.invokedFunctionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:hello");
    // the ARN is qualified when the call named a version or alias, as on Lambda
    assertThat(FunctionInvoker.invokedArn("hello:live")).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:hello:live");
    assertThat(FunctionInvoker.invokedArn("hello:3")).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:hello:3");
    assertThat(FunctionInvoker.invokedArn("hello:$LATEST")).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:hello");

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("hello hello-1 START RequestId: req-1 Version: 1");
    assertThat(lines.get(1)).startsWith("hello hello-1 END RequestId: req-1\nREPORT RequestId: req-1\tDuration: ")
        .contains("\tMemory Size: 256 MB").contains("\tInit Duration: 1.00 ms\tLaunch: scripted");
    assertThat(lines.get(2)).isEqualTo("hello hello-1 START RequestId: req-2 Version: 1");
    assertThat(lines.get(3)).as("warm: no init").startsWith("hello hello-1 END RequestId: req-2\n").doesNotContain("Init Duration");

    assertThat(stats.of("hello").toMap()).containsEntry("invocations", 2L).containsEntry("coldStarts", 1L).containsEntry("errors", 0L)
        .containsEntry("lastColdStart", Map.of("strategy", "scripted", "initMs", 1.0));
    assertThat(invocations("hello", "success")).isEqualTo(2);
    assertThat(metrics.find("pilotlight.cold.starts").tags("function", "hello", "strategy", "scripted").counter().count()).isEqualTo(1);
    assertThat(metrics.find("pilotlight.invocation.duration").tags("function", "hello").timer().count()).isEqualTo(2);
    Usage used = usage.usage("hello", null);
    assertThat(used.invocations()).isEqualTo(2);
    assertThat(used.coldStarts()).isEqualTo(1);
    assertThat(used.initMs()).isEqualTo(1);
  }

  @Test
  void anEmptyEventIsTheEmptyJsonObject() {
    deploy("hello");

    invoker.invokeEvent("hello", "req-1", new byte[0]).join();

    assertThat(text(launched.getFirst().requests().getFirst().payload())).isEqualTo("{}");
  }

  @Test
  void aFunctionErrorIsAnAnswerAndKeepsTheInstance() {
    deploy("hello");
    answer = r -> CompletableFuture.completedFuture(new LambdaResponse("{\"errorMessage\":\"no\"}".getBytes(StandardCharsets.UTF_8), "Handled"));

    InvokeResult result = invoker.invokeEvent("hello", "req-1", new byte[0]).join();
    invoker.invokeEvent("hello", "req-2", new byte[0]).join();

    assertThat(result.failure()).isNull();
    assertThat(result.response().errorType()).isEqualTo("Handled");
    assertThat(launched).as("the instance stays").hasSize(1);
    assertThat(launched.getFirst().stopped()).isFalse();
    assertThat(invocations("hello", "function_error")).isEqualTo(2);
    assertThat(stats.of("hello").toMap()).containsEntry("errors", 2L);
  }

  @Test
  void aCrashedInvocationIsAnInstanceFailureAndReplacesTheInstance() {
    deploy("hello");
    answer = r -> CompletableFuture.failedFuture(new IOException("runtime API connection reset"));

    InvokeResult result = invoker.invokeEvent("hello", "req-1", new byte[0]).join();

    assertThat(result.failure()).isInstanceOf(Failure.InstanceFailed.class)
        .hasMessage("IOException: runtime API connection reset");
    assertThat(launched.getFirst().stopped()).as("an unhealthy instance is stopped").isTrue();
    assertThat(lines).contains("hello hello-1 ERROR IOException: runtime API connection reset");
    assertThat(invocations("hello", "crash")).isEqualTo(1);

    answer = r -> CompletableFuture.completedFuture(new LambdaResponse(r.payload(), null));
    assertThat(invoker.invokeEvent("hello", "req-2", new byte[0]).join().succeeded()).isTrue();
    assertThat(launched).as("a new instance took the next call").hasSize(2);
  }

  @Test
  void anUnknownFunctionFailsAndIsNeitherLoggedNorCounted() {
    assertThatThrownBy(() -> invoker.invokeEvent("nope", "req-1", new byte[0]).join())
        .hasCauseInstanceOf(Failure.FunctionNotFound.class);

    assertThat(lines).isEmpty();
    assertThat(metrics.find("pilotlight.invocations").counters()).isEmpty();
  }

  @Test
  void anHttpAppTakesNoEventsAndTheCallCountsAsAnError() {
    FunctionSpec web = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("./server").memoryMb(128)
        .timeout(Duration.ofSeconds(30)).concurrency(10).minInstances(0).maxInstances(10).build();
    activator.deploy(Deployments.of(web, 1));

    assertThatThrownBy(() -> invoker.invokeEvent("web", "req-1", new byte[0]).join())
        .hasCauseInstanceOf(Failure.InvalidInput.class).hasMessageContaining("is an http app: call it through its URL /fn/web/");

    assertThat(invocations("web", "error")).isEqualTo(1);
    assertThat(launched.getFirst().requests()).isEmpty();
    assertThat(activator.snapshot("web").orElseThrow().inFlight()).as("the lease is returned").isZero();
  }

  FullHttpResponse serve(FullHttpRequest req, String function, String path, String rawQuery) {
    invoker.serveUrl(channel.pipeline().firstContext(), req, function, path, rawQuery);
    channel.runPendingTasks();
    FullHttpResponse res = channel.readOutbound();
    assertThat(res).as("an answer").isNotNull();
    assertThat(req.refCnt()).as("the request is released").isZero();
    return res;
  }

  static FullHttpRequest request(HttpMethod method, String uri, String body) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
  }

  @Test
  void aFunctionUrlCallIsAnHttpEventAndTheFunctionsAnswerIsTheResponse() {
    deploy("hello");
    answer = r -> CompletableFuture.completedFuture(new LambdaResponse(
        "{\"statusCode\":201,\"headers\":{\"x-a\":\"b\"},\"body\":\"made\"}".getBytes(StandardCharsets.UTF_8), null));

    FullHttpResponse res = serve(request(HttpMethod.POST, "/fn/hello/orders?x=1", "{}"), "hello", "/orders", "x=1");

    assertThat(res.status()).isEqualTo(HttpResponseStatus.CREATED);
    assertThat(res.headers().get("x-a")).isEqualTo("b");
    assertThat(TestResponses.body(res)).isEqualTo("made");
    String event = text(launched.getFirst().requests().getFirst().payload());
    assertThat(event).contains("\"version\":\"2.0\"").contains("\"rawPath\":\"/orders\"").contains("\"rawQueryString\":\"x=1\"")
        .contains("\"method\":\"POST\"");
    assertThat(invocations("hello", "success")).isEqualTo(1);
  }

  @Test
  void aFunctionUrlEventCarriesTheTraceTheInvocationIsPartOf() throws Exception {
    deploy("hello");
    String root = "1-5759e988-bd862e3fe1be46a994272793";
    FullHttpRequest traced = request(HttpMethod.GET, "/fn/hello/", "");
    traced.headers().set("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1");
    serve(traced, "hello", "/", "").release();
    serve(request(HttpMethod.GET, "/fn/hello/", ""), "hello", "/", "").release();

    List<LambdaRequest> requests = launched.getFirst().requests();
    var json = new ObjectMapper();
    String sent = json.readTree(requests.get(0).payload()).path("headers").path("x-amzn-trace-id").asText();
    String started = json.readTree(requests.get(1).payload()).path("headers").path("x-amzn-trace-id").asText();
    // the caller's header as it came; the invocation joins its root
    assertThat(sent).isEqualTo("Root=" + root + ";Sampled=1");
    assertThat(requests.get(0).traceId()).startsWith("Root=" + root + ";Parent=");
    // a caller without one: a new root, stamped with the time of the call, that the invocation joins
    assertThat(started).matches("Root=1-" + Long.toHexString(clock.instant().getEpochSecond()) + "-[0-9a-f]{24}");
    assertThat(requests.get(1).traceId()).startsWith(started + ";Parent=");
  }

  @Test
  void aFunctionErrorOnAUrlIs502WithItsType() {
    deploy("hello");
    answer = r -> CompletableFuture.completedFuture(new LambdaResponse("{\"errorMessage\":\"no\"}".getBytes(StandardCharsets.UTF_8), "Unhandled"));

    FullHttpResponse res = serve(request(HttpMethod.GET, "/fn/hello/", ""), "hello", "/", "");

    assertThat(res.status()).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    assertThat(res.headers().get("X-Pilotlight-Function-Error")).isEqualTo("Unhandled");
    assertThat(TestResponses.body(res)).isEqualTo("{\"errorMessage\":\"no\"}");
  }

  @Test
  void aDirectInvokeSendsTheBodyAsTheEventAndAnswersItsJson() {
    deploy("hello");
    FullHttpRequest req = request(HttpMethod.PUT, "/api/v1/functions/hello/invoke", "{\"n\":1}");

    invoker.invoke(channel.pipeline().firstContext(), req, "hello");
    channel.runPendingTasks();
    FullHttpResponse res = channel.readOutbound();

    assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(TestResponses.body(res)).isEqualTo("{\"n\":1}");
    assertThat(req.refCnt()).isZero();
  }

  @Test
  void eachInvocationHasItsOwnTraceHeaderJoiningTheCallersTrace() {
    deploy("hello");
    String root = "1-5759e988-bd862e3fe1be46a994272793";
    FullHttpRequest req = request(HttpMethod.POST, "/api/v1/functions/hello/invoke", "{}");
    req.headers().set("X-Amzn-Trace-Id", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
    invoker.invoke(channel.pipeline().firstContext(), req, "hello");
    channel.runPendingTasks();
    channel.<FullHttpResponse>readOutbound().release();
    invoker.invokeEvent("hello", "req-a", new byte[0], "Root=" + root).join();
    invoker.invokeEvent("hello", "req-b", new byte[0]).join();
    invoker.invokeEvent("hello", "req-c", new byte[0]).join();

    List<String> traces = launched.getFirst().requests().stream().map(LambdaRequest::traceId).toList();
    assertThat(traces).allMatch(t -> t.matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0"));
    assertThat(traces.get(0)).startsWith("Root=" + root + ";").doesNotContain("53995c3f42cd8ad8");
    assertThat(traces.get(1)).startsWith("Root=" + root + ";");
    // a caller without a trace starts one, stamped with the time of the call
    assertThat(traces.get(2)).startsWith("Root=1-" + Long.toHexString(clock.instant().getEpochSecond()) + "-");
    assertThat(traces.stream().map(t -> t.substring(t.indexOf("Parent="))).distinct()).hasSize(4);
    assertThat(traces.get(2).substring(0, 40)).isNotEqualTo(traces.get(3).substring(0, 40));
  }

  @Test
  void aBodyOverTheSynchronousLimitIs413AndStartsNothing() {
    deploy("hello");
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/fn/hello/",
        Unpooled.wrappedBuffer(new byte[FunctionInvoker.MAX_SYNC_PAYLOAD + 1]));

    FullHttpResponse res = serve(req, "hello", "/", "");

    assertThat(res.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
    assertThat(TestResponses.body(res)).contains("over the 6 MB limit");
    assertThat(launched).isEmpty();
  }

  @Test
  void aUrlOfAnUnknownFunctionIs404() {
    FullHttpResponse res = serve(request(HttpMethod.GET, "/fn/nope/", ""), "nope", "/", "");

    assertThat(res.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    assertThat(TestResponses.body(res)).contains("nope");
    assertThat(lines).isEmpty();
  }

  /** An instance that answers as the test says and records what it was sent; stopped once it has exited. */
  record ScriptedInstance(String id, Deployment deployment, CompletableFuture<String> exited, List<LambdaRequest> requests,
      Function<LambdaRequest, CompletableFuture<LambdaResponse>> answer) implements Instance {
    ScriptedInstance(String id, Deployment deployment, Function<LambdaRequest, CompletableFuture<LambdaResponse>> answer) {
      this(id, deployment, new CompletableFuture<>(), new CopyOnWriteArrayList<>(), answer);
    }

    // By identity, as the activator keeps instances: the recorded requests change.
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }

    @Override
    public String launchStrategy() {
      return "scripted";
    }

    @Override
    public Duration initDuration() {
      return Duration.ofMillis(1);
    }

    @Override
    public InetSocketAddress httpAddress() {
      return deployment.spec().runtime().lambdaStyle() ? null : new InetSocketAddress("127.0.0.1", 9);
    }

    @Override
    public CompletableFuture<LambdaResponse> invoke(LambdaRequest request) {
      requests.add(request);
      return answer.apply(request);
    }

    @Override
    public void currentRequest(String requestId) {}

    @Override
    public CompletableFuture<Void> stop() {
      exited.complete("stopped");
      return CompletableFuture.completedFuture(null);
    }

    boolean stopped() {
      return exited.isDone();
    }
  }

  /** Usage summed per function, whatever the hour. */
  static final class SummingLedger implements UsageLedger {
    private final Map<String, Usage> totals = new ConcurrentHashMap<>();

    @Override
    public void add(Map<String, Map<Instant, Usage>> byFunctionAndHour) {
      byFunctionAndHour.forEach((f, hours) -> hours.values().forEach(u -> totals.merge(f, u, Usage::plus)));
    }

    @Override
    public Usage total(String function, Instant since) {
      return totals.getOrDefault(function, Usage.NONE);
    }

    @Override
    public void forget(String function) {
      totals.remove(function);
    }
  }
}
