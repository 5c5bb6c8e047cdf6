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

  static final String SLOW_INIT = """
      import os, subprocess, time

      # The init marks its cgroup with a child the test can find, then takes 4 s.
      subprocess.Popen(["sleep", os.environ["MARK"]])
      time.sleep(4)

      def handler(event, context):
          return {"ok": True}
      """;

  @Test
  void anInstanceNoRequestWaitsOnBootsAtTheLowestCpuWeightAndServesAtItsOwn() throws Exception {
    Path fn = Files.createDirectories(work.resolve("slow-init"));
    Files.writeString(fn.resolve("app.py"), SLOW_INIT);
    String tag = escapeTag();
    // One vCPU's memory: its own weight is cpu.shares 1024 (v1) or cpu.weight 100 (v2).
    d.deploy(fn.toString(), "--name", "spare", "--runtime", "python", "--handler", "app.handler", "--memory", "1769",
        "--min-instances", "1", "--env", "MARK=" + tag);
    long deployed = System.nanoTime();
    Path weight = cpuWeightFile(hostPid(tag)); // minInstances' instance: a launch no request waits on
    String first = read(weight);
    // It yields for 500 ms at most (BootGate.YIELD_LIMIT), from a launch that came after the deploy returned.
    if (System.nanoTime() - deployed < Duration.ofMillis(500).toNanos()) {
      assertThat(first).as("the lowest weight while it boots").isEqualTo(lowest(weight));
    }
    // then its own weight, though its init (4 s) still runs: a boot's yield is bounded, or others' work could starve it
    eventually(Duration.ofSeconds(3), "its own weight after the yield limit", () -> read(weight).equals(own(weight)));
    assertThat(d.status("spare").path("instances").asInt()).as("still booting").isZero();
  }

  @Test
  void theLaunchARequestWaitsOnBootsAtItsOwnCpuWeight() throws Exception {
    Path fn = Files.createDirectories(work.resolve("slow-init-called"));
    Files.writeString(fn.resolve("app.py"), SLOW_INIT);
    String tag = escapeTag();
    d.deploy(fn.toString(), "--name", "awaited", "--runtime", "python", "--handler", "app.handler", "--memory", "1769",
        "--env", "MARK=" + tag);
    var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> invoke("awaited", "{}"));
    Path weight = cpuWeightFile(hostPid(tag));
    assertThat(read(weight)).as("while the called instance boots").isEqualTo(own(weight));
    assertThat(call.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  /**
   * An AOT cache's training runs the function's code (its handler), so it gets limits as an
   * instance does: memory for its two JVMs (at least 512 MB), and the lowest CPU weight throughout.
   */
  @Test
  void anAotTrainingRunsInALimitedGroupAtTheLowestWeight() throws Exception {
    d.deploy(DaemonFixture.testFunctions(), "--name", "trained", "--runtime", "java", "--handler", "fixtures.Echo::handleRequest",
        "--memory", "128");
    long[] pid = {0};
    // the training JVM: the runner's Train entry point with this handler (the queue may hold others' first)
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (pid[0] == 0 && System.nanoTime() < deadline) {
      pid[0] = ProcessHandle.allProcesses().filter(h -> {
        try {
          var argv = java.util.List.of(Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).split("\0"));
          return argv.getFirst().endsWith("/java") && argv.contains("dev.pilotlight.runner.Train") && argv.contains("fixtures.Echo::handleRequest");
        } catch (IOException | RuntimeException e) {
          return false;
        }
      }).mapToLong(ProcessHandle::pid).findFirst().orElse(0);
      Thread.sleep(5);
    }
    assertThat(pid[0]).as("the training JVM was seen").isNotZero();
    Path weight = cpuWeightFile(pid[0]);
    assertThat(read(weight)).isEqualTo(lowest(weight));
    Path memory = weight.endsWith("cpu.shares") ? memoryFile(pid[0], "memory.limit_in_bytes") : weight.resolveSibling("memory.max");
    assertThat(read(memory)).isEqualTo(Long.toString(512L << 20));
  }

  /** {@code file} of {@code pid}'s cgroup v1 memory hierarchy. */
  private static Path memoryFile(long pid, String file) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
      String[] f = line.split(":", 3);
      if (java.util.Arrays.asList(f[1].split(",")).contains("memory")) {
        return Path.of("/sys/fs/cgroup/memory" + f[2], file);
      }
    }
    throw new AssertionError("process " + pid + " has no memory cgroup");
  }

  /** The file with the CPU weight of {@code pid}'s cgroup: v1 {@code cpu.shares}, v2 {@code cpu.weight}. */
  private static Path cpuWeightFile(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
      String[] f = line.split(":", 3); // hierarchy-id:controllers:path
      if (java.util.Arrays.asList(f[1].split(",")).contains("cpu")) {
        return Path.of("/sys/fs/cgroup/cpu" + f[2], "cpu.shares");
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        return Path.of("/sys/fs/cgroup" + f[2], "cpu.weight");
      }
    }
    throw new AssertionError("process " + pid + " has no cpu cgroup");
  }

  private static String lowest(Path weight) {
    return weight.endsWith("cpu.shares") ? "2" : "1";
  }

  private static String own(Path weight) {
    return weight.endsWith("cpu.shares") ? "1024" : "100";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "gone: " + e.getMessage();
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
