package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.MemoryBudget;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeInstance;
import dev.pilotlight.testing.MemoryCredentialStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real gateway on port 0 over in-memory instances: what {@code GET /metrics} exposes, and the
 * 429 a caller gets when a function's queue is full, on the native path and on the Invoke API.
 */
class MetricsAndThrottlingComponentTest {
  EventLoopGroup boss;
  EventLoopGroup workers;
  Activator activator;
  GatewayServer server;
  PrometheusMeterRegistry metrics;
  final HttpClient http = HttpClient.newHttpClient();
  /** Functions whose name starts with "stuck" never finish starting; others start at once. */
  final AtomicInteger sequence = new AtomicInteger();

  @BeforeEach
  void start() {
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InstantSource clock = InstantSource.system();
    activator = new Activator(this::launch, new ScalingDecider()::instancesToStart, ActivationEvents.NONE, clock,
        new Activator.Settings(100, null), new MemoryBudget(1024, () -> 128));
    HttpProxy proxy = new HttpProxy(workers);
    FunctionStats stats = new FunctionStats();
    FunctionInvoker invoker = new FunctionInvoker(activator, proxy, stats, (f, i, r, line) -> {}, metrics, clock);
    AsyncDispatcher async = AsyncDispatcher.create(unused(EventQueue.class), (f, r, p) -> CompletableFuture.failedFuture(new AssertionError()),
        f -> activator.deployment(f).map(Deployment::spec), (f, r, line) -> {}, AsyncDispatcher.Settings.defaults(), clock);
    ControlPlane control = unused(ControlPlane.class);
    ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    ActivatorMeters activatorMeters = new ActivatorMeters(activator, metrics);
    GatewayHandler router = new GatewayHandler(invoker::serveUrl,
        new ControlApi(control, activator, stats, invoker, async, blocking, "127.0.0.1",
            new Credentials(new MemoryCredentialStore(), clock))::handle,
        new LambdaApi(activator, invoker, async, control, blocking, new dev.pilotlight.model.NodeConcurrency(4096))::handle,
        () -> {
          activatorMeters.refresh();
          return metrics.scrape();
        }, new OpenAdmission(), List.of());
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, 1024 * 1024), boss, workers, router);
  }

  private CompletableFuture<Instance> launch(Deployment d, boolean background, String version) {
    if (d.name().startsWith("stuck")) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(new FakeInstance(d.name() + "-" + sequence.incrementAndGet(), d));
  }

  @SuppressWarnings("unchecked")
  static <T> T unused(Class<T> type) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      throw new UnsupportedOperationException(type.getSimpleName() + "." + m.getName() + " is not used by this test");
    });
  }

  @AfterEach
  void stop() {
    server.close();
    activator.shutdown();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
  }

  @Test
  void metricsExposeInstancesDemandInvocationsLatenciesAndTheMemoryBudget() throws Exception {
    activator.deploy(Deployments.java("f", 1, 5));
    assertThat(send(at("/fn/f/?name=Ann")).statusCode()).isEqualTo(200);
    assertThat(send(at("/fn/f/")).statusCode()).isEqualTo(200);
    activator.decided("f", 3, true);

    HttpResponse<String> scrape = send(at("/metrics"));
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(scrape.body()).contains(
        "pilotlight_instances_ready{function=\"f\"} 1.0",
        "pilotlight_instances_starting{function=\"f\"} 0.0",
        "pilotlight_instances_desired{function=\"f\"} 3.0",
        "pilotlight_autoscaler_panic{function=\"f\"} 1.0",
        "pilotlight_requests_in_flight{function=\"f\"} 0.0",
        "pilotlight_requests_queued{function=\"f\"} 0.0",
        "pilotlight_invocations_total{function=\"f\",outcome=\"success\"} 2.0",
        "pilotlight_cold_starts_total{function=\"f\",strategy=\"fake\"} 1.0",
        "pilotlight_invocation_duration_seconds_bucket{function=\"f\",le=\"0.001\"}",
        "pilotlight_invocation_duration_seconds_count{function=\"f\"} 2",
        "pilotlight_cold_start_duration_seconds_count{function=\"f\",strategy=\"fake\"} 1",
        "pilotlight_queue_wait_seconds_bucket{function=\"f\",le=\"0.05\"}",
        "pilotlight_memory_budget_bytes 1.073741824E9",
        "pilotlight_memory_used_bytes 4.02653184E8", // 256 MB instance + 128 MB pool
        "pilotlight_memory_instances_bytes 2.68435456E8");

    activator.remove("f").join();
    assertThat(send(at("/metrics")).body()).doesNotContain("pilotlight_instances_ready{function=\"f\"}");
  }

  @Test
  void aFullQueueIs429WithARetryAfterOnBothApis() throws Exception {
    FunctionSpec spec = Deployments.javaSpec("stuck", 1, 1, FunctionSpec.DEFAULT_IDLE_TIMEOUT).withScaling(ScalingSettings.UNSET.withMaxQueue(1));
    activator.deploy(Deployments.of(spec, 1));
    CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(at("/fn/stuck/").build(), HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (activator.snapshot("stuck").orElseThrow().queued() == 0) { // the first request reaches the queue over real I/O
      assertThat(System.nanoTime()).as("the first request is queued").isLessThan(deadline);
      Thread.onSpinWait();
    }

    HttpResponse<String> full = send(at("/fn/stuck/"));
    assertThat(full.statusCode()).isEqualTo(429);
    assertThat(full.headers().firstValue("Retry-After")).contains("1");
    assertThat(full.body()).contains("\"error\":\"QueueFull\"").contains("function 'stuck' has 1 requests waiting");

    HttpResponse<String> invoke = send(at("/2015-03-31/functions/stuck/invocations").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(invoke.statusCode()).isEqualTo(429);
    assertThat(invoke.headers().firstValue("x-amzn-ErrorType")).contains("TooManyRequestsException");
    assertThat(invoke.headers().firstValue("Retry-After")).contains("1");
    assertThat(invoke.body()).contains("\"Reason\":\"ConcurrentInvocationLimitExceeded\"");

    assertThat(send(at("/metrics")).body()).contains("pilotlight_invocations_total{function=\"stuck\",outcome=\"throttled\"} 2.0",
        "pilotlight_requests_queued{function=\"stuck\"} 1.0");
    activator.remove("stuck").join();
    assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
  }

  @Test
  void aReservedConcurrencyOfZeroIs429ThrottledWithNoRetryAfterAndCountsAsAThrottle() throws Exception {
    activator.deploy(Deployments.of(Deployments.javaSpec("off", 1, 5, FunctionSpec.DEFAULT_IDLE_TIMEOUT).toBuilder().reservedConcurrency(0).build(), 1));

    HttpResponse<String> url = send(at("/fn/off/"));
    assertThat(url.statusCode()).isEqualTo(429);
    assertThat(url.headers().firstValue("Retry-After")).as("a retry in a second meets the same").isEmpty();
    assertThat(url.body()).contains("\"error\":\"Throttled\"").contains("reserved concurrency of 0");

    HttpResponse<String> invoke = send(at("/2015-03-31/functions/off/invocations").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(invoke.statusCode()).isEqualTo(429);
    assertThat(invoke.headers().firstValue("x-amzn-ErrorType")).contains("TooManyRequestsException");
    assertThat(invoke.headers().firstValue("Retry-After")).isEmpty();
    assertThat(invoke.body()).contains("\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"");

    assertThat(send(at("/metrics")).body()).contains("pilotlight_invocations_total{function=\"off\",outcome=\"throttled\"} 2.0")
        .doesNotContain("pilotlight_invocations_total{function=\"off\",outcome=\"error\"}");
  }
}
