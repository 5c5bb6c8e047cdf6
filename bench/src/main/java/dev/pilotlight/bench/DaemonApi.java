package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.cli.Main;
import dev.pilotlight.executor.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The parts of the daemon's native API the benchmarks drive between measurements: deploy, stop
 * every instance, read a function's live status. Nothing here is timed.
 */
final class DaemonApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final InetSocketAddress address;
  private final String baseUrl;
  private final String token;

  /** @param token the daemon's admin token (the API needs one) */
  DaemonApi(InetSocketAddress address, String baseUrl, String token) {
    this.address = address;
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /**
   * Deploys {@code dir} exactly as {@code pilotlight deploy DIR} does (the CLI's Deployer and
   * PackageBuilder, through its public entry point), with {@code extraArgs} (e.g. {@code --name},
   * {@code --env}), and returns the function object.
   */
  JsonNode deploy(Path dir, List<String> extraArgs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("PILOTLIGHT_URL");
    env.put("PILOTLIGHT_TOKEN", token);
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      List<String> args = new ArrayList<>(List.of("deploy", dir.toString(), "--url", baseUrl, "--json"));
      args.addAll(extraArgs);
      exit = Main.run(o, e, env, args.toArray(String[]::new));
    }
    if (exit != 0) {
      throw new BenchFailure("deploying " + dir + " " + extraArgs + " failed (exit " + exit + "): " + err.toString(StandardCharsets.UTF_8).strip());
    }
    try {
      return JSON.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new BenchFailure("deploying " + dir + ": the CLI printed something that is not JSON: " + out, e);
    }
  }

  /** {@code DELETE /api/v1/functions/{name}/instances}: the next call is a cold start. */
  void stopInstances(String name) throws IOException {
    RawHttp.Response r = RawHttp.once(address, "DELETE", functionPath(name) + "/instances", TIMEOUT, token);
    if (r.status() != 200) {
      throw new BenchFailure("DELETE " + functionPath(name) + "/instances answered " + r.status() + ": " + Expect.abbreviate(r.text()));
    }
  }

  /** {@code GET /api/v1/functions/{name}}: the function object with live status. */
  JsonNode status(String name) throws IOException {
    RawHttp.Response r = RawHttp.once(address, "GET", functionPath(name), TIMEOUT, token);
    if (r.status() != 200) {
      throw new BenchFailure("GET " + functionPath(name) + " answered " + r.status() + ": " + Expect.abbreviate(r.text()));
    }
    return JSON.readTree(r.body());
  }

  /** {@code GET /api/v1/functions/{name}/logs?tail=N}: the last lines of the function's log. */
  String logs(String name, int tail) throws IOException {
    RawHttp.Response r = RawHttp.once(address, "GET", functionPath(name) + "/logs?tail=" + tail, TIMEOUT, token);
    if (r.status() != 200) {
      throw new BenchFailure("GET " + functionPath(name) + "/logs answered " + r.status() + ": " + Expect.abbreviate(r.text()));
    }
    return r.text();
  }

  /** {@code GET /metrics}: the daemon's metrics in Prometheus' text format. */
  String metrics() throws IOException {
    RawHttp.Response r = RawHttp.once(address, "GET", "/metrics", TIMEOUT, token);
    if (r.status() != 200) {
      throw new BenchFailure("GET /metrics answered " + r.status() + ": " + Expect.abbreviate(r.text()));
    }
    return r.text();
  }

  /**
   * Polls the status until no instance is up or starting, and returns that status. An instance
   * that was still starting when the instances were stopped (the autoscaler may add one under
   * back-to-back requests) is stopped too once it is up: {@code DELETE …/instances} stops the
   * instances that exist, not launches in progress.
   */
  JsonNode awaitNoInstances(String name, Duration limit) throws IOException, InterruptedException {
    return awaitZero(name, limit, true);
  }

  /** Waits, without stopping anything, until {@code name} has no instance up or starting (it scaled to zero by itself). */
  JsonNode awaitScaledToZero(String name, Duration limit) throws IOException, InterruptedException {
    return awaitZero(name, limit, false);
  }

  private JsonNode awaitZero(String name, Duration limit, boolean stopIdle) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      JsonNode s = status(name);
      if (s.path("instances").asInt(-1) == 0 && s.path("starting").asInt(-1) == 0) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new BenchFailure("function '" + name + "' still has instances " + limit.toSeconds() + " s after "
            + (stopIdle ? "DELETE …/instances" : "it was last called (it should scale to zero by itself)") + ": instances="
            + s.path("instances") + ", starting=" + s.path("starting"));
      }
      if (stopIdle && s.path("instances").asInt(0) > 0 && s.path("starting").asInt(0) == 0 && s.path("inFlight").asInt(0) == 0) {
        stopInstances(name);
      }
      TimeUnit.MILLISECONDS.sleep(stopIdle ? 5 : 50);
    }
  }

  /**
   * Polls the status until {@code coldStarts} exceeds {@code before} (the gateway may count the
   * call just after the response is sent) and returns it; fails when the call was not cold.
   */
  JsonNode awaitColdStartCounted(String name, long before) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (true) {
      JsonNode s = status(name);
      long after = s.path("coldStarts").asLong(-1);
      if (after == before + 1) {
        return s;
      }
      if (after > before + 1 || System.nanoTime() > deadline) {
        throw new BenchFailure("function '" + name + "': expected exactly one cold start for the timed call,"
            + " but coldStarts went from " + before + " to " + after);
      }
      TimeUnit.MILLISECONDS.sleep(2);
    }
  }

  static String functionPath(String name) {
    return "/api/v1/functions/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
  }
}
