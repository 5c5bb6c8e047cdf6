package dev.pilotlight.executor;

import dev.pilotlight.model.Runtime;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  /** Where a layered pool JVM logs the classes it initialises (see classInitLog). */
  private static final String CLASS_INIT_LOG = "classinit-%p.log";

  /**
   * The plain launch's command; for java with the pool runners' AOT cache (or none) and
   * {@link #ADD_OPENS} in place of the plain JVM options. With {@code classInitLogDir} (java with a
   * library layer), the JVM logs every class it initialises to {@link #classInitLog}: what the
   * function's calls initialise in the layer's libraries is added to the layer's initialisation
   * list when the instance ends (LibraryLayers.recordInitialised).
   *
   * @throws dev.pilotlight.model.Failure.InstanceFailed when the runtime cannot be started here
   */
  static List<String> command(ExecutorConfig config, Runtime runtime, int memoryMb, Path aotCache, Path classInitLogDir) {
    List<String> plain = LambdaCommands.interpreterCommand(runtime, memoryMb, config);
    if (runtime != Runtime.JAVA) {
      return plain;
    }
    List<String> options = new ArrayList<>(aotCache == null ? config.javaOptions() : AotCaches.options(config.javaOptions(), aotCache));
    if (classInitLogDir != null) {
      options.add("-Xlog:class+init=info:file=" + classInitLogDir.resolve(CLASS_INIT_LOG) + ":none:filecount=0");
    }
    options.addAll(ADD_OPENS);
    return LambdaCommands.withJavaOptions(plain, config.javaOptions(), options);
  }

  static List<String> command(ExecutorConfig config, Runtime runtime, int memoryMb, Path aotCache) {
    return command(config, runtime, memoryMb, aotCache, null);
  }

  /**
   * Starts a pool process; with a {@code layer} (java only) it pre-loads those libraries and
   * initialises the classes on the layer's initialisation list (the runner's LibraryLayer).
   */
  static Process start(ExecutorConfig config, Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Path workDir, Path aotCache)
      throws IOException {
    return start(config, runtime, memoryMb, layer, workDir, aotCache, Cgroups.Group.NONE);
  }

  /** The same, the process joining {@code group} before it runs. */
  static Process start(ExecutorConfig config, Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Path workDir, Path aotCache,
      Cgroups.Group group) throws IOException {
    return start(config, runtime, memoryMb, layer, workDir, aotCache, group, Sandbox.Box.NONE);
  }

  /**
   * The same, in {@code box}: its task root stays empty until a function takes the runner, and a
   * layered JVM logs the classes it initialises in the box's own writable directory.
   */
  static Process start(ExecutorConfig config, Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Path workDir, Path aotCache,
      Cgroups.Group group, Sandbox.Box box) throws IOException {
    return start(config, runtime, memoryMb, layer, workDir, aotCache, group, box, PoolRunners.Preload.NONE);
  }

  /**
   * The same, started for the function revision {@code code} (with a layer; see PoolRunners.Preload):
   * its code is at the box's task root from the start (linked in now, as a cold start would), and the
   * runner loads it ahead ({@code PILOTLIGHT_PRELOAD_TASK_ROOT}, {@code PILOTLIGHT_PRELOAD_HANDLER}).
   */
  static Process start(ExecutorConfig config, Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Path workDir, Path aotCache,
      Cgroups.Group group, Sandbox.Box box, PoolRunners.Preload code) throws IOException {
    // The command first: a runtime that cannot start here (no interpreter) fails before anything is written.
    List<String> plain = command(config, runtime, memoryMb, aotCache, layer.hasJars() ? box.writableDir(workDir) : null);
    List<Path> show = new ArrayList<>(Sandbox.pathsNamedIn(plain));
    show.addAll(layer.jars());
    if (layer.initList() != null) {
      show.add(layer.initList());
    }
    if (!box.isNone()) {
      box.secretsDir(); // the function that takes it may have secret files: its mounts are fixed now
    }
    List<String> command = box.wrap(plain, null, show, group);
    Files.createDirectories(workDir);
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(InstanceEnvironment.base(config, box));
    pb.environment().put("PILOTLIGHT_POOL", "1");
    if (!layer.isNone()) {
      StringBuilder jars = new StringBuilder();
      for (Path jar : layer.jars()) {
        jars.append(jars.isEmpty() ? "" : File.pathSeparator).append(jar);
      }
      pb.environment().put("PILOTLIGHT_LAYER", jars.toString());
      pb.environment().put("PILOTLIGHT_LAYER_INIT", layer.initList().toString());
      if (!code.isNone()) {
        box.fill(code.codeDir());
        pb.environment().put("PILOTLIGHT_PRELOAD_TASK_ROOT", box.taskRoot(code.codeDir()));
        pb.environment().put("PILOTLIGHT_PRELOAD_HANDLER", code.handler());
      }
    }
    Process p = pb.start();
    if (!layer.isNone()) {
      // A runner that is taken has its log claimed (renamed) first; an untaken one's log goes with it.
      p.onExit().thenRun(() -> deleteQuietly(classInitLog(workDir, p.pid())));
    }
    return p;
  }

  /**
   * Renames a taken runner's class initialisation log so that it outlives the pool's clean-up; the
   * JVM goes on writing to it. Null if there is none.
   */
  static Path claimClassInitLog(Path workDir, long pid) {
    return claimClassInitLog(workDir, workDir, pid);
  }

  /**
   * The same for a runner that logged in {@code logDir}: its sandbox's own directory, where the
   * JVM named the log by the pid it has in its PID namespace, so the only log there is its own.
   */
  static Path claimClassInitLog(Path logDir, Path workDir, long pid) {
    Path log = classInitLog(logDir, pid);
    if (!logDir.equals(workDir) && !Files.exists(log)) {
      try (var logs = Files.newDirectoryStream(logDir, "classinit-*.log")) {
        var it = logs.iterator();
        log = it.hasNext() ? it.next() : log;
      } catch (IOException e) {
        return null;
      }
    }
    Path claimed = workDir.resolve("classinit-" + pid + "-taken.log");
    try {
      return Files.move(log, claimed, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      return null;
    }
  }

  /** The class initialisation log of the layered pool JVM {@code pid} started in {@code workDir}. */
  static Path classInitLog(Path workDir, long pid) {
    return workDir.resolve(CLASS_INIT_LOG.replace("%p", Long.toString(pid)));
  }

  /** Deletes what a daemon that was killed left behind: logs of pool JVMs that are gone. */
  static void deleteStaleLogs(Path workDir) {
    if (!Files.isDirectory(workDir)) {
      return;
    }
    try (var files = Files.newDirectoryStream(workDir, "classinit-*.log")) {
      for (Path f : files) {
        deleteQuietly(f);
      }
    } catch (IOException ignored) {
      // best effort
    }
  }

  static void deleteQuietly(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
