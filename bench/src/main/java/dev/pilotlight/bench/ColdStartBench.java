package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The measuring loop of {@code coldstart} for one deployed example: N cold starts through the
 * gateway alternating with N plain-process starts, then M warm requests alternating between the
 * gateway and a plain instance of the app.
 */
final class ColdStartBench {
  /** Requests sent on each warm connection before recording, so connection set-up is not counted. */
  static final int WARM_UP = 5;
  private static final Duration INSTANCES_GONE_LIMIT = Duration.ofSeconds(30);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final DaemonApi api;
  private final InetSocketAddress gateway;
  private final PrintStream progress;

  ColdStartBench(DaemonApi api, InetSocketAddress gateway, PrintStream progress) {
    this.api = api;
    this.gateway = gateway;
    this.progress = progress;
  }

  ExampleResult run(String function, Example example, PlainBaseline baseline, int runs, int warmRequests)
      throws IOException, InterruptedException {
    String target = "/fn/" + function + Expect.QUERY;
    List<Double> cold = new ArrayList<>(runs);
    List<Double> plain = new ArrayList<>(runs);
    StrategyTally strategies = new StrategyTally();
    progress.printf("%s: %d cold starts through the gateway, alternating with plain-process starts…%n", example.name(), runs);
    for (int i = 0; i < runs; i++) {
      cold.add(coldThroughGateway(function, target, strategies));
      plain.add(baseline.coldMs());
    }

    Summary warm = null;
    Summary warmBaseline = null;
    if (warmRequests > 0) {
      progress.printf("%s: %d warm requests%n", example.name(), warmRequests);
      List<Double> viaGateway = new ArrayList<>(warmRequests);
      List<Double> direct = new ArrayList<>(warmRequests);
      Optional<PlainHttpApp> app = baseline.startWarm();
      try (RawHttp g = RawHttp.connect(gateway, REQUEST_TIMEOUT);
           RawHttp d = app.isPresent() ? RawHttp.connect(app.get().address(), REQUEST_TIMEOUT) : null) {
        for (int i = 0; i < WARM_UP; i++) {
          timed(g, target, example.name() + " warm through the gateway");
          if (d != null) {
            timed(d, Expect.QUERY, example.name() + " warm, direct");
          }
        }
        for (int i = 0; i < warmRequests; i++) {
          viaGateway.add(timed(g, target, example.name() + " warm through the gateway"));
          if (d != null) {
            direct.add(timed(d, Expect.QUERY, example.name() + " warm, direct"));
          }
        }
      } finally {
        if (app.isPresent()) {
          app.get().close();
        }
      }
      warm = Summary.of(viaGateway);
      warmBaseline = direct.isEmpty() ? null : Summary.of(direct);
    }
    return new ExampleResult(example.name(), strategies.describe(), Summary.of(cold), Summary.of(plain), warm, warmBaseline);
  }

  /**
   * One cold start: stop every instance, wait until none is up or starting, then time one request
   * on a new connection from before the connect to the last byte of the body.
   */
  private double coldThroughGateway(String function, String target, StrategyTally strategies)
      throws IOException, InterruptedException {
    api.stopInstances(function);
    JsonNode before = api.awaitNoInstances(function, INSTANCES_GONE_LIMIT);
    long start = System.nanoTime();
    RawHttp.Response r = RawHttp.once(gateway, "GET", target, REQUEST_TIMEOUT);
    double ms = (System.nanoTime() - start) / 1e6;
    Expect.greeting(function + " cold through the gateway", r.status(), r.body());
    JsonNode after = api.awaitColdStartCounted(function, before.path("coldStarts").asLong());
    strategies.add(after.path("lastColdStart").path("strategy").asText(null));
    return ms;
  }

  private static double timed(RawHttp connection, String target, String what) throws IOException {
    long start = System.nanoTime();
    RawHttp.Response r = connection.send("GET", target);
    double ms = (System.nanoTime() - start) / 1e6;
    Expect.greeting(what, r.status(), r.body());
    return ms;
  }
}
