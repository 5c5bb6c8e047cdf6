package dev.pilotlight.model;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a user asked for when deploying a function: everything in {@code pilotlight.yaml} after
 * flags were applied. Immutable and validated on construction; every error names the key, the
 * value and what is allowed.
 *
 * @param name function name, {@code [a-z0-9][a-z0-9-]{0,62}}
 * @param runtime how instances are hosted
 * @param handler {@code pkg.Class::method} for Lambda-style runtimes; null for {@code http}
 * @param command shell command for {@code http} (run with {@code sh -c} in the package directory)
 * @param memoryMb memory per instance in MB (default {@value #DEFAULT_MEMORY_MB}); the JVM heap limit for java
 * @param timeout maximum time for one request (default 30 s)
 * @param concurrency requests one instance serves at once (default 1, as on Lambda)
 * @param minInstances instances kept up even when idle (default 0: scale to zero)
 * @param maxInstances most instances at once (default {@value #DEFAULT_MAX_INSTANCES})
 * @param idleTimeout an instance with no requests for this long is stopped (default 5 min)
 * @param env environment variables given to every instance
 */
public record FunctionSpec(
    String name,
    Runtime runtime,
    String handler,
    String command,
    int memoryMb,
    Duration timeout,
    int concurrency,
    int minInstances,
    int maxInstances,
    Duration idleTimeout,
    Map<String, String> env) {

  public static final int DEFAULT_MEMORY_MB = 256;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_CONCURRENCY = 1;
  public static final int DEFAULT_MAX_INSTANCES = 10;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern HANDLER = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*(::[A-Za-z_$][\\w$]*)?");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public FunctionSpec {
    validateName(name);
    if (runtime == null) {
      throw new Failure.InvalidInput("runtime is missing (expected one of: " + Runtime.accepted() + ")");
    }
    if (runtime.lambdaStyle()) {
      if (handler == null || handler.isBlank()) {
        throw new Failure.InvalidInput("handler is missing (runtime " + runtime + " needs a handler such as com.example.Hello::handleRequest)");
      }
      if (!HANDLER.matcher(handler).matches()) {
        throw new Failure.InvalidInput("handler: '" + handler + "' (expected: package.Class or package.Class::method)");
      }
    } else if (command == null || command.isBlank()) {
      throw new Failure.InvalidInput("command is missing (runtime http needs a command that serves HTTP on $PORT)");
    }
    check("memory", memoryMb, 64, 65_536);
    check("concurrency", concurrency, 1, 1000);
    check("minInstances", minInstances, 0, 1000);
    check("maxInstances", maxInstances, 1, 1000);
    if (minInstances > maxInstances) {
      throw new Failure.InvalidInput("minInstances: " + minInstances + " (expected: <= maxInstances " + maxInstances + ")");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
      throw new Failure.InvalidInput("timeout: " + timeout + " (expected: between 1ms and 15m)");
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.compareTo(Duration.ofDays(7)) > 0) {
      throw new Failure.InvalidInput("idleTimeout: " + idleTimeout + " (expected: between 0s and 7d)");
    }
    env = env == null ? Map.of() : new TreeMap<>(env);
    for (var e : env.entrySet()) {
      if (!ENV_KEY.matcher(e.getKey()).matches()) {
        throw new Failure.InvalidInput("env: key '" + e.getKey() + "' (expected: [A-Za-z_][A-Za-z0-9_]*)");
      }
      if (e.getValue() == null) {
        throw new Failure.InvalidInput("env: key '" + e.getKey() + "' has no value");
      }
    }
    env = java.util.Collections.unmodifiableMap(env);
  }

  /** A spec with every optional setting at its default. */
  public static FunctionSpec of(String name, Runtime runtime, String handler, String command) {
    return new FunctionSpec(name, runtime, handler, command, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT,
        DEFAULT_CONCURRENCY, 0, DEFAULT_MAX_INSTANCES, DEFAULT_IDLE_TIMEOUT, Map.of());
  }

  /** Checks a function name, throwing {@link Failure.InvalidInput} that states the rule. */
  public static String validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new Failure.InvalidInput("name: '" + name + "' is not a valid function name (expected: [a-z0-9][a-z0-9-]{0,62}, e.g. hello-java)");
    }
    return name;
  }

  private static void check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new Failure.InvalidInput(key + ": " + value + " (expected: " + min + ".." + max + ")");
    }
  }
}
