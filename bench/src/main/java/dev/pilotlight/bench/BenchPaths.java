package dev.pilotlight.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the benchmark finds what it runs: the repository root (examples, {@code bin/pilotlight}),
 * the built distribution (runtimes) and the JDK that baselines are started with.
 *
 * @param root repository root, from system property {@code pilotlight.root}
 * @param home the built distribution {@code dist/target/pilotlight}, from {@code pilotlight.home}
 * @param javaHome {@code $JAVA_HOME}, else the running JVM's home
 */
record BenchPaths(Path root, Path home, Path javaHome) {

  BenchPaths {
    if (!Files.isExecutable(root.resolve("bin/pilotlight"))) {
      throw new BenchFailure("pilotlight.root=" + root + " (expected: the repository root, holding bin/pilotlight);"
          + " run the benchmarks as: bin/pilotlight bench …");
    }
    if (!Files.isDirectory(home)) {
      throw new BenchFailure("pilotlight.home=" + home + " (expected: the built distribution, dist/target/pilotlight)");
    }
  }

  /** From the system properties the launcher sets and the environment. */
  static BenchPaths fromSystem(Map<String, String> env) {
    String root = System.getProperty("pilotlight.root");
    String home = System.getProperty("pilotlight.home");
    if (root == null || home == null) {
      throw new BenchFailure("system properties pilotlight.root and pilotlight.home are not set;"
          + " run the benchmarks as: bin/pilotlight bench …");
    }
    String javaHome = env.getOrDefault("JAVA_HOME", "");
    return new BenchPaths(Path.of(root), Path.of(home), Path.of(javaHome.isBlank() ? System.getProperty("java.home") : javaHome));
  }

  Path launcher() {
    return root.resolve("bin/pilotlight");
  }

  Path java() {
    return javaHome.resolve("bin/java");
  }

  Path javaRunnerJar() {
    return home.resolve("runtimes/pilotlight-java-runner.jar");
  }

  Path example(String name) {
    return root.resolve("examples").resolve(name);
  }
}
