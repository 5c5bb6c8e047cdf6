package dev.pilotlight.server;

import dev.pilotlight.store.PackageLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pilotlight serve}: parses options, starts the daemon, waits for a signal. */
@Command(name = "pilotlight serve", mixinStandardHelpOptions = true,
    description = "Runs the Pilotlight daemon: function URLs, the APIs, /healthz and /metrics on one port.")
public final class Main implements Callable<Integer> {
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

  @Option(names = "--pool-size", description = "Pre-started Java runners kept per heap size (default: ${DEFAULT-VALUE}; 0 turns the warm pool off).", defaultValue = "1")
  int poolSize;

  @Option(names = "--pool-max", description = "Most pre-started Java runners per heap size under demand (default: ${DEFAULT-VALUE}).", defaultValue = "4")
  int poolMax;

  @Option(names = "--async-retry-delay", paramLabel = "DURATION", description = "Wait before the first retry of a failed Event "
      + "invocation, doubled for the second, unless the function sets retryDelay (default: ${DEFAULT-VALUE}, as Lambda).", defaultValue = "1m")
  String asyncRetryDelay;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args.length > 0 && args[0].equals("serve") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".pilotlight");
    Path runner = runnerJar();
    PackageLimits limits = new PackageLimits(maxPackageMb * 1024L * 1024L, maxUnpackedMb * 1024L * 1024L, PackageLimits.defaults().maxEntries());
    DaemonConfig config = new DaemonConfig(host, port, data.toAbsolutePath(), runner, limits, maxQueue, java.time.Duration.ofSeconds(1),
        new dev.pilotlight.executor.WarmPool.Settings(poolSize, Math.max(poolSize, poolSize == 0 ? 0 : poolMax)),
        dev.pilotlight.gateway.async.AsyncDispatcher.Settings.defaults()
            .withRetryDelay(dev.pilotlight.model.Durations.parse("--async-retry-delay", asyncRetryDelay)));
    Daemon daemon;
    try {
      daemon = Wiring.start(config);
    } catch (Exception e) { // Netty rethrows a BindException undeclared
      if (e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException) {
        System.err.println("error: port " + port + " on " + host + " is already in use (another daemon running?); pick another with --port");
        return 1;
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      daemon.close();
      stopped.countDown();
    }));
    System.out.println("pilotlight: serving on http://" + host + ":" + daemon.port() + " (data in " + data + ")");
    System.out.flush();
    stopped.await();
    return 0;
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
