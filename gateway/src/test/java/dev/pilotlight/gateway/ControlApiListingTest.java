package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.MemoryCredentialStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/functions} on the real gateway (port 0): each entry is the function's own view
 * ({@code GET /api/v1/functions/NAME}) field for field, nested values included (latencies, the last
 * cold start, the keep-alive decision), as its numbers move between listings and as functions come
 * and go; the listing is written straight into the answer's buffer, also when it is larger than
 * first guessed.
 */
class ControlApiListingTest {
  static final ObjectMapper JSON = new ObjectMapper();

  EventLoopGroup boss;
  EventLoopGroup workers;
  Activator activator;
  GatewayServer server;
  final FunctionStats stats = new FunctionStats();
  final HttpClient http = HttpClient.newHttpClient();
  final List<Deployment> deployed = new CopyOnWriteArrayList<>();

  final ControlPlane control = new ControlPlane() {
    @Override
    public Deployed deploy(String name, InputStream zip) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Deployment create(FunctionSpec spec, InputStream zip) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Deployment update(String name, UnaryOperator<FunctionSpec> change, InputStream zip) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Deployment> list() {
      return List.copyOf(deployed);
    }

    @Override
    public Optional<Deployment> find(String name) {
      return deployed.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    @Override
    public boolean delete(String name) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<KeepAliveView> keepAlive(Deployment d) {
      // one function with a learned decision (doubles among its fields), the others without
      return d.name().equals("alpha")
          ? Optional.of(new KeepAliveView("histogram", "12 idle times", Duration.ofMillis(1500), Duration.ofSeconds(95), 12, 2, 0.0625, 3.5))
          : Optional.empty();
    }

    @Override
    public List<String> tailLogs(String name, int lines) {
      return List.of();
    }

    @Override
    public AutoCloseable followLogs(String name, Consumer<String> onLine) {
      throw new UnsupportedOperationException();
    }
  };

  @BeforeEach
  void start() {
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    InstantSource clock = InstantSource.system();
    activator = new Activator((d, background, version) -> new CompletableFuture<>(), new ScalingDecider()::instancesToStart,
        ActivationEvents.NONE, clock, 100);
    FunctionInvoker invoker = new FunctionInvoker(activator, new HttpProxy(workers), stats, (f, i, r, line) -> {},
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock);
    AsyncDispatcher async = AsyncDispatcher.create(MetricsAndThrottlingComponentTest.unused(EventQueue.class),
        (f, r, p) -> CompletableFuture.failedFuture(new AssertionError()), f -> Optional.empty(), (f, r, line) -> {},
        AsyncDispatcher.Settings.defaults(), clock);
    ControlApi api = new ControlApi(control, activator, stats, invoker, async, Executors.newVirtualThreadPerTaskExecutor(), "127.0.0.1",
        new Credentials(new MemoryCredentialStore(), clock));
    GatewayHandler router = new GatewayHandler(invoker::serveUrl, api::handle, (ctx, req, path, query) -> {
      throw new AssertionError("no Lambda API call here");
    }, () -> "", new OpenAdmission(), List.of());
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, 1024 * 1024), boss, workers, router);
  }

  @AfterEach
  void stop() {
    server.close();
    activator.shutdown();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  /** The listing, checked entry by entry against each function's own view; returns the listed names. */
  List<String> listingMatchesEachView() throws Exception {
    JsonNode listed = get("/api/v1/functions").path("functions");
    List<String> names = new ArrayList<>();
    for (JsonNode entry : listed) {
      String name = entry.path("name").asText();
      names.add(name);
      assertThat(entry).as(name).isEqualTo(get("/api/v1/functions/" + name));
    }
    return names;
  }

  @Test
  void eachEntryIsTheFunctionsViewAsItsNumbersMoveAndFunctionsComeAndGo() throws Exception {
    assertThat(get("/api/v1/functions")).isEqualTo(JSON.readTree("{\"functions\":[]}"));

    deployed.add(Deployments.java("alpha", 1, 10));
    deployed.add(Deployments.of(Deployments.everySettingSet().get(0).toBuilder().name("beta").build(), 3)); // every setting set
    assertThat(listingMatchesEachView()).containsExactly("alpha", "beta");
    JsonNode alpha = get("/api/v1/functions").path("functions").get(0);
    assertThat(alpha.path("keepAlive").path("keepUntilSeconds").asDouble()).isEqualTo(95.0);
    assertThat(alpha.path("keepAlive").path("coldStartPriceGbSeconds").asDouble()).isEqualTo(0.0625);
    assertThat(alpha.path("latencyMs").path("p50").asDouble()).isZero();

    FunctionStats.Entry numbers = stats.of("alpha");
    numbers.invocations.addAndGet(3);
    numbers.latency(12.345);
    numbers.latency(7.5);
    numbers.coldStart("pool-layer", 4.25);
    assertThat(listingMatchesEachView()).containsExactly("alpha", "beta");
    alpha = get("/api/v1/functions").path("functions").get(0);
    assertThat(alpha.path("invocations").asLong()).isEqualTo(3);
    assertThat(alpha.path("latencyMs").path("p99").asDouble()).isEqualTo(12.35);
    assertThat(alpha.path("lastColdStart").path("strategy").asText()).isEqualTo("pool-layer");

    // a new revision of alpha is listed as such (its fixed fields are not the old revision's)
    deployed.set(0, Deployments.of(Deployments.javaSpec("alpha", 4, 10, FunctionSpec.DEFAULT_IDLE_TIMEOUT), 2));
    deployed.remove(1);
    assertThat(listingMatchesEachView()).containsExactly("alpha");
    assertThat(get("/api/v1/functions").path("functions").get(0).path("revision").asLong()).isEqualTo(2);
  }

  @Test
  void aListingLargerThanItsFirstGuessIsWhole() throws Exception {
    // names and environments far longer than the 800 bytes a function the buffer is first sized for
    for (int i = 0; i < 300; i++) {
      FunctionSpec spec = Deployments.javaSpec("fn-" + i + "-" + "x".repeat(50), 1, 10, FunctionSpec.DEFAULT_IDLE_TIMEOUT).toBuilder()
          .env(Map.of("LONG", "v".repeat(2_000))).build();
      deployed.add(Deployments.of(spec, 1));
    }
    JsonNode listed = get("/api/v1/functions").path("functions");
    assertThat(listed).hasSize(300);
    assertThat(listed.get(299).path("name").asText()).isEqualTo("fn-299-" + "x".repeat(50));
  }
}
