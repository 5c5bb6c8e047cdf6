package dev.pilotlight.bench;

import static dev.pilotlight.model.FunctionSettings.SCALE_DOWN_DELAY;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.ScalingSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench trace}: replays a trace of real invocation counts in simulated time (no sleeping)
 * through the daemon's own scaling loop, decider and keep-alive policies, once per policy, and
 * compares cold starts and idle memory-time. See bench/README.md.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
    description = "Replay an Azure Functions trace through the scaling and keep-alive code: cold starts and idle GB-s per policy.")
final class TraceCommand implements Callable<Integer> {
  /** The trace used when none is given, relative to the repository root. */
  static final String DEFAULT_TRACE = "../shared/traces/azure-functions-2019-500";
  static final String BASELINE = "fixed-10m";

  @Option(names = "--trace", paramLabel = "DIR",
      description = "Directory with invocations.csv, durations.csv and memory.csv in the Azure Functions Trace 2019 format (default: "
          + DEFAULT_TRACE + " from the repository root).")
  Path trace;

  @Option(names = "--spread", paramLabel = "even|random",
      description = "Where each minute's invocations fall: evenly spaced, or uniformly at random from --seed (default: ${DEFAULT-VALUE}).")
  String spread = "even";

  @Option(names = "--seed", paramLabel = "N", description = "Seed of --spread random (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--init", paramLabel = "DURATION", description = "How long an instance takes to start (default: ${DEFAULT-VALUE}).")
  String init = "250ms";

  @Option(names = "--scale-down-delay", paramLabel = "DURATION",
      description = "The autoscaler's scale-down delay for every replayed function, as serve --scale-down-delay (default: ${DEFAULT-VALUE}; 0s: off).")
  String scaleDownDelay = "60s";

  @Option(names = "--json", description = "Print the figures as JSON, keyed by policy name, instead of a table.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/trace.json under the repository root; none without one).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  TraceCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws Exception {
    String root = System.getProperty("pilotlight.root");
    Path dir = trace;
    if (dir == null) {
      if (root == null) {
        throw new BenchFailure("no --trace given and system property pilotlight.root is not set; run as: bin/pilotlight bench trace");
      }
      dir = Path.of(root).resolve(DEFAULT_TRACE).normalize();
    }
    Duration initDuration;
    ScalingSettings daemon;
    try {
      initDuration = Durations.parse("--init", init);
      // the daemon's flag of the same name, read as serve reads it
      daemon = ScalingSettings.builder().scaleDownDelay(SCALE_DOWN_DELAY.parse(SCALE_DOWN_DELAY.daemonFlag(), scaleDownDelay)).build()
          .over(ScalingSettings.DEFAULTS);
    } catch (Failure.InvalidInput e) {
      throw new BenchFailure(e.getMessage());
    }
    TraceReplay.Settings settings = new TraceReplay.Settings(Arrivals.parse(spread), seed, initDuration, daemon);
    stderr.println("reading " + dir + "…");
    AzureTrace t = AzureTrace.read(dir);
    t.notes().forEach(n -> stderr.println("note: " + n));
    stderr.printf(Locale.ROOT, "replaying %d functions, %d minutes, %,d invocations under %d policies…%n", t.functions().size(), t.minutes(),
        t.invocations(), TraceReplay.standard().size());

    List<TraceReplay.Result> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(TraceReplay.standard().size(),
        java.lang.Runtime.getRuntime().availableProcessors())));
    try {
      List<Future<TraceReplay.Result>> runs = new ArrayList<>();
      for (TraceReplay.Policy p : TraceReplay.standard()) {
        runs.add(pool.submit(() -> TraceReplay.run(t, p, settings)));
      }
      for (Future<TraceReplay.Result> f : runs) {
        results.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }

    Path outFile = out != null ? out : root == null ? null : Path.of(root).resolve("bench-results/trace.json");
    BenchOutput.finish(stdout, outFile, jsonText(results), json, table(t, settings, results));
    return 0;
  }

  static String jsonText(List<TraceReplay.Result> results) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    results.forEach(r -> m.put(r.policy(), r.toMap()));
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
  }

  static String table(AzureTrace t, TraceReplay.Settings s, List<TraceReplay.Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "trace %s: %d functions, minutes %d–%d, %,d invocations%n", t.dir(), t.functions().size(),
        t.firstMinute(), t.firstMinute() + t.minutes() - 1, t.invocations()));
    sb.append(String.format(Locale.ROOT, "arrivals %s within each minute%s; instances start in %d ms, serve 1 request at a time for the"
        + " function's average duration, hold its app's average memory; autoscaler scale-down delay %s%n", s.spread().id(),
        s.spread() == Arrivals.RANDOM ? " (seed " + s.seed() + ")" : "", s.init().toMillis(),
        SCALE_DOWN_DELAY.format(s.daemon().scaleDownDelay())));
    sb.append('\n');
    String format = "%-10s  %11s  %9s  %9s  %9s  %9s  %12s  %14s  %9s  %9s%n";
    sb.append(String.format(Locale.ROOT, format, "policy", "cold starts", "at zero", "fraction", "median/fn", "p75/fn", "idle GB-s",
        "of it pre-warm", "pre-warms", "hits"));
    for (TraceReplay.Result r : results) {
      sb.append(String.format(Locale.ROOT, format, r.policy(), String.format(Locale.ROOT, "%,d", r.coldStarts()),
          String.format(Locale.ROOT, "%,d", r.coldAtZero()), percent(r.coldStartFraction()),
          percent(r.medianColdStartFraction()), percent(r.p75ColdStartFraction()), String.format(Locale.ROOT, "%,.0f", r.idleGbSeconds()),
          String.format(Locale.ROOT, "%,.0f", r.prewarmIdleGbSeconds()), String.format(Locale.ROOT, "%,d", r.prewarms()),
          String.format(Locale.ROOT, "%,d", r.prewarmHits())));
    }
    TraceReplay.Result base = results.stream().filter(r -> r.policy().equals(BASELINE)).findFirst().orElse(null);
    if (base != null) {
      sb.append('\n');
      for (TraceReplay.Result r : results) {
        if (r != base) {
          sb.append(String.format(Locale.ROOT, "%-10s vs %s: cold-start fraction %.2f× (at zero %.2f×, scaling out %.2f×), median over"
              + " functions %.2f×, idle GB-s %.2f×%n", r.policy(), BASELINE, ratio(r.coldStartFraction(), base.coldStartFraction()),
              ratio(r.coldAtZero(), base.coldAtZero()), ratio(r.coldStarts() - r.coldAtZero(), base.coldStarts() - base.coldAtZero()),
              ratio(r.medianColdStartFraction(), base.medianColdStartFraction()), ratio(r.idleGbSeconds(), base.idleGbSeconds())));
        }
      }
      sb.append("target (PERFORMANCE.md): histogram ≤ 0.50× the cold-start fraction and ≤ 1.00× the idle GB-s of ").append(BASELINE).append('\n');
      sb.append("\"at zero\": the request found no instance up or starting (the keep-alive policy's edge); the rest waited for an"
          + " instance the autoscaler added to a busy pool\n");
    }
    return sb.toString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.3f %%", fraction * 100);
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }
}
