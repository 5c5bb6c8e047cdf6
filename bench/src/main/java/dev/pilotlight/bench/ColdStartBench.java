package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.executor.RawHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The measuring loop of {@code coldstart} for one deployed example: N rounds, each timing one cold
 * start through the gateway per rung, then the plain-process baseline (and for python/node a bare
 * interpreter start); then M warm requests alternating between the gateway and a plain instance of
 * the app. One unrecorded round goes first, so the daemon's own first-use costs (its JIT, the
 * first connection) are not counted as the function's cold start.
 *
 * <p>Before each timed call the function's instances are stopped and the warm pool is refilled
 * ({@link PoolWatch}), so nothing runs in the background while the clock runs.
 */
final class ColdStartBench {
  /** Requests sent on each warm connection before recording, so connection set-up is not counted. */
  static final int WARM_UP = 5;
  private static final Duration INSTANCES_GONE_LIMIT = Duration.ofSeconds(30);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  /** How long a function with a 1 s idle timeout may take to scale to zero by itself. */
  private static final Duration SCALE_TO_ZERO_LIMIT = Duration.ofSeconds(30);

  /**
   * What is measured for one example.
   *
   * @param functions the deployed copy of each rung, in the order measured ({@code default} first)
   * @param baseline the same code as a plain process
   * @param interpreter a bare interpreter start, or null
   */
  record Subject(Example example, Map<Rung, String> functions, PlainBaseline baseline, PlainBaseline interpreter) {}

  private final DaemonApi api;
  private final InetSocketAddress gateway;
  private final PoolWatch pool;
  private final PrintStream progress;

  ColdStartBench(DaemonApi api, InetSocketAddress gateway, PoolWatch pool, PrintStream progress) {
    this.api = api;
    this.gateway = gateway;
    this.pool = pool;
    this.progress = progress;
  }

  ExampleResult run(Subject s, int runs, int warmRequests) throws IOException, InterruptedException {
    Example example = s.example();
    int timeoutsBefore = pool.timeouts();
    Map<Rung, List<Double>> cold = new LinkedHashMap<>();
    Map<Rung, List<Double>> init = new LinkedHashMap<>();
    Map<Rung, StrategyTally> strategies = new LinkedHashMap<>();
    s.functions().keySet().forEach(r -> {
      cold.put(r, new ArrayList<>(runs));
      init.put(r, new ArrayList<>(runs));
      strategies.put(r, new StrategyTally());
    });
    List<Double> plain = new ArrayList<>(runs);
    List<Double> bare = new ArrayList<>(runs);

    progress.printf("%s: 1 unrecorded round, then %d rounds of: a cold start through the gateway per rung (%s), the plain process%s…%n",
        example.name(), runs, String.join(", ", s.functions().keySet().stream().map(Rung::key).toList()),
        s.interpreter() != null ? ", a bare interpreter start" : "");
    for (int i = -1; i < runs; i++) {
      boolean recorded = i >= 0;
      for (Map.Entry<Rung, String> rung : s.functions().entrySet()) {
        ColdStart c = rung.getKey() == Rung.AS_USER ? coldAsUser(rung.getValue()) : coldThroughGateway(rung.getValue());
        if (recorded) {
          cold.get(rung.getKey()).add(c.ms());
          strategies.get(rung.getKey()).add(c.strategy());
          if (!Double.isNaN(c.initMs())) {
            init.get(rung.getKey()).add(c.initMs());
          }
        }
      }
      pool.awaitRefilled();
      double baselineMs = s.baseline().coldMs();
      if (recorded) {
        plain.add(baselineMs);
      }
      if (s.interpreter() != null) {
        pool.awaitRefilled();
        double bareMs = s.interpreter().coldMs();
        if (recorded) {
          bare.add(bareMs);
        }
      }
      if (recorded && (i + 1) % 10 == 0 && i + 1 < runs) {
        progress.printf("%s: %d/%d rounds%n", example.name(), i + 1, runs);
      }
    }

    List<RungResult> rungs = new ArrayList<>();
    s.functions().forEach((rung, function) ->
        rungs.add(new RungResult(rung.key(), function, strategies.get(rung).counts(), Summary.of(cold.get(rung)),
            init.get(rung).isEmpty() ? null : Summary.of(init.get(rung)))));

    Summary warm = null;
    Summary warmBaseline = null;
    if (warmRequests > 0) {
      String target = "/fn/" + s.functions().get(Rung.DEFAULT) + Expect.QUERY;
      progress.printf("%s: %d warm requests%n", example.name(), warmRequests);
      List<Double> viaGateway = new ArrayList<>(warmRequests);
      List<Double> direct = new ArrayList<>(warmRequests);
      Optional<PlainHttpApp> app = s.baseline().startWarm();
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
      stopAll(s.functions().get(Rung.DEFAULT));
    }
    return new ExampleResult(example.name(), example.runtime(), rungs, Summary.of(plain), bare.isEmpty() ? null : Summary.of(bare),
        warm, warmBaseline, pool.timeouts() - timeoutsBefore);
  }

  /** One timed cold start, with what the daemon's status said about it (initMs NaN when absent). */
  private record ColdStart(double ms, String strategy, double initMs) {}

  /**
   * One cold start: stop every instance of {@code function}, wait until none is up or starting and
   * the pool is refilled, then time one request on a new connection from before the connect to
   * the last byte of the body; afterwards its instance is stopped again.
   */
  private ColdStart coldThroughGateway(String function) throws IOException, InterruptedException {
    JsonNode before = stopAll(function);
    pool.awaitRefilled();
    ColdStart c = timedCold(function, before, " cold through the gateway");
    stopAll(function);
    return c;
  }

  /** Times one request to {@code function} on a new connection and reads what its status says served it. */
  private ColdStart timedCold(String function, JsonNode before, String what) throws IOException, InterruptedException {
    long start = System.nanoTime();
    RawHttp.Response r = RawHttp.once(gateway, "GET", "/fn/" + function + Expect.QUERY, REQUEST_TIMEOUT);
    double ms = (System.nanoTime() - start) / 1e6;
    Expect.greeting(function + what, r.status(), r.body());
    JsonNode last = api.awaitColdStartCounted(function, before.path("coldStarts").asLong()).path("lastColdStart");
    return new ColdStart(ms, last.path("strategy").asText(null), last.path("initMs").isNumber() ? last.path("initMs").asDouble() : Double.NaN);
  }

  /**
   * One cold start as a user meets it: wait until the function has scaled to zero by itself (its
   * copy has a 1 s idle timeout), pause {@link Rung#USER_PAUSE}, then time one request on a new
   * connection; the pool is not waited for.
   */
  private ColdStart coldAsUser(String function) throws IOException, InterruptedException {
    JsonNode before = api.awaitScaledToZero(function, SCALE_TO_ZERO_LIMIT);
    Thread.sleep(Rung.USER_PAUSE);
    return timedCold(function, before, " cold as a user meets it");
  }

  private JsonNode stopAll(String function) throws IOException, InterruptedException {
    api.stopInstances(function);
    return api.awaitNoInstances(function, INSTANCES_GONE_LIMIT);
  }

  private static double timed(RawHttp connection, String target, String what) throws IOException {
    long start = System.nanoTime();
    RawHttp.Response r = connection.send("GET", target);
    double ms = (System.nanoTime() - start) / 1e6;
    Expect.greeting(what, r.status(), r.body());
    return ms;
  }
}
