package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.executor.RawHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench rollout}: what a release costs the calls under way. Closed-loop clients call a
 * function's URL for the whole of each phase; a few seconds in, the phase's switch happens: a plain
 * redeploy (the baseline), a canary rollout that succeeds, the rollout of a revision that fails half
 * its calls (rolled back by itself), and a rollback. Per phase: calls, failed calls, latency, calls
 * slower than a bound, cold starts; for the failing rollout, the time from its first failed call to
 * the last call its revision answered. See bench/README.md.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Calls that fail or slow down during a plain redeploy, a canary rollout, a rolled-back rollout and a rollback.")
final class RolloutCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FUNCTION = "release";

  /** The function: python, answering its revision's marker; with FAIL=half every other call raises. */
  static final String APP = """
      import itertools, os

      calls = itertools.count()


      def handler(event, context):
          if os.environ.get("FAIL") == "half" and next(calls) % 2 == 0:
              raise RuntimeError("broken on purpose")
          return {"v": os.environ["V"]}
      """;

  @Option(names = "--clients", paramLabel = "N", description = "Closed-loop clients during every phase (default: ${DEFAULT-VALUE}).")
  int clients = 4;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Length of each phase (default: ${DEFAULT-VALUE}).")
  int durationSeconds = 20;

  @Option(names = "--switch-at", paramLabel = "SECONDS", description = "When in each phase the switch happens (default: ${DEFAULT-VALUE}).")
  int switchAtSeconds = 5;

  @Option(names = "--slow-ms", paramLabel = "MS", description = "A call slower than this counts as slowed (default: ${DEFAULT-VALUE}).")
  int slowMs = 100;

  @Option(names = "--json", description = "Print the figures as JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/rollout.json).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  RolloutCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** One call: times in ms since the phase began, its status and the revision that answered (0: none said). */
  record Call(double startMs, double endMs, int status, long revision) {}

  /** A phase's figures. */
  record Phase(String name, String how, List<Call> calls, long coldStarts, double switchMs, String outcome) {}

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || durationSeconds < 2 || switchAtSeconds < 1 || switchAtSeconds >= durationSeconds) {
      throw new BenchFailure("--clients >= 1, --duration >= 2 and 1 <= --switch-at < --duration (see --help)");
    }
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    Path dir = Files.createTempDirectory("pilotlight-rollout-bench-");
    Files.writeString(dir.resolve("app.py"), APP);
    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
    Thread hook = new Thread(daemon::close, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    List<Phase> phases = new ArrayList<>();
    try {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      api.deploy(dir, deployArgs("v1"));
      warm(daemon);
      phases.add(phase(daemon, api, "plain redeploy", "deploy revision 2",
          () -> api.deploy(dir, deployArgs("v2"))));
      phases.add(phase(daemon, api, "canary rollout", "deploy revision 3 --rollout canary:20%,5s (succeeds)",
          () -> api.deploy(dir, deployArgs("v3", "--rollout", "canary:20%,5s"))));
      phases.add(phase(daemon, api, "failing rollout", "deploy revision 4, failing half its calls, --rollout canary:20%,1m",
          () -> api.deploy(dir, deployArgs("v4", "--env", "FAIL=half", "--rollout", "canary:20%,1m"))));
      phases.add(phase(daemon, api, "rollback", "pilotlight rollback (from revision 3 to revision 2)", () -> {
        RawHttp.Response r = RawHttp.once(daemon.address(), "POST", "/api/v1/functions/" + FUNCTION + "/rollback", READ_TIMEOUT,
            daemon.token());
        if (r.status() != 200) {
          throw new BenchFailure("rollback answered " + r.status() + ": " + Expect.abbreviate(new String(r.body(), StandardCharsets.UTF_8)));
        }
        return null;
      }));
    } finally {
      BenchOutput.stop(daemon, hook);
    }
    String jsonText = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(phases));
    BenchOutput.finish(stdout, out != null ? out : paths.root().resolve("bench-results/rollout.json"), jsonText, json, table(phases));
    return 0;
  }

  private List<String> deployArgs(String v, String... more) {
    List<String> args = new ArrayList<>(List.of("--name", FUNCTION, "--runtime", "python", "--handler", "app.handler", "--env", "V=" + v));
    args.addAll(List.of(more));
    return args;
  }

  /** A few seconds of the load before the first phase, so that every phase starts warm. */
  private void warm(DaemonUnderTest daemon) throws InterruptedException {
    load(daemon, Duration.ofSeconds(3), null);
  }

  private interface Switch {
    Object run() throws Exception;
  }

  private Phase phase(DaemonUnderTest daemon, DaemonApi api, String name, String how, Switch change) throws Exception {
    stderr.printf("%s: %d clients for %d s, at %d s: %s…%n", name, clients, durationSeconds, switchAtSeconds, how);
    long coldBefore = api.status(FUNCTION).path("coldStarts").asLong();
    double[] switchMs = {Double.NaN};
    Runnable atSwitch = () -> {
      try {
        long t = System.nanoTime();
        change.run();
        switchMs[0] = (System.nanoTime() - t) / 1e6;
      } catch (Exception e) {
        throw new BenchFailure(name + ": the switch failed: " + e.getMessage(), e);
      }
    };
    List<Call> calls = load(daemon, Duration.ofSeconds(durationSeconds), atSwitch);
    JsonNode status = api.status(FUNCTION);
    String outcome = "";
    RawHttp.Response r = RawHttp.once(daemon.address(), "GET", "/api/v1/functions/" + FUNCTION + "/rollout", READ_TIMEOUT, daemon.token());
    if (r.status() == 200 && name.contains("rollout")) {
      JsonNode ro = JSON.readTree(r.body());
      outcome = ro.path("status").asText() + (ro.hasNonNull("reason") ? ": " + ro.path("reason").asText() : "");
    }
    return new Phase(name, how, calls, status.path("coldStarts").asLong() - coldBefore, switchMs[0], outcome);
  }

  /** Closed-loop clients for {@code length}; {@code atSwitch} runs {@code --switch-at} seconds in (null: never). */
  private List<Call> load(DaemonUnderTest daemon, Duration length, Runnable atSwitch) throws InterruptedException {
    List<List<Call>> perClient = new ArrayList<>();
    long origin = System.nanoTime();
    long deadline = origin + length.toNanos();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        List<Call> mine = new ArrayList<>();
        perClient.add(mine);
        threads.submit(() -> {
          RawHttp http = null;
          while (System.nanoTime() < deadline) {
            long start = System.nanoTime();
            int status;
            long revision = 0;
            try {
              if (http == null) {
                http = RawHttp.connect(daemon.address(), READ_TIMEOUT);
              }
              RawHttp.Response resp = http.send("GET", "/fn/" + FUNCTION + "/");
              status = resp.status();
              String rev = resp.headers().get("X-Pilotlight-Revision");
              revision = rev == null ? 0 : Long.parseLong(rev);
            } catch (IOException e) {
              status = LoadGenerator.NO_ANSWER;
              http = null;
            }
            mine.add(new Call((start - origin) / 1e6, (System.nanoTime() - origin) / 1e6, status, revision));
          }
          return null;
        });
      }
      if (atSwitch != null) {
        Thread.sleep(switchAtSeconds * 1000L);
        atSwitch.run();
      }
      threads.shutdown();
      if (!threads.awaitTermination(length.plus(READ_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BenchFailure("load clients still running after the phase");
      }
    }
    List<Call> all = new ArrayList<>();
    perClient.forEach(all::addAll);
    all.sort(java.util.Comparator.comparingDouble(Call::startMs));
    return all;
  }

  private ObjectNode toJson(List<Phase> phases) {
    ObjectNode root = JSON.createObjectNode();
    root.put("clients", clients);
    root.put("durationSeconds", durationSeconds);
    root.put("switchAtSeconds", switchAtSeconds);
    root.put("slowMs", slowMs);
    ArrayNode list = root.putArray("phases");
    for (Phase p : phases) {
      Figures f = Figures.of(p, slowMs);
      ObjectNode o = list.addObject();
      o.put("phase", p.name());
      o.put("switch", p.how());
      o.put("calls", f.calls());
      o.put("failed", f.failed());
      o.put("failedByRevision", f.failedByRevision());
      o.put("slowed", f.slowed());
      o.put("p50Ms", f.p50());
      o.put("p99Ms", f.p99());
      o.put("maxMs", f.max());
      o.put("coldStarts", p.coldStarts());
      o.put("switchCallMs", p.switchMs());
      if (f.breachToZeroMs() >= 0) {
        o.put("firstFailureToLastCallOfTheFailingRevisionMs", f.breachToZeroMs());
      }
      o.put("outcome", p.outcome());
    }
    root.put("machine", RunInfo.current(clients, 0).machine());
    return root;
  }

  /** What a phase's calls add up to. */
  record Figures(int calls, int failed, String failedByRevision, int slowed, double p50, double p99, double max, double breachToZeroMs) {
    static Figures of(Phase p, int slowMs) {
      double[] ms = p.calls().stream().mapToDouble(c -> c.endMs() - c.startMs()).sorted().toArray();
      int failed = 0;
      java.util.Map<Long, Integer> byRevision = new java.util.TreeMap<>();
      double firstFailure = -1;
      for (Call c : p.calls()) {
        if (c.status() / 100 != 2) {
          failed++;
          byRevision.merge(c.revision(), 1, Integer::sum);
          if (firstFailure < 0) {
            firstFailure = c.endMs();
          }
        }
      }
      double breach = -1;
      if (firstFailure >= 0) {
        long failing = p.calls().stream().filter(c -> c.status() / 100 != 2).mapToLong(Call::revision).max().orElse(0);
        double last = p.calls().stream().filter(c -> c.revision() == failing).mapToDouble(Call::endMs).max().orElse(firstFailure);
        breach = last - firstFailure;
      }
      StringBuilder by = new StringBuilder();
      byRevision.forEach((r, n) -> by.append(by.isEmpty() ? "" : ", ").append(n).append(" from ").append(r == 0 ? "none" : "revision " + r));
      return new Figures(ms.length, failed, by.toString(), (int) java.util.Arrays.stream(ms).filter(m -> m > slowMs).count(),
          ms.length == 0 ? 0 : Percentiles.nearestRank(ms, 50), ms.length == 0 ? 0 : Percentiles.nearestRank(ms, 99),
          ms.length == 0 ? 0 : ms[ms.length - 1], breach);
    }
  }

  private String table(List<Phase> phases) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%d closed-loop clients on the function URL for %d s per phase; the switch at %d s; slowed: over %d ms%n%n",
        clients, durationSeconds, switchAtSeconds, slowMs));
    b.append("").append(RunInfo.current(clients, 0).machine()).append("\n\n");
    b.append(String.format(Locale.ROOT, "  %-16s %7s %7s %7s %8s %8s %9s %5s  %s%n", "phase", "calls", "failed", "slowed", "p50 ms", "p99 ms",
        "max ms", "cold", "outcome"));
    for (Phase p : phases) {
      Figures f = Figures.of(p, slowMs);
      b.append(String.format(Locale.ROOT, "  %-16s %7d %7d %7d %8.2f %8.2f %9.1f %5d  %s%n", p.name(), f.calls(), f.failed(), f.slowed(),
          f.p50(), f.p99(), f.max(), p.coldStarts(), p.outcome().isEmpty() ? "-" : p.outcome()));
      if (f.failed() > 0) {
        b.append("      failed calls: ").append(f.failedByRevision()).append('\n');
      }
      if (f.breachToZeroMs() >= 0) {
        b.append(String.format(Locale.ROOT, "      from the first failed call to the last call the failing revision answered: %.0f ms%n",
            f.breachToZeroMs()));
      }
    }
    return b.toString();
  }
}
