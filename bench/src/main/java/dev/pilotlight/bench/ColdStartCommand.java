package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.executor.Interpreters;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench coldstart}: cold starts through the gateway on each rung of the launch ladder
 * against the same code started as a plain process (and, for python/node, a bare interpreter
 * start), alternated in one run on a fresh daemon; then warm requests. See bench/README.md.
 */
@Command(name = "coldstart", mixinStandardHelpOptions = true,
    description = "Cold start through the gateway vs. a plain process start of the same code, and warm requests.")
final class ColdStartCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);
  /** PERFORMANCE.md: percentiles are quoted over at least this many samples. */
  private static final int MIN_QUOTABLE_RUNS = 30;
  /** Deploys start pool runners for every heap size and layer: JVM starts and warm-ups, a few at a time. */
  private static final Duration POOL_SETTLE_LIMIT = Duration.ofSeconds(60);

  @Option(names = "--runs", paramLabel = "N", description = "Rounds per example: one cold start per rung, then the baselines (default: ${DEFAULT-VALUE}).")
  int runs = 30;

  @Option(names = "--warm", paramLabel = "M", description = "Warm requests per example and target; 0 skips them (default: ${DEFAULT-VALUE}).")
  int warm = 50;

  /**
   * Given to every deploy: the fixed keep-alive, so the learned one (the default) never pre-warms
   * an instance before a call the benchmark means to be cold. The benchmark stops instances itself.
   */
  static final List<String> DEPLOY_ARGS = List.of("--keep-alive", "fixed");

  /** The examples measured by default, those of them that exist, in this order. */
  static final List<String> KNOWN_EXAMPLES = List.of("hello-java", "java-jackson", "hello-http", "spring-boot-web", "hello-python",
      "hello-node");

  @Option(names = "--examples", split = ",", paramLabel = "NAME[,NAME…]",
      description = "Examples under examples/ to measure (default: those of hello-java, java-jackson, hello-http, spring-boot-web, hello-python, hello-node"
          + " that exist; python/node ones only when their interpreter is found).")
  List<String> examples;

  @Option(names = "--sandbox", paramLabel = "on|off|both", description = "Measure with the instance sandbox on, off "
      + "(PILOTLIGHT_SANDBOX=off), or both: the same build twice, one daemon after the other, with a table of on/off ratios "
      + "(default: as the daemon is configured).")
  String sandbox;

  @Option(names = "--json", description = "Print the figures as JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/coldstart.json under the repository root).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  ColdStartCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new BenchFailure("--runs: " + runs + " (expected: >= 1)");
    }
    if (sandbox != null && !List.of("on", "off", "both").contains(sandbox)) {
      throw new BenchFailure("--sandbox: '" + sandbox + "' (expected: on, off or both)");
    }
    if (warm < 0) {
      throw new BenchFailure("--warm: " + warm + " (expected: >= 0)");
    }
    if (runs < MIN_QUOTABLE_RUNS) {
      stderr.println("note: --runs " + runs + " is below " + MIN_QUOTABLE_RUNS + "; PERFORMANCE.md quotes figures over N >= 30 only.");
    }
    Map<String, String> env = System.getenv();
    BenchPaths paths = BenchPaths.fromSystem(env);
    Path outFile = out != null ? out : paths.root().resolve("bench-results/coldstart.json");
    boolean chosen = examples != null && !examples.isEmpty();
    List<String> names = chosen ? examples : defaultExamples(paths.root().resolve("examples"));
    if (names.isEmpty()) {
      throw new BenchFailure("no examples to measure (expected one of " + KNOWN_EXAMPLES + " under " + paths.root().resolve("examples") + ")");
    }
    Map<String, Example> byName = new LinkedHashMap<>();
    Map<String, Path> interpreters = new LinkedHashMap<>();
    for (String name : names) {
      Example example = Example.load(paths, name);
      if (example.hasInterpreterBaseline()) {
        Path interpreter = interpreter(example.kind(), env);
        if (interpreter == null && chosen) {
          throw new BenchFailure("no " + example.kind().name().toLowerCase(Locale.ROOT) + " interpreter found for " + name
              + " (set PILOTLIGHT_PYTHON / PILOTLIGHT_NODE or put python3 / node on the PATH)");
        }
        if (interpreter == null) {
          stderr.println("note: skipping " + name + ": no " + example.kind().name().toLowerCase(Locale.ROOT) + " interpreter found");
          continue;
        }
        interpreters.put(name, interpreter);
      }
      byName.put(name, example);
    }
    RunInfo info = RunInfo.current(runs, warm);

    if (sandbox == null) {
      List<ExampleResult> results = measure(paths, env, byName, interpreters, Map.of());
      BenchOutput.finish(stdout, outFile, ColdStartReport.jsonText(results), json, "\n" + ColdStartReport.table(results, info));
      return 0;
    }
    if (!sandbox.equals("both")) {
      List<ExampleResult> results = measure(paths, env, byName, interpreters, sandboxEnv(sandbox.equals("on")));
      BenchOutput.finish(stdout, outFile, ColdStartReport.jsonText(results), json,
          "\nsandbox " + sandbox + "\n" + ColdStartReport.table(results, info));
      return 0;
    }
    // The same build twice, one daemon after the other: the sandbox on (as a new user gets it), then off.
    stderr.println("sandbox on:");
    List<ExampleResult> on = measure(paths, env, byName, interpreters, sandboxEnv(true));
    stderr.println("sandbox off (PILOTLIGHT_SANDBOX=off):");
    List<ExampleResult> off = measure(paths, env, byName, interpreters, sandboxEnv(false));
    BenchOutput.finish(stdout, outFile, ColdStartReport.sandboxJsonText(on, off), json,
        "\nsandbox on\n" + ColdStartReport.table(on, info) + "\nsandbox off\n" + ColdStartReport.table(off, info) + "\n"
            + ColdStartReport.sandboxTable(on, off));
    return 0;
  }

  private static Map<String, String> sandboxEnv(boolean on) {
    return on ? Map.of() : Map.of("PILOTLIGHT_SANDBOX", "off");
  }

  /** Starts a daemon with {@code daemonEnv} added to its environment, measures every example on it, stops it. */
  private List<ExampleResult> measure(BenchPaths paths, Map<String, String> env, Map<String, Example> byName, Map<String, Path> interpreters,
      Map<String, String> daemonEnv) throws Exception {
    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher(), daemonEnv);
    Thread hook = new Thread(() -> {
      daemon.close();
      // a plain baseline app that was running when we were interrupted
      ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    List<ExampleResult> results = new ArrayList<>();
    try {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      List<ColdStartBench.Subject> subjects = new ArrayList<>();
      for (Example example : byName.values()) {
        Map<Rung, String> functions = deployRungs(api, example);
        Path interpreter = interpreters.get(example.name());
        subjects.add(new ColdStartBench.Subject(example, functions, PlainBaseline.of(example, paths, interpreter, daemon.dataDir()),
            interpreter == null ? null
                : ProcessBaseline.bareInterpreter(example, interpreter, ProcessBaseline.instanceEnvironment(env, paths.javaHome()))));
      }
      List<String> training = new ArrayList<>();
      for (ColdStartBench.Subject subject : subjects) {
        subject.functions().forEach((rung, function) -> {
          if (rung.trainsAot(subject.example().kind())) {
            training.add(function);
          }
        });
      }
      List<String> untrained = AotTraining.await(api, training, stderr);
      if (!untrained.isEmpty()) {
        stderr.println("note: the AOT cache training of " + untrained + " had not ended after " + AotTraining.LIMIT.toSeconds()
            + " s; measuring anyway (the strategy column shows what served each cold start)");
      }
      if (snapshotsAvailable(daemon)) {
        List<String> snapshotted = subjects.stream().filter(sub -> sub.example().isHttp()).map(sub -> sub.functions().get(Rung.DEFAULT))
            .toList();
        List<String> unmade = AotTraining.awaitSnapshots(api, snapshotted, stderr);
        if (!unmade.isEmpty()) {
          stderr.println("note: the snapshots of " + unmade + " were not made after " + AotTraining.LIMIT.toSeconds() + " s; measuring anyway");
        }
      }
      PoolWatch pool = new PoolWatch(api);
      stderr.println("waiting for the warm pool to settle…");
      pool.settle(POOL_SETTLE_LIMIT);
      stderr.printf("warm pool: %s runners%n", (long) pool.level());
      ColdStartBench bench = new ColdStartBench(api, daemon.address(), pool, stderr);
      for (ColdStartBench.Subject subject : subjects) {
        try {
          results.add(bench.run(subject, runs, warm));
        } catch (BenchFailure | IOException e) {
          throw new BenchFailure(e.getMessage() + "\nthe end of the daemon log:\n" + daemon.tail(30), e);
        }
      }
    } finally {
      BenchOutput.stop(daemon, hook);
    }
    return results;
  }

  /**
   * Whether the daemon has the snapshot rung: it logs {@code snapshot restore available} or
   * {@code … unavailable: why} once its CRIU detection ends, shortly after start-up.
   */
  private boolean snapshotsAvailable(DaemonUnderTest daemon) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      String log;
      try {
        log = Files.readString(daemon.log());
      } catch (IOException e) {
        log = "";
      }
      for (String line : log.split("\n")) {
        if (line.contains("snapshot restore available")) {
          return true;
        }
        if (line.contains("snapshot restore unavailable")) {
          stderr.println("note: " + line.strip());
          return false;
        }
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Deploys the example once per rung it is measured on; returns each rung's function name, default first. */
  private Map<Rung, String> deployRungs(DaemonApi api, Example example) {
    Map<Rung, String> functions = new LinkedHashMap<>();
    String name = null;
    for (Rung rung : example.rungs()) {
      List<String> args = new ArrayList<>(DEPLOY_ARGS);
      if (name != null) {
        args.addAll(rung.deployArgs(name));
      }
      JsonNode deployed = api.deploy(example.dir(), args);
      String function = deployed.path("name").asText(example.name());
      if (name == null) {
        name = function;
      }
      functions.put(rung, function);
      stderr.println("deployed " + example.name() + " as " + function + " (" + deployed.path("runtime").asText() + ", revision "
          + deployed.path("revision").asText() + (deployed.path("env").has(Rung.SETTING)
              ? ", " + Rung.SETTING + "=" + deployed.path("env").path(Rung.SETTING).asText() : "") + ")");
    }
    return functions;
  }

  /** Those of {@link #KNOWN_EXAMPLES} that have a {@code pilotlight.yaml} under {@code examplesDir}. */
  static List<String> defaultExamples(Path examplesDir) {
    return KNOWN_EXAMPLES.stream().filter(n -> Files.isRegularFile(examplesDir.resolve(n).resolve("pilotlight.yaml"))).toList();
  }

  /** The interpreter the daemon itself would run for this kind of example (the executor's rule), or null. */
  private static Path interpreter(Example.Kind kind, Map<String, String> env) {
    try {
      return switch (kind) {
        case PYTHON -> Interpreters.python(env);
        case NODE -> Interpreters.node(env);
        default -> null;
      };
    } catch (IllegalArgumentException notExecutable) {
      throw new BenchFailure(notExecutable.getMessage());
    }
  }
}
