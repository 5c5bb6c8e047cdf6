package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.testing.Deployments;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /api/v1/functions/NAME[?rollout=…]} on the real gateway (port 0) over a control plane
 * that records how it was asked to deploy: no parameter leaves the choice to the package's
 * pilotlight.yaml, {@code none} deploys at once, a plan rolls out; the answer carries the rollout
 * the deploy started and the notice of one that did not apply.
 */
class ControlApiDeployTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Deployment HELLO = Deployments.java("hello", 1, 10);

  ControlApiServer server;
  final HttpClient http = HttpClient.newHttpClient();
  /** How each deploy was asked for: "manifest", "none" or the plan. */
  final List<String> asked = new CopyOnWriteArrayList<>();
  /** What the next deploy answers. */
  volatile ControlPlane.Deployed answer = new ControlPlane.Deployed(HELLO, true);

  final ControlPlane control = new ControlPlane() {
    @Override
    public Deployed deploy(String name, InputStream zip) {
      asked.add("manifest");
      return answer;
    }

    @Override
    public Deployed deploy(String name, InputStream zip, Optional<RolloutPlan> rollout) {
      asked.add(rollout.map(RolloutPlan::toString).orElse("none"));
      return answer;
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
      return List.of(HELLO);
    }

    @Override
    public Optional<Deployment> find(String name) {
      return Optional.of(HELLO);
    }

    @Override
    public boolean delete(String name) {
      throw new UnsupportedOperationException();
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
    server = new ControlApiServer(control, new FunctionStats());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> put(String query) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/functions/hello" + query))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1})).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void noParameterLeavesItToTheManifestNoneDeploysAtOnceAndAPlanRollsOut() throws Exception {
    assertThat(put("").statusCode()).isEqualTo(201);
    assertThat(put("?rollout=none").statusCode()).isEqualTo(201);
    assertThat(put("?rollout=NONE").statusCode()).isEqualTo(201);
    assertThat(put("?rollout=canary:10%25,5m").statusCode()).isEqualTo(201);
    assertThat(asked).containsExactly("manifest", "none", "none", "canary:10%,5m,errors=1%,latency=2x");
  }

  @Test
  void aMalformedPlanIs400AndDeploysNothing() throws Exception {
    HttpResponse<String> r = put("?rollout=blue-green");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).path("message").asText()).startsWith("rollout: 'blue-green' (expected: canary:").contains("or none");
    assertThat(asked).isEmpty();
  }

  @Test
  void theAnswerCarriesTheRolloutTheDeployStartedOrTheNoticeOfOneThatDidNotApply() throws Exception {
    answer = new ControlPlane.Deployed(HELLO, true, null, "the rollout in pilotlight.yaml (canary:10%,5m) did not apply");
    JsonNode first = JSON.readTree(put("").body());
    assertThat(first.path("notice").asText()).isEqualTo("the rollout in pilotlight.yaml (canary:10%,5m) did not apply");
    assertThat(first.has("rollout")).isFalse();

    Rollout started = Rollout.start("hello", 1, HELLO.revision(), RolloutPlan.parse("canary:10%,5m"), Instant.EPOCH);
    answer = new ControlPlane.Deployed(HELLO, false, started, null);
    JsonNode second = JSON.readTree(put("").body());
    assertThat(second.path("rollout").path("status").asText()).isEqualTo("running");
    assertThat(second.path("rollout").path("plan").asText()).isEqualTo("canary:10%,5m,errors=1%,latency=2x");
    assertThat(second.has("notice")).isFalse();
  }
}
