package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DataPathWarmUpTest {
  private RuntimeApiServer runtimeApi;
  private HttpServer gateway;
  private final AtomicInteger healthChecks = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    runtimeApi = RuntimeApiServer.create();
    gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    gateway.createContext("/healthz", exchange -> {
      healthChecks.incrementAndGet();
      byte[] ok = "ok\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, ok.length);
      exchange.getResponseBody().write(ok);
      exchange.close();
    });
    gateway.start();
  }

  @AfterEach
  void stop() {
    gateway.stop(0);
    runtimeApi.close();
  }

  @Test
  void everyEventGoesThroughARealEndpointAndEveryRequestToTheGateway() {
    DataPathWarmUp.Done done = new DataPathWarmUp(runtimeApi, gateway.getAddress(), 50, () -> true).run();

    assertThat(done.events()).isEqualTo(50); // each answered by the loopback runtime, past the endpoint's owner check
    assertThat(done.requests()).isEqualTo(55); // 50 on one connection, 5 on a new connection each
    assertThat(healthChecks).hasValue(55);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("data-path-warm-up-runtime") && t.isAlive());
  }

  @Test
  void itStopsWhenTheDaemonCloses() {
    AtomicInteger asked = new AtomicInteger();
    DataPathWarmUp.Done done = new DataPathWarmUp(runtimeApi, gateway.getAddress(), 1000, () -> asked.incrementAndGet() <= 10).run();

    assertThat(done.events()).isEqualTo(10);
    assertThat(done.requests()).isZero();
    assertThat(healthChecks).hasValue(0);
  }

  @Test
  void withoutAGatewayOnlyTheRuntimeApiRuns() {
    DataPathWarmUp.Done done = new DataPathWarmUp(runtimeApi, null, 20, () -> true).run();

    assertThat(done.events()).isEqualTo(20);
    assertThat(done.requests()).isZero();
  }

  @Test
  void aGatewayThatIsNotThereEndsTheWarmUpQuietly() throws IOException {
    InetSocketAddress nowhere = gateway.getAddress();
    gateway.stop(0);

    DataPathWarmUp.Done done = new DataPathWarmUp(runtimeApi, nowhere, 20, () -> true).run();

    assertThat(done.events()).isEqualTo(20);
    assertThat(done.requests()).isZero();
  }

  @Test
  void callsPassTheOptimisingCompilersThreshold() {
    assertThat(DataPathWarmUp.calls()).isGreaterThan(5000); // the HotSpot default, 5,000, and a fifth more
  }

  @Test
  void theSetting() {
    assertThat(DataPathWarmUp.enabled(null)).isTrue();
    assertThat(DataPathWarmUp.enabled("on")).isTrue();
    assertThat(DataPathWarmUp.enabled("off")).isFalse();
    assertThatThrownBy(() -> DataPathWarmUp.enabled("maybe")).hasMessageContaining("PILOTLIGHT_WARM_UP=maybe (expected: on or off)");
  }
}
