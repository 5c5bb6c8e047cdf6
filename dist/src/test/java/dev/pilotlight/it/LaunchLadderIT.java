package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch ladder's rungs: pool runners (with and without library layers, and pre-started python
 * and node bootstraps) and AOT caches, each behaving like a plain launch. The python and node tests
 * need python3 and node on the PATH.
 */
class LaunchLadderIT {
  static final Path FUNCTIONS = DaemonFixture.ROOT.resolve("dist/src/test/resources/functions");

  @Test
  void aPooledRunnerServesTheColdStartWithTheFunctionsEnvironment(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(testFunctions(), "--name", "env", "--runtime", "java", "--handler", "fixtures.Env::handleRequest",
          "--memory", "192", "--env", "GREETING=hello pool");
      // deploying a java function warms a runner for its heap size
      eventually(Duration.ofSeconds(30), "a pooled runner", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      // started for this function, the waiting runner has loaded its code (its jar is open) before any call
      eventually(Duration.ofSeconds(10), "the function's jar open in the waiting runner", () -> !runnersWithCodeOpen("fixtures.Env::handleRequest").isEmpty());
      JsonNode r = DaemonFixture.JSON.readTree(d.post("/api/v1/functions/env/invoke", "{\"key\":\"GREETING\"}").body());
      assertThat(r.path("getenv").asText()).isEqualTo("hello pool");
      // but ran none of it: the handler class's static initialiser ran with the function's environment in place
      assertThat(r.path("greetingAtInit").asText()).isEqualTo("hello pool");
      assertThat(r.path("map").asText()).isEqualTo("hello pool");
      assertThat(r.path("child").asText()).isEqualTo("hello pool");
      assertThat(r.path("functionName").asText()).isEqualTo("env");
      assertThat(r.path("memory").asInt()).isEqualTo(192);
      JsonNode s = d.status("env");
      // test-functions ships lib/aws-lambda-java-core: the runner had that exact jar pre-loaded
      assertThat(s.path("lastColdStart").path("strategy").asText()).isEqualTo("pool-layer");
      JsonNode name = DaemonFixture.JSON.readTree(d.post("/api/v1/functions/env/invoke", "{\"key\":\"AWS_LAMBDA_FUNCTION_NAME\"}").body());
      assertThat(name.path("getenv").asText()).isEqualTo("env");
      // the pool refills in the background for the next cold start
      eventually(Duration.ofSeconds(30), "the pool refilled", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      assertThat(d.logs("env")).contains("Launch: pool-layer");
    }
  }

  /** An uber jar (no lib/): no libraries to pre-load, but a runner started for the function still loads its code ahead. */
  @Test
  void anUberJarsRunnerIsStartedForItsFunctionAndLoadsItsCodeAhead(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(Path.of(testFunctions(), "test-functions.jar").toString(), "--name", "uber", "--runtime", "java", "--handler", "fixtures.Plain::greet");
      eventually(Duration.ofSeconds(30), "a pooled runner", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      eventually(Duration.ofSeconds(10), "the jar open in the waiting runner", () -> !runnersWithCodeOpen("fixtures.Plain::greet").isEmpty());
      assertThat(d.post("/api/v1/functions/uber/invoke", "{\"name\":\"Uber\"}").body()).contains("hi Uber");
      assertThat(d.status("uber").path("lastColdStart").path("strategy").asText()).isEqualTo("pool-layer");
    }
  }

  /**
   * A pool JVM maps the runners' AOT cache. The JDK refuses a whole cache whose module options
   * differ from the run's (the pool JVMs' {@code --add-opens}), and the pool turns the JVM's AOT
   * logging off, so a refused cache only showed as slower pool starts.
   */
  @Test
  void pooledRunnersMapTheRunnersAotCache(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      eventually(Duration.ofSeconds(90), "the pool runners' AOT cache", () -> runnerCache(data) != null);
      Path cache = runnerCache(data);
      d.deploy(testFunctions(), "--name", "pool-aot", "--runtime", "java", "--handler", "fixtures.Env::handleRequest");
      String option = "-XX:AOTCache=" + cache;
      eventually(Duration.ofSeconds(30), "a pooled runner started with the cache", () -> !javaProcessesWith(option).isEmpty());
      // it maps the cache in its first milliseconds; a JVM that refused it never does
      eventually(Duration.ofSeconds(10), "the pool JVMs mapping the cache", () -> javaProcessesWith(option).stream().allMatch(pid -> {
        try {
          return Files.readString(Path.of("/proc", Long.toString(pid), "maps")).contains(cache.toString());
        } catch (IOException e) {
          return true; // it ended meanwhile
        }
      }));
    }
  }

  private static Path runnerCache(Path data) {
    try (var files = Files.list(data.resolve("aot"))) {
      return files.filter(f -> f.getFileName().toString().matches("runner-[0-9a-f]+\\.aot")).findFirst().orElse(null);
    } catch (IOException e) {
      return null; // not made yet
    }
  }

  /**
   * The waiting pool JVMs started for a function revision ({@code PILOTLIGHT_PRELOAD_HANDLER} in their
   * environment) that hold a jar of its task root open.
   */
  private static List<Long> runnersWithCodeOpen(String handler) {
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        String environ = Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"));
        if (!environ.contains("PILOTLIGHT_PRELOAD_HANDLER=" + handler)) {
          return false;
        }
        try (var fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
          return fds.anyMatch(fd -> {
            try {
              String target = Files.readSymbolicLink(fd).toString();
              // not the runner's own jar, nor the layer's (lib/): the function's
              return target.endsWith(".jar") && !target.contains("pilotlight-java-runner") && !target.contains("/lib/");
            } catch (IOException e) {
              return false;
            }
          });
        }
      } catch (IOException | RuntimeException e) {
        return false; // gone, or not ours to read
      }
    }).map(ProcessHandle::pid).toList();
  }

  /** The JVMs whose command line has {@code arg} (not the sandbox's processes that start them, whose command lines have it too). */
  private static List<Long> javaProcessesWith(String arg) {
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        List<String> argv = List.of(Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).split("\0"));
        return argv.getFirst().endsWith("/java") && argv.contains(arg);
      } catch (IOException e) {
        return false; // gone, or not ours to read
      }
    }).map(ProcessHandle::pid).toList();
  }

  @Test
  void aLayersLibrariesAreInitialisedAheadFromWhatItsFunctionsInitialised(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      // keep-alive off: the instance stops after each call, so what it initialised is learned at once
      d.deploy(DaemonFixture.example("java-jackson"), "--keep-alive", "off");
      eventually(Duration.ofSeconds(90), "the training run", () -> d.logs("java-jackson").contains("AOT cache ready"));
      Path list;
      try (var lists = Files.list(data.resolve("layers"))) {
        list = lists.filter(p -> p.getFileName().toString().endsWith(".init")).findFirst().orElseThrow();
      }
      // the training's init (the function's static ObjectMapper) initialised Jackson's ObjectMapper
      assertThat(Files.readAllLines(list)).contains("com.fasterxml.jackson.databind.ObjectMapper")
          .doesNotContain("example.JacksonHello")
          .allMatch(c -> c.startsWith("com.fasterxml.jackson.") || c.startsWith("com.amazonaws."));
      // the layer's waiting runner was renewed to initialise them
      eventually(Duration.ofSeconds(30), "a layered runner", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      assertThat(d.get("/fn/java-jackson/?name=Layer").body()).contains("Hello, Layer");
      assertThat(d.status("java-jackson").path("lastColdStart").path("strategy").asText()).isEqualTo("pool-layer");
      // writing the answer initialised Jackson's generator: learned when that instance ended
      eventually(Duration.ofSeconds(30), "the first call's classes in the list",
          () -> lines(list).contains("com.fasterxml.jackson.core.json.WriterBasedJsonGenerator"));
      // the layer's runners were renewed with them, and serve as before
      eventually(Duration.ofSeconds(30), "a renewed layered runner", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      assertThat(d.get("/fn/java-jackson/?name=Again").body()).contains("Hello, Again");
      assertThat(d.status("java-jackson").path("lastColdStart").path("strategy").asText()).isEqualTo("pool-layer");
      // taken runners' logs are deleted once learned from
      eventually(Duration.ofSeconds(30), "taken runners' logs deleted",
          () -> names(data.resolve("pool"), "-taken.log").isEmpty());
    }
  }

  /** A file's lines, or none while it does not exist. */
  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The names in {@code dir} ending with {@code suffix}. */
  private static List<String> names(Path dir, String suffix) {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  @Test
  void theUnlayeredPoolAndTheAotCacheAreRungsOfTheirOwn(@TempDir Path data) {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(testFunctions(), "--name", "pooled", "--runtime", "java", "--handler", "fixtures.Echo::handleRequest",
          "--memory", "160", "--env", "PILOTLIGHT_LAUNCH=pool");
      eventually(Duration.ofSeconds(30), "a pooled runner", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      assertThat(d.post("/api/v1/functions/pooled/invoke", "{\"a\":1}").body()).contains("\"a\"");
      assertThat(d.status("pooled").path("lastColdStart").path("strategy").asText()).isEqualTo("pool");

      d.deploy(testFunctions(), "--name", "cached", "--runtime", "java", "--handler", "fixtures.Echo::handleRequest",
          "--env", "PILOTLIGHT_LAUNCH=aot");
      // the deploy answered at once; the training run happens in the background
      eventually(Duration.ofSeconds(90), "the AOT cache", () -> d.logs("cached").contains("AOT cache ready"));
      assertThat(d.post("/api/v1/functions/cached/invoke", "{\"b\":2}").body()).contains("\"b\"");
      assertThat(d.status("cached").path("lastColdStart").path("strategy").asText()).isEqualTo("aot");
    }
  }

  @Test
  void anHttpAppOnAJvmGetsAnAotCache(@TempDir Path data) {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(DaemonFixture.example("hello-http"), "--name", "web-aot");
      eventually(Duration.ofSeconds(90), "the app's AOT cache", () -> d.logs("web-aot").contains("AOT cache ready"));
      assertThat(d.get("/fn/web-aot/?name=Cache").body()).contains("Hello, Cache");
      assertThat(d.status("web-aot").path("lastColdStart").path("strategy").asText()).isEqualTo("aot");
    }
  }

  @Test
  void aFunctionCanPinThePlainLaunch(@TempDir Path data) {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(testFunctions(), "--name", "plain-echo", "--runtime", "java", "--handler", "fixtures.Echo::handleRequest",
          "--env", "PILOTLIGHT_LAUNCH=plain");
      assertThat(d.post("/api/v1/functions/plain-echo/invoke", "{\"a\":1}").body()).contains("\"a\"");
      assertThat(d.status("plain-echo").path("lastColdStart").path("strategy").asText()).isEqualTo("plain");
    }
  }

  @Test
  void pythonAndNodeColdStartsTakeAPreStartedBootstrapThatBecomesTheFunction(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(FUNCTIONS.resolve("python-pool").toString(), "--name", "py-pool", "--runtime", "python3.12",
          "--handler", "standby.handler", "--memory", "160", "--env", "GREETING=hello python pool");
      d.deploy(FUNCTIONS.resolve("node-pool").toString(), "--name", "node-pool", "--runtime", "nodejs20.x",
          "--handler", "standby.handler", "--memory", "144", "--env", "GREETING=hello node pool");
      // deploying warms one python bootstrap (any memory size) and one node bootstrap for 144 MB
      eventually(Duration.ofSeconds(30), "pooled bootstraps", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 2.0"));

      for (String name : new String[] {"py-pool", "node-pool"}) {
        JsonNode r = DaemonFixture.JSON.readTree(d.post("/api/v1/functions/" + name + "/invoke", "{}").body());
        String greeting = name.equals("py-pool") ? "hello python pool" : "hello node pool";
        assertThat(r.path("greeting").asText()).as(name + ": " + r).isEqualTo(greeting);
        assertThat(r.path("child").asText()).as(name).isEqualTo(greeting);
        assertThat(r.path("pool").isNull()).as(name + ": PILOTLIGHT_POOL is gone").isTrue();
        Path taskRoot = Path.of(r.path("taskRoot").asText());
        // in a sandbox the runner's /var/task shows the function's files; without one, the code is in the data dir
        assertThat(taskRoot.toString()).as(name).satisfiesAnyOf(t -> assertThat(t).startsWith(data.toString()),
            t -> assertThat(t).isEqualTo("/var/task"));
        assertThat(Path.of(r.path("cwd").asText())).as(name).isEqualTo(taskRoot);
        assertThat(r.path("relative").asText()).as(name).isEqualTo("read by a relative path");
        assertThat(r.path("shipped").asText()).as(name).isEqualTo("from the package");
        // as text: in a sandbox the path is the instance's, not the host's
        assertThat(r.path("shippedFile").asText()).as(name).startsWith(taskRoot + "/");
        assertThat(r.path("memory").asText()).as(name).isEqualTo(name.equals("py-pool") ? "160" : "144");
        if (name.equals("py-pool")) {
          assertThat(r.path("path0").asText()).isEqualTo(taskRoot.toString());
        }
        assertThat(d.status(name).path("lastColdStart").path("strategy").asText()).as(name).isEqualTo("pool");
        assertThat(d.logs(name)).as(name).contains("Launch: pool");
      }
      // the pool refills in the background for the next cold start
      eventually(Duration.ofSeconds(30), "the pool refilled", () -> d.get("/metrics").body().contains("pilotlight_pool_runners 2.0"));
    }
  }

  @Test
  void pythonAndNodeFunctionsCanPinThePlainLaunch(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(FUNCTIONS.resolve("python-pool").toString(), "--name", "py-plain", "--runtime", "python",
          "--handler", "standby.handler", "--env", "PILOTLIGHT_LAUNCH=plain", "--env", "GREETING=plain python");
      d.deploy(FUNCTIONS.resolve("node-pool").toString(), "--name", "node-plain", "--runtime", "node",
          "--handler", "standby.handler", "--env", "PILOTLIGHT_LAUNCH=plain", "--env", "GREETING=plain node");
      for (String name : new String[] {"py-plain", "node-plain"}) {
        JsonNode r = DaemonFixture.JSON.readTree(d.post("/api/v1/functions/" + name + "/invoke", "{}").body());
        assertThat(r.path("greeting").asText()).as(name + ": " + r).startsWith("plain ");
        assertThat(r.path("relative").asText()).as(name).isEqualTo("read by a relative path");
        assertThat(r.path("shipped").asText()).as(name).isEqualTo("from the package");
        assertThat(d.status(name).path("lastColdStart").path("strategy").asText()).as(name).isEqualTo("plain");
        assertThat(d.logs(name)).as(name).contains("Launch: plain");
      }
      // neither deploy warmed a bootstrap
      assertThat(d.get("/metrics").body()).contains("pilotlight_pool_runners 0.0");
    }
  }
}
