package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which command starts a Lambda-style instance of each runtime, and which directory it reports as
 * {@code LAMBDA_RUNTIME_DIR}: the one place that knows how runtimes are launched. Reads the file
 * system (is the bootstrap there?) but starts nothing.
 */
final class LambdaCommands {
  private LambdaCommands() {}

  /**
   * The command line of a plain launch of {@code d}, run in its code directory.
   *
   * @throws Failure.InstanceFailed when the runtime cannot be started here (no interpreter, no
   *     bootstrap), saying what is missing
   */
  static List<String> command(Deployment d, ExecutorConfig config) {
    return switch (d.spec().runtime()) {
      case JAVA, PYTHON, NODE -> interpreterCommand(d.spec().runtime(), d.spec().memoryMb(), config);
      case PROVIDED -> List.of(providedBootstrap(d).toString());
      case HTTP -> throw new IllegalArgumentException("runtime http is not Lambda-style: it has no Runtime API command");
    };
  }

  /**
   * The command line of a runtime that Pilotlight hosts itself ({@code java}, {@code python},
   * {@code node}): it depends on the runtime and the memory size only, never on the function's
   * code, which is why a warm pool can start it before any function is known (PoolProcesses).
   *
   * @throws Failure.InstanceFailed as {@link #command}
   */
  static List<String> interpreterCommand(Runtime runtime, int memoryMb, ExecutorConfig config) {
    return switch (runtime) {
      case JAVA -> java(memoryMb, config);
      case PYTHON -> List.of(
          interpreter(config.python(), "python", "python3", "PILOTLIGHT_PYTHON"),
          "-u", // unbuffered: each line reaches the log as it is printed
          bootstrap(config, "python/bootstrap.py"));
      case NODE -> List.of(
          interpreter(config.node(), "node", "node", "PILOTLIGHT_NODE"),
          // The heap follows memory, as -Xmx does for java (AWS sizes Node's heap from memory too).
          "--max-old-space-size=" + Math.max(16, memoryMb * 9 / 10),
          bootstrap(config, "node/bootstrap.js"));
      case PROVIDED, HTTP -> throw new IllegalArgumentException("runtime " + runtime.id() + ": the command is the package's own");
    };
  }

  /**
   * What runs each runtime family here, for the daemon's report ({@code /healthz}, the start log):
   * every {@code java*} identifier on this JDK, every {@code python3.*} on the one python found,
   * every {@code nodejs*} on the one node found.
   */
  static String describe(ExecutorConfig config) {
    return "java8.al2…java25 on " + config.javaHome().resolve("bin/java") + "; python3.x on "
        + (config.python() == null ? "none found" : config.python()) + "; nodejs*.x on "
        + (config.node() == null ? "none found" : config.node()) + "; provided* on the package's bootstrap";
  }

  /**
   * Whether {@link #interpreterCommand} depends on the memory size (a heap limit fixed when the
   * process starts): true for java ({@code -Xmx}) and node ({@code --max-old-space-size}), false
   * for python, which has no such flag. Processes started for different sizes are interchangeable
   * exactly when this is false.
   */
  static boolean memoryFixedAtStart(Runtime runtime) {
    return runtime == Runtime.JAVA || runtime == Runtime.NODE;
  }

  /** {@code LAMBDA_RUNTIME_DIR}: where the runtime's own files are. */
  static Path runtimeDir(Deployment d, ExecutorConfig config) {
    return switch (d.spec().runtime()) {
      case JAVA -> config.runnerJar().getParent();
      case PYTHON -> config.runtimesDir().resolve("python");
      case NODE -> config.runtimesDir().resolve("node");
      case PROVIDED, HTTP -> config.runtimesDir();
    };
  }

  /** {@code cmd} with the JVM options {@code from} (as java() put them) replaced by {@code to}. */
  static List<String> withJavaOptions(List<String> cmd, List<String> from, List<String> to) {
    List<String> out = new ArrayList<>(cmd.subList(0, 1));
    out.addAll(to);
    out.addAll(cmd.subList(1 + from.size(), cmd.size()));
    return out;
  }

  private static List<String> java(int memoryMb, ExecutorConfig config) {
    List<String> cmd = new ArrayList<>();
    cmd.add(config.javaHome().resolve("bin/java").toString());
    cmd.addAll(config.javaOptions());
    cmd.add("-Xmx" + memoryMb + "m");
    cmd.add("-cp");
    cmd.add(config.runnerJar().toString());
    cmd.add("dev.pilotlight.runner.Main");
    return cmd;
  }

  private static String interpreter(Path configured, String runtime, String command, String setting) {
    if (configured == null) {
      throw new Failure.InstanceFailed(runtime + " runtime: no " + command + " on the daemon's PATH (install it, or set "
          + setting + " to its path before starting the daemon)");
    }
    return configured.toString();
  }

  private static String bootstrap(ExecutorConfig config, String relative) {
    Path file = config.runtimesDir().resolve(relative);
    if (!Files.isRegularFile(file)) {
      throw new Failure.InstanceFailed(file + " is missing (the runtimes directory is incomplete; rebuild with ./mvnw package)");
    }
    return file.toString();
  }

  private static Path providedBootstrap(Deployment d) {
    Path bootstrap = d.codeDir().resolve("bootstrap");
    if (!Files.isRegularFile(bootstrap) || !Files.isExecutable(bootstrap)) {
      throw new Failure.InstanceFailed("provided runtime: the package has no executable bootstrap at its root");
    }
    return bootstrap;
  }
}
