package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.executor.RawHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench cluster}: what running several daemons as one costs and what losing one costs. Three
 * daemons, each in a network namespace of its own ({@link NetnsCluster}), share PostgreSQL. hello-java
 * is called by closed-loop clients: through one daemon alone (before the others start), then in
 * alternated rounds through the function's home daemon and through another one (every call
 * forwarded); the forwarding's cost is the difference, per call, in latency and in the forwarding
 * daemon's CPU. On the same 2 cores a cluster cannot be faster; what is reported is the overhead.
 * Then, several times, the home daemon is killed ({@code kill -9}) or cut off ({@code ip link set
 * down}) while a client calls through another: the time from the loss to the first call that
 * succeeds after it, and to the last that fails. See bench/README.md.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Forwarding overhead and failover time of three daemons sharing PostgreSQL, each in its own network namespace (needs root).")
final class ClusterCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  static final String FUNCTION = "hello-java";

  @Option(names = "--database", paramLabel = "URL", description = "The PostgreSQL the daemons share; a schema of its own is made and "
      + "dropped (default: ${DEFAULT-VALUE}).")
  String database = "postgresql://postgres@127.0.0.1:5432/test";

  @Option(names = "--clients", paramLabel = "N", description = "Closed-loop clients in the load rounds (default: ${DEFAULT-VALUE}).")
  int clients = 10;

  @Option(names = "--seconds", paramLabel = "S", description = "Length of each load round (default: ${DEFAULT-VALUE}).")
  int seconds = 5;

  @Option(names = "--rounds", paramLabel = "N", description = "Alternated rounds through the home and through another daemon "
      + "(default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--losses", paramLabel = "N", description = "Losses of the home daemon of each kind, kill -9 and cut off "
      + "(default: ${DEFAULT-VALUE}).")
  int losses = 2;

  @Option(names = "--json", description = "Print the figures as JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Where the JSON is always written (default: bench-results/cluster.json).")
  Path out;

  private final PrintStream stdout;
  private final PrintStream stderr;

  ClusterCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** One load round: through which daemon, calls answered, throughput, latency, the CPU the receiving daemon spent per call. */
  record Round(String target, int round, int calls, int failed, double perSecond, double p50Ms, double p99Ms, double daemonCpuMicros) {}

  /** One loss: its kind, ms from it to the first call that succeeded after it and to the last that failed, calls failed. */
  record Loss(String kind, double firstSuccessMs, double lastFailureMs, int failed, int calls) {}

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || seconds < 1 || rounds < 1 || losses < 0) {
      throw new BenchFailure("--clients, --seconds and --rounds >= 1, --losses >= 0 (see --help)");
    }
    BenchPaths paths = BenchPaths.fromSystem(System.getenv());
    List<Round> runs = new ArrayList<>();
    List<Loss> lost = new ArrayList<>();
    long coldStartsAlone;
    long coldStartsAdded;
    NetnsCluster made = NetnsCluster.create(paths, database, 3, stderr);
    Thread hook = new Thread(made::close, "bench-cleanup"); // namespaces and links are undone on Ctrl-C too
    Runtime.getRuntime().addShutdownHook(hook);
    try (NetnsCluster cluster = made) {
      NetnsCluster.Node first = cluster.node(0);
      cluster.start(first);
      DaemonApi api = new DaemonApi(first.address(), first.url(), cluster.token());
      stderr.println("deploying " + FUNCTION + " through node 0…");
      api.deploy(paths.example(FUNCTION), List.of());
      warm(first.address());
      stderr.printf("one daemon alone: %d clients, %d s…%n", clients, seconds);
      runs.add(round("one daemon alone", 1, first));
      coldStartsAlone = cluster.coldStarts(FUNCTION);
      cluster.start(cluster.node(1));
      cluster.start(cluster.node(2));
      cluster.awaitMembers(3);
      cluster.awaitKnown(FUNCTION);
      NetnsCluster.Node home = cluster.home(FUNCTION);
      NetnsCluster.Node other = cluster.nodes().stream().filter(n -> n != home).findFirst().orElseThrow();
      warm(home.address()); // its instances up at its home (the daemon alone may not be it)
      for (int r = 1; r <= rounds; r++) {
        stderr.printf("round %d of %d: through the home (node %d), then through node %d (forwarded)…%n", r, rounds, home.index(),
            other.index());
        runs.add(round("3 daemons: to the home", r, home));
        runs.add(round("3 daemons: to another (forwarded)", r, other));
      }
      coldStartsAdded = cluster.coldStarts(FUNCTION) - coldStartsAlone;
      for (int i = 0; i < losses; i++) {
        for (String kind : List.of("kill -9", "cut off")) {
          NetnsCluster.Node victim = cluster.home(FUNCTION);
          NetnsCluster.Node via = cluster.nodes().stream().filter(n -> n != victim).findFirst().orElseThrow();
          stderr.printf("loss %d: node %d (the home) %s, calls through node %d…%n", lost.size() + 1, victim.index(), kind, via.index());
          lost.add(loss(cluster, kind, victim, via));
          cluster.awaitMembers(3);
          warm(via.address());
        }
      }
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    String jsonText = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(runs, lost, coldStartsAlone, coldStartsAdded));
    BenchOutput.finish(stdout, out != null ? out : paths.root().resolve("bench-results/cluster.json"), jsonText, json,
        table(runs, lost, coldStartsAdded));
    return 0;
  }

  /** The same load for a while, so that the instances it needs are up before anything is measured. */
  private void warm(InetSocketAddress via) throws InterruptedException {
    new LoadGenerator(via, "GET", "/fn/" + FUNCTION + "/?name=warm", null, READ_TIMEOUT, null).run(clients, WARM_UP, () -> { });
  }

  /** How long the load runs before the rounds: the autoscaler's stable window is 60 s, but ten instances start within seconds. */
  static final Duration WARM_UP = Duration.ofSeconds(8);

  private Round round(String target, int r, NetnsCluster.Node via) throws Exception {
    long cpuBefore = CpuSplit.cpuTicks(via.pid());
    LoadGenerator.Run run = new LoadGenerator(via.address(), "GET", "/fn/" + FUNCTION + "/?name=bench", null, READ_TIMEOUT, null)
        .run(clients, Duration.ofSeconds(seconds), () -> { });
    long cpu = CpuSplit.cpuTicks(via.pid()) - cpuBefore;
    List<LoadGenerator.Call> ok = run.calls().stream().filter(LoadGenerator.Call::ok).toList();
    double[] ms = ok.stream().mapToDouble(LoadGenerator.Call::millis).sorted().toArray();
    double cpuPerCall = ok.isEmpty() ? Double.NaN : cpu * (1_000_000.0 / CpuSplit.CLOCK_TICKS) / ok.size();
    Round result = new Round(target, r, run.calls().size(), run.calls().size() - ok.size(), ok.size() / (double) seconds,
        ms.length == 0 ? Double.NaN : Percentiles.nearestRank(ms, 50), ms.length == 0 ? Double.NaN : Percentiles.nearestRank(ms, 99),
        cpuPerCall);
    stderr.printf(Locale.ROOT, "  %s: %.0f calls/s, p50 %.2f ms, p99 %.2f ms, %d failed, daemon %.0f µs/call%n", target, result.perSecond(),
        result.p50Ms(), result.p99Ms(), result.failed(), result.daemonCpuMicros());
    return result;
  }

  /** One client calling through {@code via} every 10 ms while {@code victim} is lost, then brought back. */
  private Loss loss(NetnsCluster cluster, String kind, NetnsCluster.Node victim, NetnsCluster.Node via) throws Exception {
    List<double[]> calls = java.util.Collections.synchronizedList(new ArrayList<>()); // {start ms since the loss, ok 1/0}
    long[] lostAt = {0};
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread client = Thread.ofPlatform().start(() -> {
      while (!stop.get()) {
        long t = System.nanoTime();
        boolean ok;
        try {
          ok = RawHttp.once(via.address(), "GET", "/fn/" + FUNCTION + "/?name=failover", Duration.ofSeconds(10)).status() == 200;
        } catch (IOException e) {
          ok = false;
        }
        if (lostAt[0] != 0) {
          calls.add(new double[] {(t - lostAt[0]) / 1e6, ok ? 1 : 0});
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    Thread.sleep(1000);
    lostAt[0] = System.nanoTime();
    if (kind.equals("kill -9")) {
      cluster.kill9(victim);
    } else {
      cluster.cut(victim);
    }
    Thread.sleep(12_000);
    stop.set(true);
    client.join();
    if (kind.equals("kill -9")) {
      cluster.start(victim);
    } else {
      cluster.reconnect(victim);
    }
    double lastFailure = calls.stream().filter(c -> c[1] == 0).mapToDouble(c -> c[0]).max().orElse(0);
    double firstSuccess = calls.stream().filter(c -> c[1] == 1 && c[0] >= 0).mapToDouble(c -> c[0]).min().orElse(Double.NaN);
    int failed = (int) calls.stream().filter(c -> c[1] == 0).count();
    stderr.printf(Locale.ROOT, "  first success %.0f ms after the loss, last failure %.0f ms after it, %d of %d calls failed%n",
        firstSuccess, lastFailure, failed, calls.size());
    return new Loss(kind, firstSuccess, lastFailure, failed, calls.size());
  }

  private ObjectNode toJson(List<Round> runs, List<Loss> lost, long coldStartsAlone, long coldStartsAdded) {
    ObjectNode root = JSON.createObjectNode();
    root.put("function", FUNCTION);
    root.put("clients", clients);
    root.put("seconds", seconds);
    ArrayNode r = root.putArray("rounds");
    for (Round x : runs) {
      r.add(JSON.valueToTree(x));
    }
    root.put("coldStartsAlone", coldStartsAlone);
    root.put("coldStartsAddedByTheCluster", coldStartsAdded);
    ArrayNode l = root.putArray("losses");
    for (Loss x : lost) {
      l.add(JSON.valueToTree(x));
    }
    return root;
  }

  private static double median(List<Round> runs, String target, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = runs.stream().filter(x -> x.target().equals(target)).mapToDouble(f).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }

  private String table(List<Round> runs, List<Loss> lost, long coldStartsAdded) {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "hello-java, %d closed-loop clients, %d s rounds (medians of the rounds)%n%n", clients, seconds));
    t.append("| calls go to | calls/s | p50 ms | p99 ms | CPU of the receiving daemon µs/call |\n| --- | ---: | ---: | ---: | ---: |\n");
    for (String target : runs.stream().map(Round::target).distinct().toList()) {
      t.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.0f |%n", target, median(runs, target, Round::perSecond),
          median(runs, target, Round::p50Ms), median(runs, target, Round::p99Ms), median(runs, target, Round::daemonCpuMicros)));
    }
    double added = median(runs, "3 daemons: to another (forwarded)", Round::p50Ms) - median(runs, "3 daemons: to the home", Round::p50Ms);
    t.append(String.format(Locale.ROOT, "%nforwarding adds %.2f ms at p50 per call; cold starts added by the cluster: %d%n", added,
        coldStartsAdded));
    if (!lost.isEmpty()) {
      t.append("\n| loss of the home daemon | first success after it, ms | last failure after it, ms | calls failed |\n"
          + "| --- | ---: | ---: | ---: |\n");
      for (Loss x : lost) {
        t.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %d of %d |%n", x.kind(), x.firstSuccessMs(), x.lastFailureMs(), x.failed(),
            x.calls()));
      }
    }
    return t.toString();
  }
}
