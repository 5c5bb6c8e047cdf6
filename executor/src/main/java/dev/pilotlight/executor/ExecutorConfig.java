package dev.pilotlight.executor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the executor launches instances.
 *
 * @param javaHome the JDK that runs Java instances; its {@code bin} is also put first on the
 *     {@code PATH} of {@code http} instances, so {@code java} in a command means this JDK
 * @param runnerJar Pilotlight's Java runner ({@code pilotlight-java-runner.jar})
 * @param javaOptions JVM options for Java instances, before the heap limit; default C1 only and
 *     SerialGC, which start fastest on small machines (see docs/performance.md)
 * @param stopGrace how long a stopping instance gets after SIGTERM before SIGKILL (default 2 s)
 * @param region the value of {@code AWS_REGION} inside instances (default us-east-1)
 * @param runtimesDir the assembled runtimes ({@code python/bootstrap.py}, {@code node/bootstrap.js});
 *     default: the runner jar's directory, {@code dist/target/pilotlight/runtimes}
 * @param python the interpreter of {@code python} instances, or null when there is none (launches
 *     then fail saying so); default {@code $PILOTLIGHT_PYTHON}, else {@code python3} on the PATH
 * @param node the {@code node} binary of {@code node} instances, or null when there is none;
 *     default {@code $PILOTLIGHT_NODE}, else {@code node} on the PATH
 */
public record ExecutorConfig(Path javaHome, Path runnerJar, List<String> javaOptions, Duration stopGrace, String region,
    Path runtimesDir, Path python, Path node) {
  public static final List<String> DEFAULT_JAVA_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto");

  public ExecutorConfig {
    if (javaHome == null || !Files.isExecutable(javaHome.resolve("bin/java"))) {
      throw new IllegalArgumentException("javaHome: " + javaHome + " (expected: a JDK with bin/java)");
    }
    if (runnerJar == null) {
      throw new IllegalArgumentException("runnerJar: null (expected: path of pilotlight-java-runner.jar)");
    }
    javaOptions = List.copyOf(javaOptions);
    if (stopGrace == null || stopGrace.isNegative()) {
      throw new IllegalArgumentException("stopGrace: " + stopGrace + " (expected: >= 0)");
    }
    if (runtimesDir == null) {
      throw new IllegalArgumentException("runtimesDir: null (expected: the directory holding python/ and node/ bootstraps)");
    }
  }

  /** Without interpreters: the runtimes next to the runner jar, no python and no node. */
  public ExecutorConfig(Path javaHome, Path runnerJar, List<String> javaOptions, Duration stopGrace, String region) {
    this(javaHome, runnerJar, javaOptions, stopGrace, region, runtimesDirOf(runnerJar), null, null);
  }

  /** The defaults, with python and node found as described on {@link ExecutorConfig} (from the daemon's environment). */
  public static ExecutorConfig defaults(Path javaHome, Path runnerJar) {
    Map<String, String> env = System.getenv();
    return new ExecutorConfig(javaHome, runnerJar, DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2), "us-east-1",
        runtimesDirOf(runnerJar), Interpreters.python(env), Interpreters.node(env));
  }

  private static Path runtimesDirOf(Path runnerJar) {
    Path parent = runnerJar == null ? null : runnerJar.toAbsolutePath().getParent();
    return parent != null ? parent : Path.of(".").toAbsolutePath();
  }
}
