package dev.pilotlight.executor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
 */
public record ExecutorConfig(Path javaHome, Path runnerJar, List<String> javaOptions, Duration stopGrace, String region) {
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
  }

  public static ExecutorConfig defaults(Path javaHome, Path runnerJar) {
    return new ExecutorConfig(javaHome, runnerJar, DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2), "us-east-1");
  }
}
