package dev.pilotlight.cli;

import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.KeepAlive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deploy PATH}: packages a directory, jar or zip with its manifest and uploads it. */
@Command(name = "deploy",
    description = "Deploy a function from a directory (with or without pilotlight.yaml), a .jar or a .zip."
        + " Flags override the manifest.")
final class DeployCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "PATH", description = "Directory, .jar or .zip to deploy.")
  Path path;

  @Option(names = "--name", description = "Function name (default: the manifest's, else the file or directory name).")
  String name;

  @Option(names = "--runtime", description = "Runtime: java (java17, java21, java25), python (python3.x), node (nodejs20.x…), provided (provided.al2023) or http.")
  String runtime;

  @ArgGroup(exclusive = true)
  Entry entry;

  static final class Entry {
    @Option(names = "--handler", description = "Handler of a Lambda-style function: example.Hello::handleRequest (java), app.handler (python), index.handler (node).")
    String handler;

    @Option(names = "--command", description = "Command serving HTTP on $PORT (runtime http).")
    String command;
  }

  @Option(names = "--memory", paramLabel = "MB", description = "Memory per instance in MB.")
  Integer memory;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "Longest time one request may take, e.g. 30s.")
  String timeout;

  @Option(names = "--concurrency", paramLabel = "N", description = "Requests one instance serves at once.")
  Integer concurrency;

  @Option(names = "--min-instances", paramLabel = "N", description = "Instances kept up while idle.")
  Integer minInstances;

  @Option(names = "--max-instances", paramLabel = "N", description = "Most instances at once.")
  Integer maxInstances;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Idle time after which an instance stops, e.g. 5m.")
  String idleTimeout;

  @Option(names = "--max-event-age", paramLabel = "DURATION",
      description = "Event invocations not run successfully within this long are recorded as failed, e.g. 1h (default 6h).")
  String maxEventAge;

  @Option(names = "--max-retries", paramLabel = "N", description = "Retries of an Event invocation after a function error, 0..2 (default 2).")
  Integer maxRetries;

  @Option(names = "--retry-delay", paramLabel = "DURATION",
      description = "Wait before the first retry of an Event invocation, doubled for the second (default: the daemon's, 1m).")
  String retryDelay;

  @Option(names = "--target-utilization", paramLabel = "SHARE",
      description = "Share of --concurrency the autoscaler aims to keep busy per instance, 0.01 to 1 (default: the daemon's, 0.7).")
  Double targetUtilization;

  @Option(names = "--stable-window", paramLabel = "DURATION",
      description = "Concurrency is averaged over this long for ordinary scaling decisions (default: the daemon's, 60s).")
  String stableWindow;

  @Option(names = "--scale-down-delay", paramLabel = "DURATION",
      description = "The autoscaler never scales below what the busiest second of this last stretch needed; 0s: off (default: the daemon's, 60s).")
  String scaleDownDelay;

  @Option(names = "--panic-window", paramLabel = "DURATION",
      description = "and over this long to detect a burst (default: the daemon's, 6s).")
  String panicWindow;

  @Option(names = "--panic-threshold", paramLabel = "FACTOR",
      description = "Panic (scale on the panic window, never down) at this multiple of what the ready instances carry at target (default: the daemon's, 2).")
  Double panicThreshold;

  @Option(names = "--max-scale-up-rate", paramLabel = "FACTOR",
      description = "One scaling decision grows the instances to at most this multiple of the ready ones (default: the daemon's, 1000).")
  Double maxScaleUpRate;

  @Option(names = "--max-scale-down-rate", paramLabel = "FACTOR",
      description = "and shrinks them to no less than the ready ones divided by this (default: the daemon's, 2).")
  Double maxScaleDownRate;

  @Option(names = "--max-queue", paramLabel = "N",
      description = "Requests that may wait for an instance; one more is answered 429 (default: the daemon's, 1000).")
  Integer maxQueue;

  @Option(names = "--max-queue-wait", paramLabel = "DURATION",
      description = "How long a request may wait for an instance, then 429 (default: the daemon's, else the timeout and at least 10s).")
  String maxQueueWait;

  @Option(names = "--keep-alive", paramLabel = "histogram|fixed|off",
      description = "Idle instances: histogram (learned from the function's idle times: stopped early, pre-warmed before the next call), "
          + "fixed (kept for --idle-timeout) or off (stopped at once) (default: the daemon's, histogram).")
  String keepAlive;

  @Option(names = "--readiness-path", paramLabel = "PATH",
      description = "Runtime http: GET this path until any HTTP answer before a new instance takes requests; AOT training requests it too (default /).")
  String readinessPath;

  @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Environment variable, merged over the manifest's env (repeatable).")
  List<String> env = new ArrayList<>();

  @Option(names = "--json", description = "Print the daemon's answer as JSON.")
  boolean json;

  DeployCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() throws Exception {
    Deployer.Deployed deployed = Deployer.deploy(client(), path, overrides());
    ctx.out().println(json ? Json.pretty(deployed.function()) : deployed.summary());
    return 0;
  }

  ManifestOverrides overrides() {
    return new ManifestOverrides(name, runtime,
        entry == null ? null : entry.handler, entry == null ? null : entry.command,
        memory, duration("--timeout", timeout), concurrency, minInstances, maxInstances,
        duration("--idle-timeout", idleTimeout), parseEnv(env),
        duration("--max-event-age", maxEventAge), maxRetries, duration("--retry-delay", retryDelay),
        targetUtilization, duration("--stable-window", stableWindow), duration("--panic-window", panicWindow), panicThreshold,
        maxScaleUpRate, maxScaleDownRate, maxQueue, duration("--max-queue-wait", maxQueueWait), keepAlive(keepAlive),
        readinessPath, duration("--scale-down-delay", scaleDownDelay));
  }

  /** Checks {@code --keep-alive} here, for a fast error. */
  private static String keepAlive(String value) {
    if (value == null) {
      return null;
    }
    try {
      return KeepAlive.parse("--keep-alive", value).id();
    } catch (Failure.InvalidInput e) {
      throw new CliFailure.Usage(e.getMessage());
    }
  }

  /** Checks a duration flag here, for a fast error; the manifest keeps the text the user wrote. */
  private static String duration(String flag, String value) {
    if (value == null) {
      return null;
    }
    try {
      Durations.parse(flag, value);
      return value;
    } catch (Failure.InvalidInput e) {
      throw new CliFailure.Usage(e.getMessage());
    }
  }

  static Map<String, String> parseEnv(List<String> pairs) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CliFailure.Usage("--env '" + pair + "' (expected: KEY=VALUE, e.g. --env LOG_LEVEL=debug)");
      }
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return env;
  }
}
