package dev.pilotlight.server;

import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.executor.WarmPool;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.model.Setting;
import dev.pilotlight.store.PackageLimits;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pilotlight serve}: parses options, starts the daemon, waits for a signal. */
@Command(name = "pilotlight serve", mixinStandardHelpOptions = true,
    description = "Runs the Pilotlight daemon: function URLs, the APIs, /healthz and /metrics on one port.")
public final class Main implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";
  private static final String HIKARI_LOG_LEVEL = "org.slf4j.simpleLogger.log.com.zaxxer.hikari";

  @Option(names = "--port", description = "Port for everything (default: ${DEFAULT-VALUE}; 0 = any free port).", defaultValue = "8080")
  int port;

  @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--data-dir", description = "Registry, code and logs (default: ~/.pilotlight).")
  Path dataDir;

  @Option(names = "--max-package-mb", description = "Largest package upload, zipped (default: ${DEFAULT-VALUE}).", defaultValue = "50")
  int maxPackageMb;

  @Option(names = "--max-unpacked-mb", description = "Largest package, unpacked (default: ${DEFAULT-VALUE}).", defaultValue = "250")
  int maxUnpackedMb;

  @Option(names = "--max-queue", description = "Requests that may wait per function (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  int maxQueue;

  @Option(names = "--pool-size", description = "Pre-started runtimes kept per pool key: java and node per heap size, python one for all (default: ${DEFAULT-VALUE}; 0 turns the warm pool off).", defaultValue = "1")
  int poolSize;

  @Option(names = "--pool-max", description = "Most pre-started runtimes per pool key under demand (default: ${DEFAULT-VALUE}).", defaultValue = "4")
  int poolMax;

  @Option(names = "--async-retry-delay", paramLabel = "DURATION", description = "Wait before the first retry of a failed Event "
      + "invocation, doubled for the second, unless the function sets retryDelay (default: ${DEFAULT-VALUE}, as Lambda).", defaultValue = "1m")
  String asyncRetryDelay;

  @Option(names = "--max-queue-wait", paramLabel = "DURATION", description = "How long a request may wait for a free instance, "
      + "for functions that set no maxQueueWait (default: the function's timeout, at least 10s).")
  String maxQueueWait;

  @Option(names = "--target-utilization", paramLabel = "SHARE", description = "Share of an instance's concurrency the autoscaler "
      + "aims to keep busy, 0.01 to 1 (default: ${DEFAULT-VALUE}).", defaultValue = "0.7")
  double targetUtilization;

  @Option(names = "--stable-window", paramLabel = "DURATION", description = "Concurrency is averaged over this long for ordinary "
      + "scaling decisions (default: ${DEFAULT-VALUE}).", defaultValue = "60s")
  String stableWindow;

  @Option(names = "--scale-down-delay", paramLabel = "DURATION", description = "The autoscaler never scales below what the busiest "
      + "second of this last stretch needed; 0s turns it off (default: ${DEFAULT-VALUE}).", defaultValue = "60s")
  String scaleDownDelay;

  @Option(names = "--panic-window", paramLabel = "DURATION", description = "and over this long to detect a burst (default: ${DEFAULT-VALUE}).",
      defaultValue = "6s")
  String panicWindow;

  @Option(names = "--panic-threshold", paramLabel = "FACTOR", description = "Panic (scale on the panic window, never down) when it "
      + "holds this multiple of what the ready instances carry at target (default: ${DEFAULT-VALUE}).", defaultValue = "2.0")
  double panicThreshold;

  @Option(names = "--max-scale-up-rate", paramLabel = "FACTOR", description = "One decision grows the instances to at most this "
      + "multiple of the ready ones (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  double maxScaleUpRate;

  @Option(names = "--max-scale-down-rate", paramLabel = "FACTOR", description = "One decision shrinks them to no less than the "
      + "ready ones divided by this (default: ${DEFAULT-VALUE}).", defaultValue = "2")
  double maxScaleDownRate;

  @Option(names = "--memory-budget-mb", paramLabel = "MB", description = "Memory for instances and the warm pool together, by their "
      + "memory settings (default: 75%% of the machine's memory).")
  Long memoryBudgetMb;

  @Option(names = "--keep-alive", paramLabel = "histogram|fixed|off", description = "How idle instances of functions that set no "
      + "keepAlive are kept: histogram (learned from each function's idle times: stopped early, pre-warmed before the next call), "
      + "fixed (for the function's idleTimeout) or off (stopped at once) (default: ${DEFAULT-VALUE}).", defaultValue = "histogram")
  String keepAlive;

  @Option(names = "--keep-alive-budget", paramLabel = "DURATION", description = "The learned keep-alive (histogram) never expects "
      + "to hold more idle memory per function than a fixed keep-alive this long would on the function's idle times, and keeps an "
      + "instance this long while it knows nothing yet; 0s to 4h (default: ${DEFAULT-VALUE}).", defaultValue = "10m")
  String keepAliveBudget;

  @Option(names = "--criu", paramLabel = "PATH|auto|off", description = "CRIU for the snapshot rung of http apps: a criu binary, "
      + "auto (/opt/pilotlight-criu/sbin/criu from bin/build-criu, else criu >= 4.1 on the PATH, if `criu check` passes) or off "
      + "(default: $PILOTLIGHT_CRIU, else auto).")
  String criu;

  @Option(names = "--keep-revisions", paramLabel = "N", description = "Revisions kept per function, the live one included; "
      + "older ones and their code are removed at each deploy (default: ${DEFAULT-VALUE}).", defaultValue = "3")
  int keepRevisions;

  @Option(names = "--secrets-key", paramLabel = "FILE", description = "The file holding the key secrets are encrypted under, "
      + "made (mode 0600) when the first secret is set; keep it outside backups of the data dir, and back it up apart: without it "
      + "the secrets cannot be read (default: $PILOTLIGHT_SECRETS_KEY, else <data dir>/keys/secrets.key).")
  Path secretsKey;

  @Option(names = "--metrics-history", paramLabel = "on|off", description = "Keep each function's numbers per minute for 7 days "
      + "(metrics.db), behind the console's charts and GET /api/v1/functions/NAME/metrics (default: ${DEFAULT-VALUE}).",
      defaultValue = "on")
  String metricsHistory;

  @Option(names = "--database", paramLabel = "URL", description = "Keep what daemons share (functions, revisions, tokens and "
      + "keys, secrets, the async queue, schedules, event sources, usage, code packages) in this PostgreSQL database, "
      + "postgresql://USER:PASSWORD@HOST:PORT/DATABASE, so that several daemons serve as one; without it, the SQLite files of "
      + "the data dir (default: $PILOTLIGHT_DATABASE, else none).")
  String database;

  @Option(names = "--node-id", paramLabel = "NAME", description = "This daemon's name among those sharing a --database, unique "
      + "per daemon and the same across its restarts (default: $PILOTLIGHT_NODE_ID, else the host name).")
  String nodeId;

  @Option(names = "--advertise", paramLabel = "HOST:PORT", description = "Where the other daemons sharing a --database reach "
      + "this one, to forward it the calls of the functions it holds warm (default: $PILOTLIGHT_ADVERTISE, else --host if it is "
      + "one address, else this machine's address; and the daemon's port).")
  String advertise;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", description = "On SIGTERM, how long requests and async events in "
      + "flight may go on while /healthz answers 503 and new requests are refused; what still runs then is cut off (async events "
      + "go back to the queue). Keep it below Kubernetes' terminationGracePeriodSeconds; 0s to 1h (default: $PILOTLIGHT_DRAIN_TIMEOUT, "
      + "else 20s; now ${DEFAULT-VALUE}).", defaultValue = "${env:PILOTLIGHT_DRAIN_TIMEOUT:-20s}")
  String drainTimeout;

  @Option(names = "--insecure-no-auth", description = "Turn authentication off: anyone who can reach the port may deploy and run "
      + "code. Only for a machine nobody else can reach; the daemon says so loudly at start.")
  boolean noAuth;

  @Option(names = "--require-sandbox", description = "Refuse to start unless every instance runs in its sandbox (own uid, "
      + "namespaces, seccomp) with its cgroup limits; without the flag the daemon starts and reports what is missing.")
  boolean requireSandbox;

  @Option(names = "--allowed-host", paramLabel = "NAME", description = "A host name the APIs answer to besides localhost and IP "
      + "addresses (repeatable), e.g. the name clients use to reach this machine. Others are refused (DNS rebinding).")
  List<String> allowedHosts = new ArrayList<>();

  @Option(names = "--allowed-origin", paramLabel = "ORIGIN", description = "A web origin (https://console.example.com) allowed to "
      + "call the APIs from a browser, besides the daemon's own (repeatable).")
  List<String> allowedOrigins = new ArrayList<>();

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (with --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "The PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  public static void main(String[] args) {
    // The daemon logs through System.Logger, whose default backend (java.util.logging) writes two
    // lines per message to stderr; one line each keeps daemon.log readable and greppable. -D wins.
    if (System.getProperty(LOG_FORMAT) == null) {
      System.setProperty(LOG_FORMAT, "%1$tF %1$tT %4$s %5$s%6$s%n");
    }
    // The connection pool of a shared database says only what goes wrong (its start and stop lines are noise).
    if (System.getProperty(HIKARI_LOG_LEVEL) == null) {
      System.setProperty(HIKARI_LOG_LEVEL, "warn");
    }
    int code = new CommandLine(new Main()).execute(args.length > 0 && args[0].equals("serve") ? Arrays.copyOfRange(args, 1, args.length) : args);
    System.exit(code); // after serve: the daemon has stopped, whatever threads a library left behind
  }

  @Override
  public Integer call() throws Exception {
    Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".pilotlight");
    Path runner = runnerJar();
    PackageLimits limits = new PackageLimits(maxPackageMb * 1024L * 1024L, maxUnpackedMb * 1024L * 1024L, PackageLimits.defaults().maxEntries());
    DaemonConfig config = DaemonConfig.builder(data.toAbsolutePath(), runner).host(host).port(port).limits(limits).maxQueue(maxQueue)
        .pool(new WarmPool.Settings(poolSize, Math.max(poolSize, poolSize == 0 ? 0 : poolMax)))
        .async(AsyncDispatcher.Settings.defaults()
            .withRetryDelay(FunctionSettings.RETRY_DELAY.parse(FunctionSettings.RETRY_DELAY.daemonFlag(), asyncRetryDelay)))
        .build();
    try {
      config = withSettingFlags(config).withSecurity(new DaemonConfig.Security(!noAuth, Set.copyOf(allowedHosts),
          Set.copyOf(allowedOrigins), tlsCert, tlsKey, requireSandbox)).withKeepRevisions(keepRevisions);
      String keyFromEnv = System.getenv("PILOTLIGHT_SECRETS_KEY");
      Path key = secretsKey != null ? secretsKey : keyFromEnv != null && !keyFromEnv.isBlank() ? Path.of(keyFromEnv) : null;
      config = config.withSecretsKey(key == null ? null : key.toAbsolutePath());
      config = config.toBuilder().metricsHistory(switch (metricsHistory) {
        case "on" -> true;
        case "off" -> false;
        default -> throw new IllegalArgumentException("--metrics-history: '" + metricsHistory + "' (expected: on or off)");
      }).build();
      config = config.toBuilder().shared(shared()).build();
    } catch (Failure.InvalidInput | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    Duration drain;
    try {
      drain = drainTimeout();
    } catch (Failure.InvalidInput e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    Daemon daemon;
    try {
      daemon = Wiring.start(config);
    } catch (Exception e) { // Netty rethrows a BindException undeclared
      if (e instanceof BindException || e.getCause() instanceof BindException) {
        System.err.println("error: port " + port + " on " + host + " is already in use (another daemon running?); pick another with --port");
        return 1;
      }
      if (e instanceof IllegalArgumentException) {
        System.err.println("error: " + e.getMessage());
        return 2;
      }
      if (e instanceof dev.pilotlight.store.StoreException) {
        System.err.println("error: " + e.getMessage());
        return 1;
      }
      throw e;
    }
    for (String warning : ExposureWarnings.of(host, config.security())) {
      System.err.println(warning);
    }
    // SIGTERM (Kubernetes stopping the pod) and SIGINT (Ctrl-C): drain, stop, exit 0. Handled here
    // rather than by the JVM's default, which would run the shutdown hooks and exit 143 (128 + 15).
    // A second signal during the drain stops at once (a developer's second Ctrl-C). sun.misc.Signal
    // (module jdk.unsupported) is the JDK's only way to take a signal; javac warns that it is internal.
    CountDownLatch signalled = new CountDownLatch(1);
    for (String name : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
        if (signalled.getCount() == 0) {
          // At once, but nothing it started outlives it: an http app needs no daemon to keep running.
          // SIGKILL reaches a sandbox's namespace init too, which ends everything in the sandbox.
          ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
          Runtime.getRuntime().halt(128 + s.getNumber());
        }
        signalled.countDown();
      });
    }
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable stop = () -> {
      if (stopped.compareAndSet(false, true)) {
        daemon.drain(drain);
        daemon.close();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(stop)); // any other way out of the JVM
    if (config.criu().equals("off")) {
      System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO, "pilotlight: snapshot restore unavailable: turned off (--criu off)");
    }
    System.out.println("pilotlight: serving on " + (config.security().tls() ? "https" : "http") + "://" + host + ":" + daemon.port() + " (data in " + data + ")");
    System.out.flush();
    signalled.await();
    stop.run();
    return 0;
  }

  /** {@code --database} (or {@code $PILOTLIGHT_DATABASE}) and this daemon's node id; null without a database. */
  private DaemonConfig.Shared shared() {
    String url = database != null ? database : blankToNull(System.getenv("PILOTLIGHT_DATABASE"));
    if (url == null) {
      if (nodeId != null || advertise != null) {
        throw new IllegalArgumentException((nodeId != null ? "--node-id" : "--advertise") + ": is for a daemon among those sharing a "
            + "--database, and none is given");
      }
      return null;
    }
    dev.pilotlight.store.PostgresDatabase.checkUrl(url); // a bad URL is a usage error, before anything starts
    String node = nodeId != null ? nodeId : blankToNull(System.getenv("PILOTLIGHT_NODE_ID"));
    if (node == null) {
      node = blankToNull(System.getenv("HOSTNAME")); // a Kubernetes pod's name
    }
    if (node == null) {
      try {
        node = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("--node-id: not given and this machine's host name is unknown (" + e.getMessage() + ")");
      }
    }
    String address = advertise != null ? advertise : blankToNull(System.getenv("PILOTLIGHT_ADVERTISE"));
    return new DaemonConfig.Shared(url, node, address);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** {@code --drain-timeout}, checked: 0s to 1h. */
  Duration drainTimeout() {
    Duration d = Durations.parse("--drain-timeout", drainTimeout);
    if (d.compareTo(Duration.ofHours(1)) > 0) {
      throw new Failure.InvalidInput("--drain-timeout: '" + drainTimeout + "' (expected: 0s to 1h)");
    }
    return d;
  }

  private Duration keepAliveBudget() {
    Duration d = Durations.parse("--keep-alive-budget", keepAliveBudget);
    if (d.compareTo(Duration.ofHours(4)) > 0) {
      throw new Failure.InvalidInput("--keep-alive-budget: '" + keepAliveBudget + "' (expected: 0s to 4h, the learned keep-alive's range)");
    }
    return d;
  }

  /** {@code config} with the flags that set functions' defaults, the memory budget and CRIU. */
  DaemonConfig withSettingFlags(DaemonConfig config) {
    return config.withScaling(scaling()).withMemoryBudgetMb(memoryBudgetMb != null ? memoryBudgetMb : DaemonConfig.defaultMemoryBudgetMb())
        .withKeepAlive(FunctionSettings.KEEP_ALIVE.parse(FunctionSettings.KEEP_ALIVE.daemonFlag(), keepAlive))
        .withKeepAliveBudget(keepAliveBudget())
        .withCriu(criu != null ? criu : System.getenv().getOrDefault("PILOTLIGHT_CRIU", "auto"));
  }

  /**
   * The flags of the declared scaling settings ({@link Setting#daemonFlag()}) as the daemon's
   * settings; each error names the flag.
   */
  private ScalingSettings scaling() {
    ScalingSettings.Builder daemon = ScalingSettings.builder();
    for (Setting<?> s : FunctionSettings.SCALING) {
      Object value = s.daemonFlag() == null ? null : spec.findOption(s.daemonFlag()).getValue();
      if (value != null) {
        setParsed(daemon, s, value instanceof String text ? s.parse(s.daemonFlag(), text) : value);
      }
    }
    return daemon.build();
  }

  @SuppressWarnings("unchecked")
  private static <T> void setParsed(ScalingSettings.Builder daemon, Setting<T> s, Object value) {
    s.set(daemon, (T) value);
  }

  private static Path runnerJar() {
    String explicit = System.getProperty("pilotlight.runner.jar");
    if (explicit != null) {
      return Path.of(explicit).toAbsolutePath();
    }
    String home = System.getProperty("pilotlight.home");
    if (home != null) {
      Path p = Path.of(home, "runtimes", "pilotlight-java-runner.jar");
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException("cannot find pilotlight-java-runner.jar: start the daemon with bin/pilotlight serve "
        + "(or set -Dpilotlight.runner.jar=PATH)");
  }
}
