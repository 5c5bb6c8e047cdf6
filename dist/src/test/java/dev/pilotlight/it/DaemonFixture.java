package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.cli.Main;
import dev.pilotlight.server.Daemon;
import dev.pilotlight.server.DaemonConfig;
import dev.pilotlight.server.Wiring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A real daemon in this JVM on a free port with a fresh data dir, real instance processes, and the
 * real CLI run in-process against it.
 */
final class DaemonFixture implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("pilotlight.root", "..")).toAbsolutePath().normalize();
  static final Path RUNNER = Path.of(System.getProperty("pilotlight.runner.jar",
      ROOT.resolve("dist/target/pilotlight/runtimes/pilotlight-java-runner.jar").toString()));
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dataDir;
  final DaemonConfig config;
  Daemon daemon;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  DaemonFixture(Path dataDir) {
    this(DaemonConfig.defaults(dataDir, RUNNER).withPort(0).withScalingTick(Duration.ofMillis(100)));
  }

  DaemonFixture(DaemonConfig config) {
    this.dataDir = config.dataDir();
    this.config = config;
    this.daemon = Wiring.start(config);
  }

  /** Stops the daemon and starts a new one on the same data dir (a restart). */
  void restart() {
    daemon.close();
    daemon = Wiring.start(config);
  }

  String url() {
    return "http://127.0.0.1:" + daemon.port();
  }

  record CliResult(int exit, String out, String err) {}

  CliResult cli(String... args) {
    return cliAt(url(), dataDir, args);
  }

  /** The admin token the daemon wrote to its data dir. */
  String token() {
    return TestAuth.adminToken(dataDir);
  }

  private TestAuth.Key adminKey;

  /** An access key with the admin role for the Lambda API, issued on first use. */
  synchronized TestAuth.Key adminKey() {
    if (adminKey == null) {
      adminKey = TestAuth.issueKey(http, url(), token(), "admin");
    }
    return adminKey;
  }

  /**
   * {@code req} with the credentials a daemon needs: SigV4 (the admin key) for the Lambda API,
   * else the admin token; a request that carries its own Authorization header is left alone.
   */
  HttpRequest authorized(HttpRequest req) {
    if (req.headers().firstValue("Authorization").isPresent()) {
      return req;
    }
    return HttpRequest.newBuilder(req, (name, value) -> true).header("Authorization", "Bearer " + token()).build();
  }

  /** A Lambda API call ({@code path} after the host, e.g. /2015-03-31/functions/f/invocations), signed with the admin key. */
  HttpResponse<String> lambda(String method, String path, String body, Map<String, String> headers) {
    return send(TestAuth.signed(adminKey(), method, URI.create(url() + path), body, headers));
  }

  /**
   * Runs the CLI in-process against {@code url}; with {@code dataDir} it finds the daemon's admin
   * token there as a user's CLI does ({@code PILOTLIGHT_DATA_DIR}).
   */
  static CliResult cliAt(String url, Path dataDir, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url");
    all.add(url);
    Map<String, String> env = dataDir == null ? Map.of("PILOTLIGHT_HOME", ROOT.toString(), "PILOTLIGHT_DATA_DIR", "/nonexistent")
        : Map.of("PILOTLIGHT_HOME", ROOT.toString(), "PILOTLIGHT_DATA_DIR", dataDir.toString());
    int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        env, all.toArray(String[]::new));
    return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Deploys with the CLI and asserts it worked. */
  void deploy(String... args) {
    CliResult r = cli(prepend("deploy", args));
    assertThat(r.exit()).as("deploy %s: %s %s", List.of(args), r.out(), r.err()).isZero();
  }

  static String[] prepend(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  static String example(String name) {
    return ROOT.resolve("examples").resolve(name).toString();
  }

  /** The packaged test functions (fixtures.*), deployable as a directory. */
  static String testFunctions() {
    return ROOT.resolve("examples/test-functions/target/package").toString();
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build());
  }

  HttpResponse<String> post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(url() + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> put(String path, byte[] body) {
    return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Content-Type", "application/zip")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /** Sends {@code req} with the admin token unless it carries credentials of its own ({@link #authorized}). */
  HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(authorized(req), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode status(String name) {
    HttpResponse<String> r = get("/api/v1/functions/" + name);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String logs(String name) {
    return get("/api/v1/functions/" + name + "/logs?tail=1000").body();
  }

  /** Waits for a condition that depends on real processes, failing after {@code limit}. */
  static void eventually(Duration limit, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    daemon.close();
  }
}
