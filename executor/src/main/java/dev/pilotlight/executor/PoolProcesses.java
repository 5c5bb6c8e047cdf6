package dev.pilotlight.executor;

import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How pool processes are started: with the command of a plain launch ({@link LambdaCommands}),
 * the environment every instance gets and {@code PILOTLIGHT_POOL=1}, in the pool directory. What
 * the runtime then does (warm up, print {@link WarmPool#READY_LINE}, wait for one JSON line of
 * environment on stdin) is the runner's {@code PoolStandby} for java and the standby mode of
 * {@code runtimes/python/bootstrap.py} and {@code runtimes/node/bootstrap.js}.
 */
final class PoolProcesses {
  /** Lets the runner write the function's environment into the JDK's map (see PoolStandby). */
  static final List<String> ADD_OPENS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED");

  private PoolProcesses() {}

  /**
   * The plain launch's command; for java with the pool runners' AOT cache (or none) and
   * {@link #ADD_OPENS} in place of the plain JVM options.
   *
   * @throws dev.pilotlight.model.Failure.InstanceFailed when the runtime cannot be started here
   */
  static List<String> command(ExecutorConfig config, Runtime runtime, int memoryMb, Path aotCache) {
    List<String> plain = LambdaCommands.interpreterCommand(runtime, memoryMb, config);
    if (runtime != Runtime.JAVA) {
      return plain;
    }
    List<String> options = new ArrayList<>(aotCache == null ? config.javaOptions() : AotCaches.options(config.javaOptions(), aotCache));
    options.addAll(ADD_OPENS);
    return LambdaCommands.withJavaOptions(plain, config.javaOptions(), options);
  }

  /**
   * Starts a pool process; with {@code layerJars} (java only) it pre-loads those libraries (the
   * runner's LibraryLayer).
   */
  static Process start(ExecutorConfig config, Runtime runtime, int memoryMb, List<Path> layerJars, Path workDir, Path aotCache)
      throws IOException {
    Files.createDirectories(workDir);
    ProcessBuilder pb = new ProcessBuilder(command(config, runtime, memoryMb, aotCache)).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(InstanceEnvironment.base(config));
    pb.environment().put("PILOTLIGHT_POOL", "1");
    if (!layerJars.isEmpty()) {
      StringBuilder jars = new StringBuilder();
      for (Path jar : layerJars) {
        jars.append(jars.isEmpty() ? "" : java.io.File.pathSeparator).append(jar);
      }
      pb.environment().put("PILOTLIGHT_LAYER", jars.toString());
    }
    return pb.start();
  }
}
