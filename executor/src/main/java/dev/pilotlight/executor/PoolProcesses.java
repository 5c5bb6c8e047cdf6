package dev.pilotlight.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How pool JVMs are started: like a plain java instance, minus anything function-specific. */
final class PoolProcesses {
  /** Lets the runner write the function's environment into the JDK's map (see PoolStandby). */
  static final List<String> ADD_OPENS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED");

  private PoolProcesses() {}

  static List<String> command(ExecutorConfig config, int memoryMb, Path aotCache) {
    List<String> cmd = new ArrayList<>();
    cmd.add(config.javaHome().resolve("bin/java").toString());
    cmd.addAll(aotCache == null ? config.javaOptions() : AotCaches.options(config.javaOptions(), aotCache));
    cmd.addAll(ADD_OPENS);
    cmd.add("-Xmx" + memoryMb + "m");
    cmd.add("-cp");
    cmd.add(config.runnerJar().toString());
    cmd.add("dev.pilotlight.runner.Main");
    return cmd;
  }

  /** Starts a pool JVM; with {@code layerJars} it pre-loads those libraries (the runner's LibraryLayer). */
  static Process start(ExecutorConfig config, int memoryMb, List<Path> layerJars, Path workDir, Path aotCache) throws IOException {
    Files.createDirectories(workDir);
    ProcessBuilder pb = new ProcessBuilder(command(config, memoryMb, aotCache)).directory(workDir.toFile());
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
