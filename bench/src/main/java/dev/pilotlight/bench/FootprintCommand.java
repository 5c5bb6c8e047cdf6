package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.executor.RawHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench footprint}: what the daemon holds and spends while nothing is called. One daemon is
 * measured with nothing deployed (the baseline), then with {@code --functions} copies of an example
 * deployed through the API and no instance, then with {@code --then} copies: at each size its
 * resident memory and CPU over an idle window (and its warm pool's, apart), the time to list every
 * function ({@code GET /api/v1/functions}), and the time of a further deploy ({@code pilotlight deploy},
 * in process).
 */
@Command(name = "footprint", mixinStandardHelpOptions = true,
    description = "The daemon's idle memory and CPU with nothing, --functions and --then functions deployed (no instance), "
        + "the time to list them and to deploy one more.")
final class FootprintCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);
  private static final Duration POOL_SETTLE_LIMIT = Duration.ofSeconds(120);
  private static final Duration LIST_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PREFIX = "fp-";

  @Option(names = "--functions", paramLabel = "N", description = "Functions deployed for the first measurement (default: ${DEFAULT-VALUE}).")
  int functions = 1_000;

  @Option(names = "--then", paramLabel = "M", description = "Functions deployed in all for the second measurement; 0 skips it (default: ${DEFAULT-VALUE}).")
  int then = 10_000;

  @Option(names = "--example", paramLabel = "NAME", description = "The example deployed, under examples/ (default: ${DEFAULT-VALUE}).")
  String example = "hello-python";

  @Option(names = "--settle-seconds", paramLabel = "S", description = "Wait after the deploys before the idle window (default: ${DEFAULT-VALUE}).")
  int settleSeconds = 60;

  @Option(names = "--idle-seconds", paramLabel = "S", description = "The idle window over which CPU is measured (default: ${DEFAULT-VALUE}).")
  int idleSeconds = 60;

  @Option(names = "--samples", paramLabel = "K", description = "Timed lists and timed further deploys at each size (default: ${DEFAULT-VALUE}).")
  int samples = 30;

  @Option(names = "--parallel", paramLabel = "P", description = "Deploys in flight at once while filling the daemon (default: ${DEFAULT-VALUE}).")
  int parallel = 8;

  @Option(names = "--json", description = "Print the figures as JSON instead of a table.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/footprint.json).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  FootprintCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * The figures at one size.
   *
   * @param functions functions deployed
   * @param fillSeconds how long deploying up to this size took (0 for the baseline)
   * @param daemonRssMb the daemon's resident memory at the end of the idle window
   * @param daemonCpuPercent the daemon's CPU over the idle window, % of one core
   * @param poolRssMb the resident memory of everything the daemon started (warm pool, sandboxes)
   * @param poolCpuPercent their CPU over the idle window, % of one core
   * @param list the time of {@code GET /api/v1/functions}, whole body read, on a kept-alive connection
   * @param listBytes the size of that body
   * @param deploy the time of one further {@code pilotlight deploy} (in process: no JVM start)
   */
  /** One size's figures; {@code daemonJitCpuPercent} is the part of {@code daemonCpuPercent} the JIT compilers used. */
  record Size(int functions, double fillSeconds, double daemonRssMb, double daemonCpuPercent, double daemonJitCpuPercent, double poolRssMb,
      double poolCpuPercent, Summary list, int listBytes, Summary deploy) {}

  @Override
  public Integer call() throws Exception {
    if (functions < 1 || then < 0 || (then > 0 && then <= functions) || settleSeconds < 0 || idleSeconds < 1 || samples < 1 || parallel < 1) {
      throw new BenchFailure("--functions, --idle-seconds, --samples and --parallel must be at least 1, --settle-seconds at least 0, "
          + "and --then 0 or more than --functions");
    }
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    Path outFile = out != null ? out : paths.root().resolve("bench-results/footprint.json");
    Example ex = Example.load(paths, example);
    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
    Thread hook = new Thread(daemon::close, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    List<Size> sizes = new ArrayList<>();
    try {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      new PoolWatch(api).settle(POOL_SETTLE_LIMIT);
      Fill fill = new Fill(api, ex.dir());
      sizes.add(measure(daemon, api, fill, 0, 0));
      int[] targets = then > 0 ? new int[] {functions, then} : new int[] {functions};
      for (int target : targets) {
        long start = System.nanoTime();
        fill.upTo(target);
        double took = (System.nanoTime() - start) / 1e9;
        stderr.printf(Locale.ROOT, "%,d functions deployed (%.1f s for the last %,d)%n", fill.deployed(), took, target - sizes.getLast().functions());
        new PoolWatch(api).settle(POOL_SETTLE_LIMIT);
        sizes.add(measure(daemon, api, fill, target, took));
      }
      BenchOutput.finish(stdout, outFile, jsonText(ex.name(), sizes, settleSeconds, idleSeconds), json,
          "\n" + table(ex.name(), sizes, settleSeconds, idleSeconds));
    } finally {
      BenchOutput.stop(daemon, hook);
    }
    return 0;
  }

  /** Waits, measures the idle window, then times the lists and the further deploys (which add {@code samples} functions). */
  private Size measure(DaemonUnderTest daemon, DaemonApi api, Fill fill, int size, double fillSeconds) throws Exception {
    stderr.printf(Locale.ROOT, "%,d functions: settling %d s, then idle for %d s…%n", size, settleSeconds, idleSeconds);
    TimeUnit.SECONDS.sleep(settleSeconds);
    ProcessFootprint before = ProcessFootprint.of(daemon.pid());
    long t0 = System.nanoTime();
    TimeUnit.SECONDS.sleep(idleSeconds);
    ProcessFootprint after = ProcessFootprint.of(daemon.pid());
    double window = (System.nanoTime() - t0) / 1e9;
    List<Double> lists = new ArrayList<>();
    int bytes = 0;
    try (RawHttp c = RawHttp.connect(daemon.address(), LIST_TIMEOUT, daemon.token())) {
      for (int i = 0; i < samples; i++) {
        long s = System.nanoTime();
        RawHttp.Response r = c.send("GET", "/api/v1/functions");
        lists.add((System.nanoTime() - s) / 1e6);
        if (r.status() != 200) {
          throw new BenchFailure("GET /api/v1/functions answered " + r.status() + ": " + Expect.abbreviate(r.text()));
        }
        bytes = r.body().length;
        if (i == 0) {
          int listed = JSON.readTree(r.body()).path("functions").size();
          if (listed != fill.deployed()) {
            throw new BenchFailure("GET /api/v1/functions listed " + listed + " functions; " + fill.deployed() + " were deployed");
          }
        }
      }
    }
    List<Double> deploys = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      long s = System.nanoTime();
      fill.one();
      deploys.add((System.nanoTime() - s) / 1e6);
    }
    return new Size(size, fillSeconds, after.rssKb() / 1024.0, after.cpuPercentSince(before, window), after.jitCpuPercentSince(before, window),
        after.descendantsRssKb() / 1024.0,
        after.descendantsCpuPercentSince(before, window), Summary.of(lists), bytes, Summary.of(deploys));
  }

  /** Deploys numbered copies of the example ({@value #PREFIX}00001, …) through the CLI's deploy, in process. */
  private final class Fill {
    private final DaemonApi api;
    private final Path dir;
    private int next = 1;

    Fill(DaemonApi api, Path dir) {
      this.api = api;
      this.dir = dir;
    }

    int deployed() {
      return next - 1;
    }

    void one() {
      api.deploy(dir, List.of("--name", name(next++)));
    }

    /** Deploys copies until {@code total} are deployed, {@link #parallel} at a time. */
    void upTo(int total) throws Exception {
      try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
        List<Future<?>> done = new ArrayList<>();
        for (; next <= total; next++) {
          String name = name(next);
          done.add(pool.submit(() -> api.deploy(dir, List.of("--name", name))));
        }
        for (Future<?> f : done) {
          f.get();
        }
      }
    }
  }

  static String name(int i) {
    return String.format(Locale.ROOT, "%s%05d", PREFIX, i);
  }

  static String table(String example, List<Size> sizes, int settle, int idle) {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "copies of %s deployed through the API, no instance; idle window %d s after %d s settling%n", example, idle,
        settle));
    t.append(String.format(Locale.ROOT, "  %9s %9s %9s %9s %9s %9s %10s %10s %9s %10s %10s%n", "functions", "daemon MB", "daemon %", "of it JIT",
        "pool MB", "pool %", "list p50", "list p99", "list KB", "deploy p50", "deploy p99"));
    for (Size s : sizes) {
      t.append(String.format(Locale.ROOT, "  %9s %9.1f %9.2f %9.2f %9.1f %9.2f %10.2f %10.2f %9.0f %10.2f %10.2f%n",
          s.functions() == 0 ? "0 (base)" : String.format(Locale.ROOT, "%,d", s.functions()), s.daemonRssMb(), s.daemonCpuPercent(),
          s.daemonJitCpuPercent(), s.poolRssMb(), s.poolCpuPercent(), s.list().p50(), s.list().p99(), s.listBytes() / 1024.0, s.deploy().p50(), s.deploy().p99()));
    }
    for (int i = 1; i < sizes.size(); i++) {
      Size from = sizes.get(i - 1);
      Size s = sizes.get(i);
      // Against the size before, not the baseline: the first deploys also grow the JIT's code and the
      // loaded classes, once, which is not a cost per function.
      t.append(String.format(Locale.ROOT, "  %,d → %,d functions: %.0f KB more daemon memory per function added; deploying them took %.1f s%n",
          from.functions(), s.functions(), (s.daemonRssMb() - from.daemonRssMb()) * 1024 / (s.functions() - from.functions()),
          s.fillSeconds()));
    }
    t.append("daemon MB: its resident memory (VmRSS) at the end of the idle window; %: CPU over the window, % of one core;\n"
        + "  of it JIT: the part the JIT compiler threads used (the daemon's periodic code still warming up; it fades over minutes);\n"
        + "  pool: every process the daemon started (warm pool, sandboxes), apart; list: GET /api/v1/functions, whole body, kept-alive\n"
        + "  connection; deploy: one more pilotlight deploy, in process (no JVM start); times in ms, nearest rank over "
        + sizes.getFirst().list().n() + " each\n");
    t.append("targets (issue 13): at 1,000 functions daemon RSS <= 150 MB and <= 0.5 % of a core; at 10,000 listed in < 100 ms and deployable\n");
    t.append(RunInfo.current(0, 0).machine()).append('\n');
    return t.toString();
  }

  static String jsonText(String example, List<Size> sizes, int settle, int idle) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("example", example);
    root.put("settleSeconds", settle);
    root.put("idleSeconds", idle);
    ArrayNode all = root.putArray("sizes");
    for (Size s : sizes) {
      ObjectNode n = all.addObject();
      n.put("functions", s.functions());
      n.put("fillSeconds", s.fillSeconds());
      n.put("daemonRssMb", s.daemonRssMb());
      n.put("daemonCpuPercent", s.daemonCpuPercent());
      n.put("daemonJitCpuPercent", s.daemonJitCpuPercent());
      n.put("poolRssMb", s.poolRssMb());
      n.put("poolCpuPercent", s.poolCpuPercent());
      n.put("listBytes", s.listBytes());
      summary(n.putObject("listMs"), s.list());
      summary(n.putObject("deployMs"), s.deploy());
    }
    root.put("machine", RunInfo.current(0, 0).machine());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private static void summary(ObjectNode n, Summary s) {
    n.put("n", s.n());
    n.put("p50", s.p50());
    n.put("p90", s.p90());
    n.put("p99", s.p99());
  }
}
