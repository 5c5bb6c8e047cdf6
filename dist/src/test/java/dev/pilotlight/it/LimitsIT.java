package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.executor.ProcessExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each instance's process tree in a cgroup of its own, on a real daemon (root, cgroup v1 or v2):
 * memory beyond the function's {@code memory} ends the invocation with an out-of-memory error and
 * not the daemon, a fork bomb meets the pids limit, children that called {@code setsid} end with
 * their instance, and a daemon killed with SIGKILL has what it left ended by the next one.
 */
class LimitsIT {
  static DaemonFixture d;
  @TempDir
  static Path work;

  static final String APP = """
      import os, subprocess, time

      def handler(event, context):
          what = event.get("do")
          if what == "eat":
              hoard = bytearray(event["mb"] * 1024 * 1024)
              return {"ate": len(hoard)}
          if what == "fork":
              pids, refused = [], 0
              for _ in range(event["n"]):
                  try:
                      pid = os.fork()
                  except OSError:
                      refused += 1
                      continue
                  if pid == 0:
                      time.sleep(30)
                      os._exit(0)
                  pids.append(pid)
              for pid in pids:
                  os.kill(pid, 9)
              return {"forked": len(pids), "refused": refused}
          if what == "forkdie":
              children = []
              while True:
                  try:
                      pid = os.fork()
                  except OSError:
                      os._exit(3)  # as an app that cannot start a thread dies of it
                  if pid == 0:
                      time.sleep(30)
                      os._exit(0)
                  children.append(pid)
          if what == "escape":
              p = subprocess.Popen(["setsid", "sleep", event["tag"]])
              return {"pid": p.pid}
          return {"ok": True}
      """;

  @BeforeAll
  static void start(@TempDir Path data) throws IOException {
    String unavailable = ProcessExecutor.limitsUnavailableReason();
    assumeTrue(unavailable == null, "cgroup limits are not available here (" + unavailable + "): not tested");
    Path fn = Files.createDirectories(work.resolve("limits"));
    Files.writeString(fn.resolve("app.py"), APP);
    Files.writeString(fn.resolve("pilotlight.yaml"), "runtime: python\nhandler: app.handler\nmemory: 128\ntimeout: 60s\n");
    d = new DaemonFixture(data);
    d.deploy(fn.toString(), "--name", "limits");
    // enough memory that 1,024 forked pythons hit the pids limit before the memory limit
    d.deploy(fn.toString(), "--name", "forks", "--memory", "2048");
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  static HttpResponse<String> invoke(String event) {
    return invoke("limits", event);
  }

  static HttpResponse<String> invoke(String function, String event) {
    return d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/" + function + "/invoke")).timeout(Duration.ofSeconds(90))
        .POST(HttpRequest.BodyPublishers.ofString(event)).build());
  }

  @Test
  void memoryBeyondTheFunctionsSettingEndsTheInvocationNotTheDaemon() throws Exception {
    assertThat(invoke("{\"do\":\"eat\",\"mb\":16}").statusCode()).isEqualTo(200);
    HttpResponse<String> greedy = invoke("{\"do\":\"eat\",\"mb\":1024}");
    assertThat(greedy.statusCode()).as(greedy.body()).isEqualTo(502);
    assertThat(greedy.body()).contains("Runtime.OutOfMemory").contains("128 MB");
    assertThat(invoke("{\"do\":\"eat\",\"mb\":16}").statusCode()).as("a new instance serves the next call").isEqualTo(200);
    String report = d.logs("limits").lines().filter(l -> l.contains("REPORT")).reduce((a, b) -> b).orElseThrow();
    assertThat(report).contains("Memory Size: 128 MB");
  }

  @Test
  void aForkBombMeetsThePidsLimit() throws Exception {
    HttpResponse<String> r = invoke("forks", "{\"do\":\"fork\",\"n\":1500}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = DaemonFixture.JSON.readTree(r.body());
    assertThat(result.path("refused").asInt()).isPositive();
    assertThat(result.path("forked").asInt()).isLessThan(1024);
  }

  @Test
  void anInstanceThatDiesAtThePidsLimitSaysSo() throws Exception {
    HttpResponse<String> r = invoke("forks", "{\"do\":\"forkdie\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("limit of 1024 processes and threads").contains("exited with code 3");
    assertThat(invoke("forks", "{\"do\":\"nothing\"}").statusCode()).as("a new instance serves the next call").isEqualTo(200);
  }

  @Test
  void childrenThatCalledSetsidEndWithTheirInstance() throws Exception {
    String tag = escapeTag();
    HttpResponse<String> r = invoke("{\"do\":\"escape\",\"tag\":\"" + tag + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    long pid = hostPid(tag);
    assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/limits/instances")).DELETE().build()).statusCode())
        .isEqualTo(200);
    eventually(Duration.ofSeconds(20), "the setsid child gone", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void whatAKilledDaemonLeftIsEndedByTheNextOne(@TempDir Path data) throws Exception {
    Path fn = work.resolve("limits");
    AsyncInvokeIT.DaemonProcess first = AsyncInvokeIT.DaemonProcess.start(data);
    long pid;
    try {
      DaemonFixture.CliResult deploy = DaemonFixture.cliAt(first.url, data, "deploy", fn.toString(), "--name", "orphans");
      assertThat(deploy.exit()).as(deploy.err()).isZero();
      String tag = escapeTag();
      DaemonFixture.CliResult run = DaemonFixture.cliAt(first.url, data, "invoke", "orphans", "--data",
          "{\"do\":\"escape\",\"tag\":\"" + tag + "\"}");
      assertThat(run.exit()).as(run.err()).isZero();
      pid = hostPid(tag);
    } finally {
      first.killDaemonOnly();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("it outlives the SIGKILLed daemon").contains(true);
    AsyncInvokeIT.DaemonProcess second = AsyncInvokeIT.DaemonProcess.start(data);
    try {
      eventually(Duration.ofSeconds(20), "the orphan ended", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    } finally {
      second.stop();
    }
  }

  /** A {@code sleep} argument no other process has: 600 s and a fraction. */
  private static String escapeTag() {
    return "600." + System.nanoTime() % 1_000_000_000L;
  }

  /** The pid, as the host sees it, of the {@code sleep} started with {@code tag} (in a sandbox the function sees another). */
  private static long hostPid(String tag) {
    long[] pid = {0};
    eventually(Duration.ofSeconds(10), "the setsid child running", () -> {
      pid[0] = ProcessHandle.allProcesses()
          .filter(h -> h.info().arguments().map(a -> a.length > 0 && a[a.length - 1].equals(tag)).orElse(false))
          .filter(h -> h.info().command().map(c -> c.endsWith("sleep")).orElse(false))
          .mapToLong(ProcessHandle::pid).findFirst().orElse(0);
      return pid[0] != 0;
    });
    return pid[0];
  }
}
