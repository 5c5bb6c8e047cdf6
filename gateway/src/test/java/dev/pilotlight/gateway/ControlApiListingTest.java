package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.testing.Deployments;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

  ControlApiServer server;
  final FunctionStats stats = new FunctionStats();
  final HttpClient http = HttpClient.newHttpClient();
  final List<Deployment> deployed = new CopyOnWriteArrayList<>();

  /** Lists {@link #deployed}; what the view asks besides has its default answer, and anything else is not used here. */
  final ControlPlane control = (ControlPlane) Proxy.newProxyInstance(ControlPlane.class.getClassLoader(), new Class<?>[] {ControlPlane.class},
      (proxy, method, args) -> switch (method.getName()) {
        case "list" -> List.copyOf(deployed);
        case "find" -> deployed.stream().filter(d -> d.name().equals(args[0])).findFirst();
        case "keepAlive" -> keepAlive((Deployment) args[0]);
        default -> {
          if (method.isDefault()) {
            yield InvocationHandler.invokeDefault(proxy, method, args);
          }
          throw new UnsupportedOperationException("ControlPlane." + method.getName() + " is not used by this test");
        }
      });

  /** One function with a learned decision (doubles among its fields), the others without. */
  static Optional<KeepAliveView> keepAlive(Deployment d) {
    return d.name().equals("alpha")
        ? Optional.of(new KeepAliveView("histogram", "12 idle times", Duration.ofMillis(1500), Duration.ofSeconds(95), 12, 2, 0.0625, 3.5))
        : Optional.empty();
  }


  @BeforeEach
  void start() {
    server = new ControlApiServer(control, stats);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
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
