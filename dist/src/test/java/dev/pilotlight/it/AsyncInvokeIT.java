package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.server.DaemonConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous invocations lose nothing: retries then a recorded failure that can be re-driven;
 * events acknowledged before a stop run after the restart; events accepted (and even started)
 * before a {@code kill -9} of the daemon run after it comes back.
 */
class AsyncInvokeIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Sends an Event invocation and returns the request id of its {@code 202}. */
  static String event(String url, Path data, String function, String payload) throws Exception {
    TestAuth.Key key = TestAuth.issueKey(HTTP, url, TestAuth.adminToken(data), "invoke");
    HttpResponse<String> r = HTTP.send(TestAuth.signed(key, "POST", URI.create(url + "/2015-03-31/functions/" + function + "/invocations"),
        payload, Map.of("X-Amz-Invocation-Type", "Event")), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return r.headers().firstValue("x-amzn-RequestId").orElseThrow();
  }

  static String logs(String url, Path data, String function) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/functions/" + function + "/logs?tail=5000"))
              .header("Authorization", "Bearer " + TestAuth.adminToken(data)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return "";
    }
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void aFailingEventIsRetriedTwiceThenListedAndRedriven(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(testFunctions(), "--name", "async-fail", "--runtime", "java", "--handler", "fixtures.Fail::handleRequest",
          "--retry-delay", "200ms");
      String id = event(d.url(), d.dataDir, "async-fail", "{\"order\":42}");

      eventually(Duration.ofSeconds(60), "three attempts, then a recorded failure",
          () -> d.get("/api/v1/functions/async-fail/failures").body().contains(id));
      assertThat(count(d.logs("async-fail"), "START RequestId: " + id)).isEqualTo(3);
      assertThat(d.logs("async-fail")).contains("ASYNC attempt 1 failed").contains("ASYNC attempt 2 failed")
          .contains("ASYNC event failed after 3 attempt(s)");

      DaemonFixture.CliResult failures = d.cli("failures", "async-fail", "--json");
      assertThat(failures.exit()).as(failures.err()).isZero();
      JsonNode f = DaemonFixture.JSON.readTree(failures.out()).path("failures").get(0);
      assertThat(f.path("requestId").asText()).isEqualTo(id);
      assertThat(f.path("payload").asText()).isEqualTo("{\"order\":42}");
      assertThat(f.path("attempts").asInt()).isEqualTo(3);
      assertThat(f.path("error").asText()).contains("IllegalStateException").contains("boom");
      assertThat(d.cli("failures", "async-fail").out()).contains(id).contains("bin/pilotlight redrive async-fail");

      // fix the function, then run the failed event again
      d.deploy(testFunctions(), "--name", "async-fail", "--runtime", "java", "--handler", "fixtures.Echo::handleRequest");
      DaemonFixture.CliResult redrive = d.cli("redrive", "async-fail", "--json");
      assertThat(redrive.exit()).as(redrive.err()).isZero();
      assertThat(redrive.out()).contains("\"redriven\":1");
      eventually(Duration.ofSeconds(30), "the re-driven event ran", () -> count(d.logs("async-fail"), "REPORT RequestId: " + id) == 4);
      eventually(Duration.ofSeconds(10), "nothing failed any more",
          () -> d.get("/api/v1/functions/async-fail/failures").body().contains("\"failures\":[]"));
    }
  }

  @Test
  void eventsAcknowledgedBeforeAStopRunAfterTheRestart(@TempDir Path data) throws Exception {
    DaemonConfig base = DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0).withScalingTick(Duration.ofMillis(100));
    List<String> ids = new ArrayList<>();
    try (DaemonFixture paused = new DaemonFixture(base.withAsync(AsyncDispatcher.Settings.defaults().withPaused(true)))) {
      paused.deploy(testFunctions(), "--name", "async-later", "--runtime", "java", "--handler", "fixtures.Logs::handleRequest");
      for (int i = 0; i < 3; i++) {
        ids.add(event(paused.url(), paused.dataDir, "async-later", "{\"n\":" + i + "}"));
      }
      Thread.sleep(300); // a running dispatcher would have started them by now
      assertThat(paused.logs("async-later")).doesNotContain(ids.get(0));
    }
    try (DaemonFixture running = new DaemonFixture(base)) {
      for (String id : ids) {
        eventually(Duration.ofSeconds(30), "event " + id + " ran after the restart",
            () -> running.logs("async-later").contains("REPORT RequestId: " + id));
      }
      assertThat(running.logs("async-later")).contains("log line from " + ids.get(0));
    }
  }

  @Test
  void eventsAcceptedBeforeAKillMinus9RunAfterTheRestart(@TempDir Path data) throws Exception {
    DaemonProcess first = DaemonProcess.start(data);
    String running;
    String queued;
    try {
      DaemonFixture.CliResult deploy = DaemonFixture.cliAt(first.url, data, "deploy", testFunctions(), "--name", "async-crash",
          "--runtime", "java", "--handler", "fixtures.Sleep::handleRequest", "--timeout", "60s", "--max-instances", "1");
      assertThat(deploy.exit()).as(deploy.err()).isZero();
      running = event(first.url, data, "async-crash", "{\"ms\":3000}");
      queued = event(first.url, data, "async-crash", "{\"ms\":10}");
      eventually(Duration.ofSeconds(30), "the first event is running",
          () -> logs(first.url, data, "async-crash").contains("START RequestId: " + running));
      assertThat(logs(first.url, data, "async-crash")).doesNotContain("REPORT RequestId: " + running);
    } finally {
      first.kill9();
    }
    DaemonProcess second = DaemonProcess.start(data);
    try {
      eventually(Duration.ofSeconds(60), "both events ran after the restart", () -> {
        String log = logs(second.url, data, "async-crash");
        return log.contains("REPORT RequestId: " + running) && log.contains("REPORT RequestId: " + queued);
      });
      assertThat(count(logs(second.url, data, "async-crash"), "START RequestId: " + running)).as("run again: at least once").isEqualTo(2);
    } finally {
      second.stop();
    }
  }

  /** The daemon as its own OS process (java from this JVM, the assembled dist's lib/), so it can be killed with SIGKILL. */
  static final class DaemonProcess {
    private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+)");
    final Process process;
    final String url;

    private DaemonProcess(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    static DaemonProcess start(Path data) throws Exception {
      String java = ProcessHandle.current().info().command().orElseThrow();
      Path lib = DaemonFixture.ROOT.resolve("dist/target/pilotlight/lib");
      Process p = new ProcessBuilder(java, "-cp", lib + "/*", "-Dpilotlight.runner.jar=" + DaemonFixture.RUNNER,
          "dev.pilotlight.server.Main", "--port", "0", "--data-dir", data.toString())
          .redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      StringBuilder seen = new StringBuilder();
      for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = SERVING.matcher(line);
        if (m.find()) {
          Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep draining its output
          return new DaemonProcess(p, m.group(1));
        }
      }
      p.destroyForcibly();
      throw new AssertionError("the daemon did not start; it printed:\n" + seen);
    }

    /** SIGKILL to the daemon, then to the instances it had started (they would die with their Runtime API anyway). */
    void kill9() throws InterruptedException {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      children.forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGKILL to the daemon alone: whatever it started is left running, as after a crash. */
    void killDaemonOnly() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
