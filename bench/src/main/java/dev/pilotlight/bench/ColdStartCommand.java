package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench coldstart}: cold starts through the gateway against the same code started as a
 * plain process, alternated in one run on a fresh daemon; then warm requests. See bench/README.md.
 */
@Command(name = "coldstart", mixinStandardHelpOptions = true,
    description = "Cold start through the gateway vs. a plain process start of the same code, and warm requests.")
final class ColdStartCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);
  /** PERFORMANCE.md: percentiles are quoted over at least this many samples. */
  private static final int MIN_QUOTABLE_RUNS = 30;

  @Option(names = "--runs", paramLabel = "N", description = "Cold starts per example, each alternated with a plain start (default: ${DEFAULT-VALUE}).")
  int runs = 30;

  @Option(names = "--warm", paramLabel = "M", description = "Warm requests per example and target; 0 skips them (default: ${DEFAULT-VALUE}).")
  int warm = 50;

  @Option(names = "--examples", split = ",", paramLabel = "NAME[,NAME…]",
      description = "Examples under examples/ to measure (default: ${DEFAULT-VALUE}).")
  List<String> examples = new ArrayList<>(List.of("hello-java", "hello-http"));

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
    if (warm < 0) {
      throw new BenchFailure("--warm: " + warm + " (expected: >= 0)");
    }
    if (runs < MIN_QUOTABLE_RUNS) {
      stderr.println("note: --runs " + runs + " is below " + MIN_QUOTABLE_RUNS + "; PERFORMANCE.md quotes figures over N >= 30 only.");
    }
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    Path outFile = out != null ? out : paths.root().resolve("bench-results/coldstart.json");
    Map<String, Example> byName = new LinkedHashMap<>();
    for (String name : examples) {
      byName.put(name, Example.load(paths, name));
    }
    RunInfo info = RunInfo.current(runs, warm);

    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
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
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl());
      Map<String, String> functions = new LinkedHashMap<>();
      for (Example example : byName.values()) {
        JsonNode deployed = api.deploy(example.dir());
        functions.put(example.name(), deployed.path("name").asText(example.name()));
        stderr.println("deployed " + example.name() + " (" + deployed.path("runtime").asText() + ", revision "
            + deployed.path("revision").asText() + ")");
      }
      ColdStartBench bench = new ColdStartBench(api, daemon.address(), stderr);
      for (Example example : byName.values()) {
        PlainBaseline baseline = PlainBaseline.of(example, paths, daemon.dataDir());
        try {
          results.add(bench.run(functions.get(example.name()), example, baseline, runs, warm));
        } catch (BenchFailure | IOException e) {
          throw new BenchFailure(e.getMessage() + "\nthe end of the daemon log:\n" + daemon.tail(30), e);
        }
      }
    } finally {
      daemon.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }

    String jsonText = ColdStartReport.jsonText(results);
    Files.createDirectories(outFile.toAbsolutePath().getParent());
    Files.writeString(outFile, jsonText + "\n", StandardCharsets.UTF_8);
    if (json) {
      stdout.println(jsonText);
    } else {
      stdout.println();
      stdout.print(ColdStartReport.table(results, info));
      stdout.println("JSON written to " + outFile);
    }
    return 0;
  }
}
