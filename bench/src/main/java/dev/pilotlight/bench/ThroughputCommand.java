package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.io.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench throughput}: warm requests per second and latency through the gateway, for a
 * Lambda-style function and for a web app, against nginx {@code proxy_pass} to the same app, a bare
 * Netty relay to it ({@link NettyRelay}: what a JVM proxy costs before any of the gateway's work) and
 * the app called directly, alternated round by round in one run; and the CPU per request of the
 * proxy, the app and the whole machine.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Warm throughput through the gateway (hello-java, hello-http) against nginx proxy_pass, a bare Netty relay and the app directly, alternated.")
final class ThroughputCommand implements Callable<Integer> {
  private static final Duration DAEMON_START_LIMIT = Duration.ofSeconds(60);
  private static final Duration APP_START_LIMIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--concurrency", paramLabel = "C", split = ",", description = "Client connections, one run each (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency = List.of(1, 10, 100);

  @Option(names = "--seconds", paramLabel = "S", description = "Length of each measured run (default: ${DEFAULT-VALUE}).")
  int seconds = 5;

  @Option(names = "--rounds", paramLabel = "N", description = "Rounds; each round runs every target once, in turn (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--wrk", paramLabel = "PATH", description = "The wrk binary (default: ${DEFAULT-VALUE}).")
  String wrk = "/usr/bin/wrk";

  @Option(names = "--nginx", paramLabel = "PATH", description = "The nginx binary (default: ${DEFAULT-VALUE}).")
  String nginx = "/usr/sbin/nginx";

  @Option(names = "--history-off-too", description = "Also start a second daemon with --metrics-history off and alternate its "
      + "hello-java with the first's: what the console's per-minute history costs per call.")
  boolean historyOffToo;

  @Option(names = "--json", description = "Print the figures as JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/throughput.json).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  ThroughputCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * One load target: what is called, whether it goes through a daemon (0: not), and whose CPU is
   * counted as the proxy's (the daemon; nginx and its workers; none) and as the app's (the daemon's
   * instances and warm pool; the plain app).
   */
  record Target(String name, String url, long daemonPid, Supplier<List<ProcessHandle>> proxy, Supplier<List<ProcessHandle>> app) {
    boolean throughDaemon() {
      return daemonPid != 0;
    }

    /** Through a daemon: the daemon is the proxy, what it started is the app. */
    static Target gateway(String name, String url, long daemonPid) {
      ProcessHandle d = ProcessHandle.of(daemonPid).orElseThrow(() -> new BenchFailure("the daemon (pid " + daemonPid + ") is gone"));
      return new Target(name, url, daemonPid, () -> List.of(d), () -> d.descendants().toList());
    }
  }

  static final String JAVA_TARGET = "gateway: hello-java (Lambda-style)";
  static final String HTTP_TARGET = "gateway: hello-http";
  static final String NGINX_TARGET = "nginx proxy_pass: hello-http";
  static final String RELAY_TARGET = "netty relay: hello-http";
  static final String DIRECT_TARGET = "direct: hello-http";
  static final String JAVA_TARGET_NO_HISTORY = "gateway, history off: hello-java";

  /** One measured run; {@code cpu}: µs per request of the proxy's processes, the app's and the machine's. */
  record Run(String target, int concurrency, int round, WrkRun figures, double daemonCpuMicrosPerRequest, CpuSplit.PerRequest cpu) {}

  @Override
  public Integer call() throws Exception {
    if (seconds < 1 || rounds < 1 || concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1)) {
      throw new BenchFailure("--seconds, --rounds and every --concurrency must be at least 1");
    }
    for (String tool : List.of(wrk, nginx)) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new BenchFailure(tool + " not found: install it (apt-get install -y wrk nginx) or point --wrk/--nginx at it");
      }
    }
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    Path outFile = out != null ? out : paths.root().resolve("bench-results/throughput.json");
    Example java = Example.load(paths, "hello-java");
    Example web = Example.load(paths, "hello-http");
    Path work = Files.createTempDirectory("pilotlight-throughput-");
    DaemonUnderTest daemon = DaemonUnderTest.start(paths.launcher());
    DaemonUnderTest plain = historyOffToo ? DaemonUnderTest.start(paths.launcher(), Map.of(), List.of("--metrics-history", "off")) : null;
    Thread hook = new Thread(() -> {
      daemon.close();
      if (plain != null) {
        plain.close();
      }
    }, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    List<Run> runs = new ArrayList<>();
    try (PlainHttpApp direct = PlainHttpApp.start(web, paths, work.resolve("app.log"));
        Nginx proxy = Nginx.start(nginx, work.resolve("nginx"), direct.address().getPort());
        NettyRelay.Child relay = NettyRelay.spawn(paths, direct.address().getPort(), work.resolve("relay.log"))) {
      stderr.println("starting a daemon on " + daemon.baseUrl() + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(DAEMON_START_LIMIT);
      DaemonApi api = new DaemonApi(daemon.address(), daemon.baseUrl(), daemon.token());
      api.deploy(java.dir(), List.of("--name", "hello-java"));
      api.deploy(web.dir(), List.of("--name", "hello-http"));
      AotTraining.await(api, List.of("hello-java", "hello-http"), stderr);
      DaemonApi plainApi = null;
      if (plain != null) {
        plain.awaitHealthy(DAEMON_START_LIMIT);
        plainApi = new DaemonApi(plain.address(), plain.baseUrl(), plain.token());
        plainApi.deploy(java.dir(), List.of("--name", "hello-java"));
        AotTraining.await(plainApi, List.of("hello-java"), stderr);
      }
      direct.awaitFirstAnswer(APP_START_LIMIT);
      String app = "http://127.0.0.1:" + direct.address().getPort() + "/";
      List<Target> targets = new ArrayList<>(List.of(
          Target.gateway(JAVA_TARGET, daemon.baseUrl() + "/fn/hello-java/", daemon.pid()),
          Target.gateway(HTTP_TARGET, daemon.baseUrl() + "/fn/hello-http/", daemon.pid()),
          new Target(NGINX_TARGET, "http://127.0.0.1:" + proxy.port() + "/", 0,
              () -> CpuSplit.withDescendants(proxy.handle()), () -> List.of(direct.handle())),
          new Target(RELAY_TARGET, "http://127.0.0.1:" + relay.port() + "/", 0, () -> List.of(relay.handle()), () -> List.of(direct.handle())),
          new Target(DIRECT_TARGET, app, 0, List::of, () -> List.of(direct.handle()))));
      if (plain != null) {
        targets.add(1, Target.gateway(JAVA_TARGET_NO_HISTORY, plain.baseUrl() + "/fn/hello-java/", plain.pid()));
      }
      int most = concurrency.stream().mapToInt(Integer::intValue).max().orElseThrow();
      stderr.printf("warming every target (%d connections, 3 s each)…%n", most);
      for (Target t : targets) {
        wrk(t, most, 3);
      }
      for (int c : concurrency) {
        for (int r = 1; r <= rounds; r++) {
          for (Target t : inRound(targets, r)) {
            CpuSplit.Snapshot before = CpuSplit.take(t.proxy(), t.app());
            WrkRun f = wrk(t, c, seconds);
            CpuSplit.PerRequest split = CpuSplit.between(before, CpuSplit.take(t.proxy(), t.app()), f.requests());
            double cpu = t.throughDaemon() ? split.proxy() : Double.NaN;
            runs.add(new Run(t.name(), c, r, f, cpu, split));
            stderr.printf(Locale.ROOT, "c=%d round %d %-36s %9.0f req/s  p50 %7.2f ms  p99 %8.2f ms  CPU µs/req: proxy %s app %.0f all %.0f%n",
                c, r, t.name(), f.requestsPerSecond(), f.p50Ms(), f.p99Ms(), proxied(t.name())
                    ? String.format(Locale.ROOT, "%.0f", split.proxy()) : "-", split.app(), split.machine());
          }
        }
      }
      ObjectNode instances = JSON.createObjectNode();
      instances.put("hello-java", api.status("hello-java").path("instances").asInt());
      instances.put("hello-http", api.status("hello-http").path("instances").asInt());
      if (plainApi != null) {
        instances.put("hello-java, history off", plainApi.status("hello-java").path("instances").asInt());
      }
      BenchOutput.finish(stdout, outFile, jsonText(runs, instances), json, "\n" + table(runs, instances));
    } finally {
      BenchOutput.stop(daemon, hook);
      if (plain != null) {
        plain.close();
      }
      FileTrees.deleteTreeQuietly(work);
    }
    return 0;
  }

  /** Whether a target goes through a proxy (its proxy CPU is a figure): every one but the app called directly. */
  static boolean proxied(String target) {
    return !target.equals(DIRECT_TARGET);
  }

  /** The targets in round {@code r}'s order: two daemons' hello-java swap places every other round, so neither always goes first. */
  static List<Target> inRound(List<Target> targets, int r) {
    List<Target> order = new ArrayList<>(targets);
    int on = order.stream().map(Target::name).toList().indexOf(JAVA_TARGET);
    int off = order.stream().map(Target::name).toList().indexOf(JAVA_TARGET_NO_HISTORY);
    if (r % 2 == 0 && on >= 0 && off >= 0) {
      java.util.Collections.swap(order, on, off);
    }
    return order;
  }

  private WrkRun wrk(Target t, int connections, int forSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(wrk, "-t1", "-c" + connections, "-d" + forSeconds + "s", "--latency", "--timeout", "10s", t.url())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(forSeconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new BenchFailure("wrk against " + t.url() + " failed:\n" + output);
    }
    WrkRun f = WrkRun.parse(output);
    if (f.errors() > 0) {
      stderr.printf("warning: %d of %d requests to %s got no 2xx/3xx answer%n", f.errors(), f.requests(), t.name());
    }
    return f;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Per concurrency and target, the median of the rounds. */
  static Map<Integer, Map<String, double[]>> medians(List<Run> runs) {
    Map<Integer, Map<String, double[]>> out = new LinkedHashMap<>();
    for (Run r : runs) {
      out.computeIfAbsent(r.concurrency(), c -> new LinkedHashMap<>()).putIfAbsent(r.target(), null);
    }
    for (var byC : out.entrySet()) {
      for (String target : new ArrayList<>(byC.getValue().keySet())) {
        List<Run> these = runs.stream().filter(r -> r.concurrency() == byC.getKey() && r.target().equals(target)).toList();
        byC.getValue().put(target, new double[] {
            median(these.stream().mapToDouble(r -> r.figures().requestsPerSecond()).toArray()),
            median(these.stream().mapToDouble(r -> r.figures().p50Ms()).toArray()),
            median(these.stream().mapToDouble(r -> r.figures().p99Ms()).toArray()),
            median(these.stream().mapToDouble(Run::daemonCpuMicrosPerRequest).toArray()),
            median(these.stream().mapToDouble(r -> r.cpu().proxy()).toArray()),
            median(these.stream().mapToDouble(r -> r.cpu().app()).toArray()),
            median(these.stream().mapToDouble(r -> r.cpu().machine()).toArray())});
      }
    }
    return out;
  }

  static String table(List<Run> runs, ObjectNode instances) {
    StringBuilder t = new StringBuilder();
    t.append("medians of the rounds; wrk -t1 -cC --latency, keep-alive connections; warm instances: ").append(instances).append('\n');
    t.append("CPU µs per request: proxy = the daemon (gateway), nginx's master and workers, or the relay's JVM; app = what the daemon started,"
        + " or the plain app;"
        + " all = the whole machine, the load generator included\n");
    t.append(String.format(Locale.ROOT, "  %-4s %-36s %10s %9s %9s %14s %7s %7s %7s%n", "c", "target", "req/s", "p50 ms", "p99 ms", "daemon µs/req",
        "proxy", "app", "all"));
    for (var byC : medians(runs).entrySet()) {
      for (var e : byC.getValue().entrySet()) {
        double[] m = e.getValue();
        boolean proxied = proxied(e.getKey());
        t.append(String.format(Locale.ROOT, "  %-4d %-36s %10.0f %9.2f %9.2f %14s %7s %7s %7s%n", byC.getKey(), e.getKey(), m[0], m[1], m[2],
            micros(m[3]), proxied ? micros(m[4]) : "", micros(m[5]), micros(m[6])));
      }
      double[] on = byC.getValue().get(JAVA_TARGET);
      double[] off = byC.getValue().get(JAVA_TARGET_NO_HISTORY);
      if (on != null && off != null) {
        t.append(String.format(Locale.ROOT, "       hello-java: the metrics history's cost: daemon µs/req %.0f on vs %.0f off (%+.1f %%), "
            + "throughput %.2f× of off%n", on[3], off[3], (on[3] / off[3] - 1) * 100, on[0] / off[0]));
      }
      double[] gw = byC.getValue().get(HTTP_TARGET);
      double[] ng = byC.getValue().get(NGINX_TARGET);
      double[] dir = byC.getValue().get(DIRECT_TARGET);
      double[] relay = byC.getValue().get(RELAY_TARGET);
      if (gw != null && ng != null && dir != null) {
        t.append(String.format(Locale.ROOT, "       hello-http: gateway/nginx throughput %.2f×; added p50 over direct: gateway %.2f ms, nginx %.2f ms%n",
            gw[0] / ng[0], gw[1] - dir[1], ng[1] - dir[1]));
        t.append(String.format(Locale.ROOT, "       hello-http: CPU µs per request, proxy + app: gateway %s, nginx %s; whole machine: gateway %s, nginx %s%n",
            micros(gw[4] + gw[5]), micros(ng[4] + ng[5]), micros(gw[6]), micros(ng[6])));
      }
      if (gw != null && ng != null && relay != null) {
        t.append(String.format(Locale.ROOT, "       hello-http: the bare Netty relay reaches %.2f× nginx's throughput; the gateway %.2f× the relay's;"
            + " proxy CPU µs per request: gateway %s, relay %s, nginx %s%n", relay[0] / ng[0], gw[0] / relay[0], micros(gw[4]), micros(relay[4]),
            micros(ng[4])));
      }
      double[] java = byC.getValue().get(JAVA_TARGET);
      if (java != null && relay != null && relay[4] > 0) {
        // The machine's pace moves every CPU figure (twice as slow on some days here); the relay's,
        // measured in the same run, is the yardstick that moves with it.
        t.append(String.format(Locale.ROOT, "       hello-java: daemon CPU per Lambda-style call %s µs = %.1f× the relay's per proxied request"
            + " (the same run's yardstick for this machine's pace)%n", micros(java[3]), java[3] / relay[4]));
      }
    }
    t.append("targets (issue 13): gateway throughput >= nginx's and added p50 <= nginx's; a no-op Lambda-style call <= 50 µs of daemon CPU\n");
    t.append(RunInfo.current(0, 0).machine()).append('\n');
    return t.toString();
  }

  private static String micros(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.0f", v);
  }

  static String jsonText(List<Run> runs, ObjectNode instances) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.set("instances", instances);
    ArrayNode all = root.putArray("runs");
    for (Run r : runs) {
      ObjectNode n = all.addObject();
      n.put("target", r.target());
      n.put("concurrency", r.concurrency());
      n.put("round", r.round());
      n.put("requestsPerSecond", r.figures().requestsPerSecond());
      n.put("p50Ms", r.figures().p50Ms());
      n.put("p99Ms", r.figures().p99Ms());
      n.put("requests", r.figures().requests());
      n.put("errors", r.figures().errors());
      if (!Double.isNaN(r.daemonCpuMicrosPerRequest())) {
        n.put("daemonCpuMicrosPerRequest", r.daemonCpuMicrosPerRequest());
      }
      if (!Double.isNaN(r.cpu().machine())) {
        n.put("proxyCpuMicrosPerRequest", r.cpu().proxy());
        n.put("appCpuMicrosPerRequest", r.cpu().app());
        n.put("machineCpuMicrosPerRequest", r.cpu().machine());
      }
    }
    root.put("machine", RunInfo.current(0, 0).machine());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }
}
