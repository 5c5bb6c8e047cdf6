package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench burst}: many clients at once on a function with no instance up, then the same load
 * on the instances that burst left (the warm baseline), scale to zero, then a steady load long
 * enough for the autoscaler to settle, and scale to zero again. See bench/README.md.
 */
@Command(name = "burst", mixinStandardHelpOptions = true,
    description = "A burst of concurrent clients at a function with zero instances, a warm baseline, and a sustained load.")
final class BurstCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);
  private static final Duration POOL_SETTLE_LIMIT = Duration.ofSeconds(60);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  /** After the load stops, how long scale-to-zero may take beyond the idle timeout before the run fails. */
  private static final Duration ZERO_GRACE = Duration.ofSeconds(90);
  static final String FUNCTION = "burst";

  @Option(names = "--clients", paramLabel = "N", description = "Clients of the burst, all starting at once (default: ${DEFAULT-VALUE}).")
  int clients = 100;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Length of the burst and of the warm baseline (default: ${DEFAULT-VALUE}).")
  int durationSeconds = 10;

  @Option(names = "--sleep-ms", paramLabel = "MS", description = "What the handler sleeps per call (default: ${DEFAULT-VALUE}).")
  int sleepMs = 50;

  @Option(names = "--concurrency", paramLabel = "N", description = "The function's concurrency per instance (default: ${DEFAULT-VALUE}).")
  int concurrency = 10;

  @Option(names = "--max-instances", paramLabel = "N", description = "The function's maxInstances (default: ${DEFAULT-VALUE}).")
  int maxInstances = 30;

  @Option(names = "--memory", paramLabel = "MB", description = "The function's memory per instance (default: ${DEFAULT-VALUE}).")
  int memoryMb = 128;

  @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "The function's idle timeout for this run (default: ${DEFAULT-VALUE}).")
  int idleSeconds = 10;

  @Option(names = "--sustained-clients", paramLabel = "N", description = "Clients of the sustained load (default: ${DEFAULT-VALUE}).")
  int sustainedClients = 30;

  @Option(names = "--sustained", paramLabel = "SECONDS", description = "Length of the sustained load; 0 skips it (default: ${DEFAULT-VALUE}).")
  int sustainedSeconds = 120;

  @Option(names = "--defaults", paramLabel = "EXAMPLES", split = ",",
      description = "Instead: each of these examples deployed with nothing but its name (the settings a new user gets: "
          + "concurrency 1 and at most 10 instances for Lambda-style functions, 100 for http apps), a burst of --clients "
          + "through its function URL from zero instances, then the warm baseline; e.g. --defaults hello-java,hello-http.")
  List<String> defaults;

  @Option(names = "--json", description = "Print the figures as JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/burst.json under the repository root).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  BurstCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The run's parameters, as reported. */
  record Settings(int clients, int durationSeconds, int sleepMs, int concurrency, int maxInstances, int memoryMb, int idleSeconds,
      int sustainedClients, int sustainedSeconds) {}

  /** One load phase: its figures and its instance samples (ms since the phase start). */
  record Phase(String name, int clients, int seconds, LoadFigures figures, List<InstanceWatch.Sample> samples, Launches launches) {}

  /** Everything a run produced. */
  record Result(Settings settings, Phase burst, Phase warm, long zeroAfterBurstMs, Phase sustained, Settling settling,
      long zeroAfterSustainedMs, RunInfo info) {}

  @Override
  public Integer call() throws Exception {
    for (var check : List.of(new int[] {clients, 1}, new int[] {durationSeconds, 1}, new int[] {sleepMs, 0}, new int[] {concurrency, 1},
        new int[] {maxInstances, 1}, new int[] {sustainedClients, 1}, new int[] {sustainedSeconds, 0}, new int[] {idleSeconds, 0})) {
      if (check[0] < check[1]) {
        throw new BenchFailure("a count or duration is " + check[0] + " (expected: >= " + check[1] + "; see --help)");
      }
    }
    Settings settings = new Settings(clients, durationSeconds, sleepMs, concurrency, maxInstances, memoryMb, idleSeconds, sustainedClients,
        sustainedSeconds);
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    if (defaults != null && !defaults.isEmpty()) {
      return atDefaults(paths, out != null ? out : paths.root().resolve("bench-results/burst-defaults.json"));
    }
    Path outFile = out != null ? out : paths.root().resolve("bench-results/burst.json");
    Path functions = paths.root().resolve("examples/test-functions/target/package");
    if (!Files.isRegularFile(functions.resolve("test-functions.jar"))) {
      throw new BenchFailure(functions + " has no test-functions.jar: build the project first (./mvnw -q -B package -DskipTests)");
    }

    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
    Thread hook = new Thread(daemon::close, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    Result result;
    try {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      JsonNode deployed = api.deploy(functions, List.of("--name", FUNCTION, "--runtime", "java", "--handler", "fixtures.Sleep::handleRequest",
          "--concurrency", Integer.toString(concurrency), "--max-instances", Integer.toString(maxInstances), "--memory",
          Integer.toString(memoryMb), "--idle-timeout", idleSeconds + "s", "--timeout", "30s",
          // the fixed keep-alive: scale to zero exactly after the idle timeout, which the run measures
          "--keep-alive", "fixed"));
      stderr.println("deployed " + FUNCTION + " (fixtures.Sleep, revision " + deployed.path("revision").asText() + ")");
      AotTraining.await(api, List.of(FUNCTION), stderr);
      PoolWatch pool = new PoolWatch(api);
      pool.settle(POOL_SETTLE_LIMIT);
      stderr.printf("warm pool: %s runners; %d instances up%n", (long) pool.level(), api.status(FUNCTION).path("instances").asInt());
      try {
        result = measure(api, daemon, settings);
      } catch (BenchFailure | IOException e) {
        throw new BenchFailure(e.getMessage() + "\nthe end of the daemon log:\n" + daemon.tail(30), e);
      }
    } finally {
      BenchOutput.stop(daemon, hook);
    }
    BenchOutput.finish(stdout, outFile, BurstReport.jsonText(result), json, "\n" + BurstReport.table(result));
    return 0;
  }

  private Result measure(DaemonApi api, DaemonUnderTest daemon, Settings s) throws IOException, InterruptedException {
    if (api.status(FUNCTION).path("instances").asInt() != 0) {
      throw new BenchFailure("'" + FUNCTION + "' has instances up before the burst");
    }
    byte[] event = ("{\"ms\":" + s.sleepMs() + "}").getBytes(StandardCharsets.UTF_8);
    // The native invoke (a bearer token on each connection): the same FunctionInvoker path as the Lambda
    // API's Invoke, without a SigV4 signature to compute per request in the load generator.
    LoadGenerator load = new LoadGenerator(daemon.address(), "POST", "/api/v1/functions/" + FUNCTION + "/invoke", event, READ_TIMEOUT,
        daemon.token());
    Duration length = Duration.ofSeconds(s.durationSeconds());

    stderr.printf("burst: %d clients for %d s at zero instances…%n", s.clients(), s.durationSeconds());
    Phase burst = phase("burst from zero", FUNCTION, load, api, s.clients(), length);
    stderr.printf("warm baseline: the same %d clients for %d s on the instances the burst left…%n", s.clients(), s.durationSeconds());
    Phase warm = phase("warm (baseline)", FUNCTION, load, api, s.clients(), length);
    stderr.printf("waiting for scale to zero (idle timeout %d s)…%n", s.idleSeconds());
    long zeroAfterBurst = awaitZero(api, Duration.ofSeconds(s.idleSeconds()).plus(ZERO_GRACE));

    Phase sustained = null;
    Settling settling = null;
    long zeroAfterSustained = -1;
    if (s.sustainedSeconds() > 0) {
      stderr.printf("sustained: %d clients for %d s…%n", s.sustainedClients(), s.sustainedSeconds());
      sustained = phase("sustained", FUNCTION, load, api, s.sustainedClients(), Duration.ofSeconds(s.sustainedSeconds()));
      settling = Settling.of(sustained.samples(), 5000);
      stderr.printf("waiting for scale to zero (idle timeout %d s)…%n", s.idleSeconds());
      zeroAfterSustained = awaitZero(api, Duration.ofSeconds(s.idleSeconds()).plus(ZERO_GRACE));
    }
    return new Result(s, burst, warm, zeroAfterBurst, sustained, settling, zeroAfterSustained, RunInfo.current(s.clients(), 0));
  }

  private static Phase phase(String name, String function, LoadGenerator load, DaemonApi api, int clients, Duration length)
      throws InterruptedException, IOException {
    Launches before = Launches.in(api.metrics(), function);
    InstanceWatch[] watch = new InstanceWatch[1];
    long[] origin = new long[1];
    LoadGenerator.Run run = load.run(clients, length, () -> {
      origin[0] = System.nanoTime();
      watch[0] = InstanceWatch.start(api, function, origin[0]);
    });
    watch[0].close();
    List<InstanceWatch.Sample> samples = LoadFigures.between(watch[0].samples(), 0, length.toMillis() + 1);
    Launches launched = Launches.in(api.metrics(), function).since(before);
    return new Phase(name, clients, (int) length.toSeconds(), LoadFigures.of(run, samples), samples, launched);
  }

  /** One example at the defaults: its burst from zero and its warm baseline. */
  record AtDefaults(String example, String runtime, Phase burst, Phase warm) {}

  /**
   * {@code --defaults}: each example deployed as a new user would (no settings but its name), a
   * burst of {@link #clients} through its function URL from zero instances, then the same clients
   * on what the burst left. One daemon; the warm pool settled before each burst.
   */
  private int atDefaults(BenchPaths paths, Path outFile) throws Exception {
    if (clients < 1 || durationSeconds < 1) {
      throw new BenchFailure("--clients and --duration must be at least 1");
    }
    List<Example> examples = new java.util.ArrayList<>();
    for (String name : defaults) {
      examples.add(Example.load(paths, name.trim()));
    }
    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
    Thread hook = new Thread(daemon::close, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    List<AtDefaults> results = new java.util.ArrayList<>();
    try {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      Duration length = Duration.ofSeconds(durationSeconds);
      for (Example e : examples) {
        String function = "burst-" + e.name();
        api.deploy(e.dir(), List.of("--name", function)); // as a user does: the example directory, its pilotlight.yaml
        AotTraining.await(api, List.of(function), stderr);
        new PoolWatch(api).settle(POOL_SETTLE_LIMIT);
        if (api.status(function).path("instances").asInt() != 0) {
          throw new BenchFailure("'" + function + "' has instances up before the burst");
        }
        // a user's calls: GET on the function URL, no credentials (the default auth of a URL is none)
        LoadGenerator load = new LoadGenerator(daemon.address(), "GET", "/fn/" + function + "/", null, READ_TIMEOUT, null);
        stderr.printf("%s at its defaults: %d clients for %d s from zero instances, then warm…%n", e.name(), clients, durationSeconds);
        try {
          Phase burst = phase("burst from zero", function, load, api, clients, length);
          Phase warm = phase("warm (baseline)", function, load, api, clients, length);
          results.add(new AtDefaults(e.name(), e.runtime(), burst, warm));
        } catch (BenchFailure | IOException ex) {
          throw new BenchFailure(ex.getMessage() + "\nthe end of the daemon log:\n" + daemon.tail(30), ex);
        }
      }
    } finally {
      BenchOutput.stop(daemon, hook);
    }
    BenchOutput.finish(stdout, outFile, BurstReport.defaultsJson(results, RunInfo.current(clients, 0)), json,
        "\n" + BurstReport.defaultsTable(results, RunInfo.current(clients, 0)));
    return 0;
  }

  /** Polls until no instance is up or starting; returns how long that took, in ms. */
  private static long awaitZero(DaemonApi api, Duration limit) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (true) {
      JsonNode s = api.status(FUNCTION);
      if (s.path("instances").asInt(-1) == 0 && s.path("starting").asInt(-1) == 0) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      if (System.nanoTime() > deadline) {
        throw new BenchFailure("'" + FUNCTION + "' did not scale to zero within " + limit.toSeconds() + " s of the load's end: instances="
            + s.path("instances") + ", starting=" + s.path("starting") + ", desired=" + s.path("desired"));
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
