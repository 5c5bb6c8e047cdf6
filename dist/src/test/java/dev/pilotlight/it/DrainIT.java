package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a daemon process, as Kubernetes stops a pod: {@code /healthz} turns 503 ("draining"),
 * new requests are refused, a call in flight completes, async events still running when the drain
 * time is up go back to the queue, and the process exits 0.
 */
class DrainIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void sigtermLetsTheCallInFlightFinishWhileHealthzSaysDrainingThenExitsZero(@TempDir Path data) throws Exception {
    try (Serve d = Serve.start(data, "--drain-timeout", "60s")) {
      d.deploy("drain-slow", "--timeout", "60s");
      CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(d.invoke("drain-slow", "{\"ms\":4000}"),
          HttpResponse.BodyHandlers.ofString());
      eventually(Duration.ofSeconds(60), "the slow call is running", () -> d.logs("drain-slow").contains("START RequestId"));
      assertThat(slow).isNotDone();

      d.process.destroy(); // SIGTERM

      eventually(Duration.ofSeconds(30), "/healthz says draining", () -> {
        HttpResponse<String> h = d.get("/healthz");
        return h != null && h.statusCode() == 503 && h.body().startsWith("draining");
      });
      HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(d.url + "/api/v1/functions"))
          .header("Authorization", "Bearer " + d.token()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("draining");
      assertThat(refused.headers().firstValue("connection")).hasValue("close");

      HttpResponse<String> done = slow.get(60, TimeUnit.SECONDS);
      assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
      assertThat(done.body()).contains("\"slept\":4000");
      assertThat(d.process.waitFor(60, TimeUnit.SECONDS)).as("the daemon exits after its drain").isTrue();
      assertThat(d.process.exitValue()).as(d.output()).isZero();
      assertThat(d.output()).contains("pilotlight: draining (stopping)").contains("no request in flight");
    }
  }

  @Test
  void anAsyncEventStillRunningWhenTheDrainTimeIsUpGoesBackToTheQueue(@TempDir Path data) throws Exception {
    String id;
    try (Serve d = Serve.start(data, "--drain-timeout", "1s")) {
      d.deploy("drain-async", "--timeout", "120s");
      id = AsyncInvokeIT.event(d.url, data, "drain-async", "{\"ms\":60000}");
      eventually(Duration.ofSeconds(60), "the event is running", () -> d.logs("drain-async").contains("START RequestId: " + id));

      d.process.destroy(); // SIGTERM

      assertThat(d.process.waitFor(60, TimeUnit.SECONDS)).as("the daemon exits after its drain").isTrue();
      assertThat(d.process.exitValue()).as(d.output()).isZero();
      assertThat(d.output()).contains("1 async event(s) still running went back to the queue");
    }
    try (Serve again = Serve.start(data, "--drain-timeout", "1s")) {
      String logs = again.logs("drain-async");
      assertThat(logs).contains("ASYNC the node shut down before the event finished; queued again");
    }
  }

  /** {@code pilotlight serve} as a process of its own, its output kept in a file. */
  private static final class Serve implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+)");
    final Process process;
    final String url;
    final Path data;
    private final Path log;

    private Serve(Process process, String url, Path data, Path log) {
      this.process = process;
      this.url = url;
      this.data = data;
      this.log = log;
    }

    static Serve start(Path data, String... flags) throws Exception {
      String java = ProcessHandle.current().info().command().orElseThrow();
      Path lib = DaemonFixture.ROOT.resolve("dist/target/pilotlight/lib");
      List<String> cmd = new ArrayList<>(List.of(java, "-cp", lib + "/*", "-Dpilotlight.runner.jar=" + DaemonFixture.RUNNER,
          "dev.pilotlight.server.Main", "--port", "0", "--data-dir", data.toString(), "--pool-size", "0"));
      cmd.addAll(List.of(flags));
      Path log = Files.createTempFile("drain-it-", ".log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Serve serve = new Serve(p, null, data, log);
      String[] url = new String[1];
      eventually(Duration.ofSeconds(60), "the daemon serves", () -> {
        Matcher m = SERVING.matcher(serve.output());
        if (m.find()) {
          url[0] = m.group(1);
        }
        return url[0] != null || !p.isAlive();
      });
      if (url[0] == null) {
        throw new AssertionError("the daemon did not start; it printed:\n" + serve.output());
      }
      return new Serve(p, url[0], data, log);
    }

    String token() {
      return TestAuth.adminToken(data);
    }

    void deploy(String name, String... flags) {
      List<String> args = new ArrayList<>(List.of("deploy", testFunctions(), "--name", name, "--runtime", "java", "--handler",
          "fixtures.Sleep::handleRequest"));
      args.addAll(List.of(flags));
      DaemonFixture.CliResult r = DaemonFixture.cliAt(url, data, args.toArray(String[]::new));
      assertThat(r.exit()).as(r.err()).isZero();
    }

    HttpRequest invoke(String name, String payload) {
      return HttpRequest.newBuilder(URI.create(url + "/api/v1/functions/" + name + "/invoke")).header("Authorization", "Bearer " + token())
          .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(payload)).build();
    }

    String logs(String name) {
      return AsyncInvokeIT.logs(url, data, name);
    }

    /** GET {@code path}; null when the daemon does not answer (it stopped). */
    HttpResponse<String> get(String path) {
      try {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        return null;
      }
    }

    /** What the daemon printed so far. */
    String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a temp file left behind
      }
    }
  }
}
