package dev.pilotlight.cli;

import dev.pilotlight.model.io.FileTrees;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the README's one-command tour. Starts a daemon on a fresh data directory, deploys
 * the two examples, measures a cold call and warm calls of each, prints the results and keeps the
 * daemon serving until Ctrl-C.
 */
@Command(name = "demo", description = "Start a throw-away daemon, deploy the examples, measure cold and warm calls,"
    + " and keep serving until Ctrl-C.")
final class DemoCommand extends DaemonCommand {

  /** Deployed when present (the Java ones need `./mvnw package`, which the launcher runs on first use). */
  static final List<String> EXAMPLES = List.of("hello-java", "java-jackson", "hello-python", "hello-node", "hello-http");
  static final int DEFAULT_PORT = 8080;
  private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
  private static final int WARM_CALLS = 20;

  @Option(names = "--port", description = "Port for the daemon (default: 8080).")
  int port = DEFAULT_PORT;

  @Option(names = "--keep-data", description = "Keep the temporary data directory (and daemon.log) on exit.")
  boolean keepData;

  DemoCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() throws Exception {
    Path launcher = launcher();
    Path home = home(launcher);
    if (!portFree(port)) {
      throw new CliFailure.Failed("port " + port + " is busy (is a daemon already running?); choose another with: "
          + "bin/pilotlight demo --port " + (port + 1));
    }
    Path dataDir = Files.createTempDirectory("pilotlight-demo-");
    DaemonProcess daemon = DaemonProcess.start(launcher, port, dataDir);
    AtomicBoolean stopping = new AtomicBoolean();
    Consumer<Boolean> cleanup = signalled -> {
      if (stopping.compareAndSet(false, true)) {
        daemon.stop(signalled);
        if (keepData) {
          ctx.err().println("data kept in " + dataDir);
        } else {
          FileTrees.deleteTreeQuietly(dataDir);
        }
        ctx.err().flush();
      }
    };
    Thread hook = new Thread(() -> cleanup.accept(true), "pilotlight-demo-cleanup"); // a Ctrl-C, or SIGTERM
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      String baseUrl = "http://127.0.0.1:" + port;
      ctx.out().println("starting the daemon on " + baseUrl + " (log: " + daemon.log() + ")…");
      daemon.awaitHealthy(new DaemonClient(baseUrl, null), STARTUP_LIMIT);
      // The daemon writes its admin token before it listens, so it is there once /healthz answers.
      DaemonClient client = new DaemonClient(baseUrl, GlobalOptions.readToken(dataDir.resolve(GlobalOptions.ADMIN_TOKEN_FILE)));

      List<Deployer.Deployed> deployed = new ArrayList<>();
      for (String example : EXAMPLES) {
        Path dir = home.resolve("examples").resolve(example);
        if (!Files.isRegularFile(dir.resolve("pilotlight.yaml"))) {
          continue;
        }
        Deployer.Deployed d = Deployer.deploy(client, dir, ManifestOverrides.none());
        ctx.out().println(d.summary());
        deployed.add(d);
      }
      awaitAotTraining(client, deployed);
      List<DemoReport.Measurement> measurements = new ArrayList<>();
      for (Deployer.Deployed d : deployed) {
        // Real functions are deployed long before their first call; give the daemon the moment it
        // needs to have its warm pool ready, as it would have by then.
        awaitQuietPool(client);
        measurements.add(measure(client, d));
      }
      ctx.out().println();
      ctx.out().print(DemoReport.table(measurements));
      ctx.out().print(DemoReport.tryIt(baseUrl, port == DEFAULT_PORT, dataDir,
          measurements.stream().map(DemoReport.Measurement::function).toList()));
      ctx.out().println("\nPilotlight is serving on " + baseUrl + "; press Ctrl-C to stop"
          + (keepData ? " (data kept in " + dataDir + ")." : "."));
      ctx.out().flush();

      int exit = daemon.waitFor();
      // Ctrl-C in a terminal signals the daemon too (same process group), so it may exit before
      // our shutdown hook starts: 130/143 are SIGINT/SIGTERM, not a crash.
      if (stopping.get() || exit == 130 || exit == 143) {
        return 0;
      }
      throw new CliFailure.Failed("the daemon stopped with code " + exit + "; the end of its log:\n" + daemon.tail(30));
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
        cleanup.accept(false);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
    }
  }

  /** A cold call (every instance stopped first), then warm calls, all on the function URL. */
  private static DemoReport.Measurement measure(DaemonClient client, Deployer.Deployed deployed) {
    String name = deployed.name();
    try {
      // A deploy may leave an instance up (pre-warming, AOT training); stop them so the first call is cold.
      client.send("DELETE", DaemonClient.functionPath(name) + "/instances", null, DaemonClient.READ_TIMEOUT_MS);
    } catch (CliFailure.ApiError e) {
      // an older daemon without this endpoint: the first call is cold anyway unless it pre-warmed
    }
    String path = "/fn/" + name + "/?name=Ann";
    long start = System.nanoTime();
    DaemonClient.Response cold = client.call("GET", path, null, DaemonClient.NO_TIMEOUT);
    double coldMs = (System.nanoTime() - start) / 1e6;
    List<Double> warm = new ArrayList<>();
    for (int i = 0; i < WARM_CALLS; i++) {
      long t = System.nanoTime();
      client.call("GET", path, null, DaemonClient.NO_TIMEOUT);
      warm.add((System.nanoTime() - t) / 1e6);
    }
    // Back from zero: stop every instance and call again. This one runs on a daemon whose own code
    // is warm, as it is for any daemon that has been up a while; the first call above is not.
    client.send("DELETE", DaemonClient.functionPath(name) + "/instances", null, DaemonClient.READ_TIMEOUT_MS);
    awaitQuietPool(client);
    long againStart = System.nanoTime();
    client.call("GET", path, null, DaemonClient.NO_TIMEOUT);
    double againMs = (System.nanoTime() - againStart) / 1e6;
    String launch = Json.text(client.getJson(DaemonClient.functionPath(name)).path("lastColdStart"), "strategy");
    return new DemoReport.Measurement(name, Json.text(deployed.function(), "runtime"), coldMs, cold.status(),
        cold.text(), warm, launch.equals("-") ? null : launch, againMs);
  }

  /**
   * Waits (at most 60 s) until the background AOT cache training the deploys started has finished
   * for every java and http function: measuring during it would measure a machine busy training.
   */
  private void awaitAotTraining(DaemonClient client, List<Deployer.Deployed> deployed) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    ctx.out().println("waiting for the AOT cache training the deploys started…");
    ctx.out().flush();
    for (Deployer.Deployed d : deployed) {
      String runtime = Json.text(d.function(), "runtime");
      if (!runtime.equals("java") && !runtime.equals("http")) {
        continue;
      }
      while (System.nanoTime() < deadline) {
        String logs = client.call("GET", DaemonClient.functionPath(d.name()) + "/logs?tail=200", null, DaemonClient.READ_TIMEOUT_MS).text();
        if (logs.contains("AOT cache")) {
          break;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Waits (at most 10 s) until the warm pool has stopped growing: the state a deployed function is usually called in. */
  private static void awaitQuietPool(DaemonClient client) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double last = -1;
    int stable = 0;
    while (System.nanoTime() < deadline && stable < 5) {
      double now = poolRunners(client);
      stable = now == last ? stable + 1 : 0;
      last = now;
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static double poolRunners(DaemonClient client) {
    String metrics = client.call("GET", "/metrics", null, DaemonClient.READ_TIMEOUT_MS).text();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("pilotlight_pool_runners ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    return 0;
  }

  private Path launcher() {
    String value = ctx.env().get("PILOTLIGHT_LAUNCHER");
    if (value == null || value.isBlank()) {
      throw new CliFailure.Usage("demo needs PILOTLIGHT_LAUNCHER (the path of bin/pilotlight); run it as: bin/pilotlight demo");
    }
    Path launcher = Path.of(value);
    if (!Files.isExecutable(launcher)) {
      throw new CliFailure.Usage("PILOTLIGHT_LAUNCHER=" + value + " is not an executable file");
    }
    return launcher;
  }

  /** The repository root: PILOTLIGHT_HOME, else the launcher's grand-parent ({@code ROOT/bin/pilotlight}). */
  private Path home(Path launcher) {
    String value = ctx.env().get("PILOTLIGHT_HOME");
    if (value != null && !value.isBlank()) {
      return Path.of(value);
    }
    Path parent = launcher.toAbsolutePath().getParent();
    return parent.getParent() != null ? parent.getParent() : parent;
  }

  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (BindException e) {
      return false;
    } catch (IOException e) {
      return true; // not a conflict we can diagnose; let the daemon report it
    }
  }
}
