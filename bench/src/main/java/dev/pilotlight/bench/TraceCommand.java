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
import java.util.function.IntPredicate;
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
  /** The policies placed on the frontier: the learned default (one price), the learned per function, issue 6's. */
  static final List<String> COMPARED = List.of(TraceReplay.LEARNED, TraceReplay.PER_FUNCTION, "paper");

  @Option(names = "--trace", paramLabel = "DIR",
      description = "Directory with invocations.csv, durations.csv and memory.csv in the Azure Functions Trace 2019 format (default: "
          + DEFAULT_TRACE + " from the repository root).")
  Path trace;

  @Option(names = "--synthetic", paramLabel = "KIND",
      description = "Replay a generated trace instead: periodic, poisson, bursty, diurnal or mix (see bench/README.md).")
  String synthetic;

  @Option(names = "--functions", paramLabel = "N", description = "Functions of a --synthetic trace (default: ${DEFAULT-VALUE}).")
  int functions = 200;

  @Option(names = "--minutes", paramLabel = "N", description = "Length of a --synthetic trace in minutes (default: ${DEFAULT-VALUE}, a day).")
  int minutes = 1440;

  @Option(names = "--budget", paramLabel = "DURATION",
      description = "The learned policy spends at most the idle memory of a fixed keep-alive this long (default: ${DEFAULT-VALUE}).")
  String budget = "10m";

  @Option(names = "--price", paramLabel = "DURATION",
      description = "Exploration: histogram-fn's price of a cold start, as idle time of the function's instance (default: none, the fewest"
          + " cold starts within the budget).")
  String price;

  @Option(names = "--plot", paramLabel = "FILE",
      description = "Where the frontier plot (SVG) is written (default: next to the JSON, trace-frontier.svg; none without either).")
  Path plot;

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

  @Option(names = "--json", description = "Print the figures as JSON (policies, frontier, halves) instead of a table.")
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
    if (trace != null && synthetic != null) {
      throw new BenchFailure("--trace and --synthetic: give one or the other");
    }
    Path dir = trace;
    if (dir == null && synthetic == null) {
      if (root == null) {
        throw new BenchFailure("no --trace given and system property pilotlight.root is not set; run as: bin/pilotlight bench trace");
      }
      dir = Path.of(root).resolve(DEFAULT_TRACE).normalize();
    }
    Duration initDuration;
    Duration priceDuration;
    Duration budgetDuration;
    ScalingSettings daemon;
    try {
      initDuration = Durations.parse("--init", init);
      priceDuration = price == null ? null : Durations.parse("--price", price);
      budgetDuration = Durations.parse("--budget", budget);
      // the daemon's flag of the same name, read as serve reads it
      daemon = ScalingSettings.builder().scaleDownDelay(SCALE_DOWN_DELAY.parse(SCALE_DOWN_DELAY.daemonFlag(), scaleDownDelay)).build()
          .over(ScalingSettings.DEFAULTS);
    } catch (Failure.InvalidInput e) {
      throw new BenchFailure(e.getMessage());
    }
    TraceReplay.Settings settings = new TraceReplay.Settings(Arrivals.parse(spread), seed, initDuration, daemon);
    AzureTrace t;
    if (synthetic != null) {
      t = SyntheticTraces.generate(SyntheticTraces.Kind.parse(synthetic), functions, minutes, seed);
    } else {
      stderr.println("reading " + dir + "…");
      t = AzureTrace.read(dir);
    }
    t.notes().forEach(n -> stderr.println("note: " + n));
    List<TraceReplay.Policy> policies = TraceReplay.policies(budgetDuration, priceDuration);
    stderr.printf(Locale.ROOT, "replaying %d functions, %d minutes, %,d invocations under %d policies…%n", t.functions().size(), t.minutes(),
        t.invocations(), policies.size());
    List<TraceReplay.Result> results = replayAll(t, policies, settings);
    Map<String, TraceReplay.Result> alone = halvesAlone(t, policies, settings);

    Path outFile = out != null ? out : root == null ? null : Path.of(root).resolve("bench-results/trace.json");
    Path plotFile = plot != null ? plot : outFile == null ? null : outFile.resolveSibling("trace-frontier.svg");
    Frontier frontier = new Frontier(results);
    if (plotFile != null) {
      java.nio.file.Files.createDirectories(plotFile.toAbsolutePath().getParent());
      java.nio.file.Files.writeString(plotFile, FrontierPlot.svg(title(t, settings), frontier, COMPARED));
    }
    BenchOutput.finish(stdout, outFile, jsonText(t, settings, results, alone), json, table(t, settings, results, alone)
        + (plotFile != null ? "plot written to " + plotFile + "\n" : ""));
    return 0;
  }

  /** Every policy over the trace, on as many threads as there are cores (policies are independent). */
  static List<TraceReplay.Result> replayAll(AzureTrace t, List<TraceReplay.Policy> policies, TraceReplay.Settings settings) throws Exception {
    List<TraceReplay.Result> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(policies.size(), java.lang.Runtime.getRuntime().availableProcessors())));
    try {
      List<Future<TraceReplay.Result>> runs = new ArrayList<>();
      for (TraceReplay.Policy p : policies) {
        runs.add(pool.submit(() -> TraceReplay.run(t, p, settings)));
      }
      for (Future<TraceReplay.Result> f : runs) {
        results.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    return results;
  }

  /**
   * The learned policy over each half of the functions alone, as two daemons of their own would run
   * them: with one price for a pool, the halves of one run share a budget (memory moves from one to
   * the other), so the split that shows whether the figures depend on the population is this one.
   */
  static Map<String, TraceReplay.Result> halvesAlone(AzureTrace t, List<TraceReplay.Policy> policies, TraceReplay.Settings settings)
      throws Exception {
    TraceReplay.Policy learned = policies.stream().filter(p -> p.name().equals(TraceReplay.LEARNED)).findFirst().orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(2, java.lang.Runtime.getRuntime().availableProcessors())));
    try {
      Map<String, Future<TraceReplay.Result>> runs = new LinkedHashMap<>();
      for (Map.Entry<String, IntPredicate> h : HALVES) {
        AzureTrace half = new AzureTrace(t.dir(), t.firstMinute(), t.minutes(),
            t.functions().stream().filter(f -> h.getValue().test(f.index())).toList(), t.notes());
        runs.put(h.getKey(), pool.submit(() -> TraceReplay.run(half, learned, settings)));
      }
      Map<String, TraceReplay.Result> out = new LinkedHashMap<>();
      for (Map.Entry<String, Future<TraceReplay.Result>> r : runs.entrySet()) {
        out.put(r.getKey(), r.getValue().get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code results} over one half, the learned policy's figures those of the half replayed alone. */
  static Frontier.Position halfAlone(List<TraceReplay.Result> results, TraceReplay.Result alone, IntPredicate half) {
    List<TraceReplay.Result> swapped = results.stream().map(r -> r.policy().equals(TraceReplay.LEARNED) ? alone : r).toList();
    return new Frontier(swapped, half).position(TraceReplay.LEARNED, BASELINE);
  }

  /** The two halves of a split: functions at even and at odd positions of the trace. */
  static final List<Map.Entry<String, IntPredicate>> HALVES = List.of(Map.entry("even", i -> i % 2 == 0), Map.entry("odd", i -> i % 2 == 1));

  static String jsonText(AzureTrace t, TraceReplay.Settings s, List<TraceReplay.Result> results, Map<String, TraceReplay.Result> alone)
      throws Exception {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> trace = new LinkedHashMap<>();
    trace.put("source", t.dir().toString());
    trace.put("functions", t.functions().size());
    trace.put("minutes", t.minutes());
    trace.put("invocations", t.invocations());
    trace.put("spread", s.spread().id());
    trace.put("seed", s.seed());
    root.put("trace", trace);
    Map<String, Object> m = new LinkedHashMap<>();
    results.forEach(r -> m.put(r.policy(), r.toMap()));
    root.put("policies", m);
    Frontier all = new Frontier(results);
    Map<String, Object> frontier = new LinkedHashMap<>();
    frontier.put("fixed", all.fixed().stream().map(p -> Map.of("policy", p.policy(), "coldStartFraction", p.coldFraction(), "idleGbSeconds",
        p.idleGbSeconds())).toList());
    for (String p : COMPARED) {
      frontier.put(p, all.position(p, BASELINE).toMap());
    }
    root.put("frontier", frontier);
    Map<String, Object> halves = new LinkedHashMap<>();
    for (Map.Entry<String, IntPredicate> h : HALVES) {
      if (alone.containsKey(h.getKey())) {
        halves.put(h.getKey() + "-alone", halfAlone(results, alone.get(h.getKey()), h.getValue()).toMap());
      }
      halves.put(h.getKey(), new Frontier(results, h.getValue()).position(TraceReplay.LEARNED, BASELINE).toMap());
      halves.put(h.getKey() + "-" + TraceReplay.PER_FUNCTION, new Frontier(results, h.getValue()).position(TraceReplay.PER_FUNCTION, BASELINE)
          .toMap());
    }
    root.put("halves", halves);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
  }

  static String title(AzureTrace t, TraceReplay.Settings s) {
    return String.format(Locale.ROOT, "%s: %d functions, %d min, %s arrivals", t.dir(), t.functions().size(), t.minutes(), s.spread().id());
  }

  static String table(AzureTrace t, TraceReplay.Settings s, List<TraceReplay.Result> results, Map<String, TraceReplay.Result> alone) {
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
    Frontier all = new Frontier(results);
    sb.append('\n');
    for (String p : COMPARED) {
      sb.append(position(p, all.position(p, BASELINE)));
    }
    for (Map.Entry<String, IntPredicate> h : HALVES) {
      sb.append(position(TraceReplay.LEARNED + " (" + h.getKey() + " half)", new Frontier(results, h.getValue()).position(TraceReplay.LEARNED,
          BASELINE)));
      if (alone.containsKey(h.getKey())) {
        sb.append(position(TraceReplay.LEARNED + " (" + h.getKey() + " alone)", halfAlone(results, alone.get(h.getKey()), h.getValue())));
      }
    }
    for (TraceReplay.Result r : results) {
      if (r.prices() != null) {
        TraceReplay.Prices p = r.prices();
        sb.append(String.format(Locale.ROOT, "%s's price of a cold start: recomputed %d times (once a simulated minute), unlimited for %d of"
            + " them; %s; last %s; largest change from one minute to the next: %.2fx%n", r.policy(), p.updates(), p.unlimited(),
            p.max() > 0 ? String.format(Locale.ROOT, "%.3g to %.3g GB-s", p.min(), p.max()) : "never limited", gb(p.last()), p.largestStep()));
        sb.append(String.format(Locale.ROOT, "%s's account against the budget's fixed keep-alive on the same idle times: lowest %,.0f GB-s,"
            + " last %,.0f GB-s, overspent (paying back) for %d minute(s)%n", r.policy(), p.lowestBalance(), p.lastBalance(),
            p.minutesOverspent()));
      }
    }
    sb.append("targets (issue 14): below the fixed frontier; vs ").append(BASELINE)
        .append(" cold-start fraction <= 0.50x with idle GB-s <= 1.00x (the idle limit is the hard one)\n");
    sb.append("\"at zero\": the request found no instance up or starting (the keep-alive policy's edge); the rest waited for an"
        + " instance the autoscaler added to a busy pool\n");
    return sb.toString();
  }

  private static String position(String label, Frontier.Position p) {
    Double idleVs = p.idleVsFrontier();
    return String.format(Locale.ROOT, "%-26s vs %s: cold-start fraction %.2fx, idle GB-s %.2fx; vs the fixed frontier: cold-start fraction"
        + " %.2fx of the curve's at the same idle GB-s (%s), idle GB-s %s of the curve's at the same cold-start fraction; functions worse on"
        + " both than %s: %.1f %%%n", label, BASELINE, p.coldVsBaseline(), p.idleVsBaseline(), p.coldVsFrontier(), p.below() ? "below" : "NOT below",
        idleVs == null ? "n/a (fewer cold starts than any fixed)" : String.format(Locale.ROOT, "%.2fx", idleVs), BASELINE, p.worseOnBoth() * 100);
  }

  private static String gb(double gbSeconds) {
    return Double.isFinite(gbSeconds) ? String.format(Locale.ROOT, "%.3g GB-s", gbSeconds) : "unlimited";
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.3f %%", fraction * 100);
  }
}
