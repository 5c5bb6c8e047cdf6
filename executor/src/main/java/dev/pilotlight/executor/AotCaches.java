package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * JDK 25 AOT caches (JEP 483/514) for Java instances: the "aot" rung of the launch ladder.
 *
 * <p>At deploy time, in the background and one at a time (never blocking the deploy), a training
 * run ({@code dev.pilotlight.runner.Train}: the runner's warm-up and the function's init, never an
 * invocation) writes a cache for that function; every later plain launch of it maps the cache and
 * skips most class loading and linking. A cache is named by a hash of everything it depends on —
 * the code, the handler, the heap size, the runner jar, the JDK and the JVM options — so new code
 * or a new JDK simply means a new cache, and a stale one is never used. Pool JVMs use one generic
 * cache trained on the runner alone.
 */
final class AotCaches implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AotCaches.class.getName());

  static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(60);
  /** The least memory a training's group gets: the training JVM and the JDK's assembly JVM. */
  static final int TRAINING_MIN_MEMORY_MB = 512;
  /** Requests an http app's training run sends after the readiness probe's own. */
  static final int TRAINING_REQUESTS = 2;

  private final ExecutorConfig config;
  private final Path dir;
  private final InstanceLogSink logs;
  /** Where a function's training runs, as its instances do: its code at the same task root, so the cache's paths match. */
  private volatile Sandbox sandbox = Sandbox.NONE;
  /** The groups trainings run in: limits as an instance's, at the lowest CPU weight. */
  private volatile Cgroups cgroups = Cgroups.NONE;
  private final AtomicInteger trainings = new AtomicInteger();
  private final ExecutorService trainer = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("aot-training").factory());

  private final Preparations preparations;

  AotCaches(ExecutorConfig config, Path dir, InstanceLogSink logs) {
    this(config, dir, logs, new Preparations(java.time.InstantSource.system()));
  }

  /** @param preparations told where each training is, for the status view */
  AotCaches(ExecutorConfig config, Path dir, InstanceLogSink logs, Preparations preparations) {
    this.config = config;
    this.dir = dir;
    this.logs = logs;
    this.preparations = preparations;
  }

  /** The JVM options that use {@code cache} instead of the default CDS archive. */
  static List<String> options(List<String> javaOptions, Path cache) {
    List<String> out = new ArrayList<>();
    for (String o : javaOptions) {
      if (!o.startsWith("-Xshare:")) {
        out.add(o);
      }
    }
    out.add("-XX:AOTCache=" + cache);
    // A cache the JVM cannot map (it was deleted meanwhile, say) must not fill the function's log.
    out.add("-Xlog:aot=off");
    out.add("-Xlog:cds=off");
    return out;
  }

  /** The function's cache if it has been trained, else null. */
  Path cacheFor(Deployment d) {
    Path p = functionCache(d);
    return Files.isRegularFile(p) ? p : null;
  }

  /** The runner-only cache for pool JVMs if trained, else null. */
  Path runnerCache() {
    Path p = runnerCachePath();
    return Files.isRegularFile(p) ? p : null;
  }

  /** Named by the pool JVMs' module options too: a cache trained without them (before they were passed to its training) is not taken. */
  private Path runnerCachePath() {
    return dir.resolve("runner-" + key("runner " + PoolProcesses.ADD_OPENS) + ".aot");
  }

  /**
   * Queues a training run for {@code d} unless its cache exists (and {@code evenIfCached} is false).
   * The training JVMs also log which classes they initialise ({@code -Xlog:class+init}, one file
   * per JVM: JDK 25 assembles the cache in a second JVM that inherits the options); those logs are
   * handed to {@code classInitLogs} (on the training thread) before they are deleted.
   */
  void train(Deployment d, boolean evenIfCached, Consumer<List<Path>> classInitLogs) {
    if (d.spec().runtime() != Runtime.JAVA) {
      return;
    }
    if (cacheFor(d) != null && !evenIfCached) {
      preparations.ready(d, Preparations.AOT, "cached");
      return;
    }
    Path target = functionCache(d);
    preparations.queued(d, Preparations.AOT);
    trainer.execute(() -> {
      if (Files.isRegularFile(target) && !evenIfCached) {
        preparations.ready(d, Preparations.AOT, "cached");
        return;
      }
      preparations.running(d, Preparations.AOT);
      long start = System.nanoTime();
      String logPrefix = target.getFileName() + ".init-";
      String failure = null;
      Sandbox.Box box;
      Path logDir;
      try {
        box = sandbox.open(d.spec().ephemeralStorageMb());
        logDir = box.writableDir(dir);
      } catch (IOException e) {
        logs.line(d.name(), "-", null, "AOT cache training failed (plain launches go on without it): no sandbox: " + e.getMessage());
        preparations.failed(d, Preparations.AOT, "no sandbox: " + e.getMessage());
        return;
      }
      List<Path> initLogs = new ArrayList<>();
      try {
        try {
          run(target, d.spec().memoryMb(), List.of(d.codeDir().toString(), d.spec().handler()),
              InstanceEnvironment.build(d, d.name() + "-aot-training", config, box, Map.of()), d.codeDir(), logDir.resolve(logPrefix + "%p.log"),
              box);
        } catch (PreparationFailed e) {
          failure = e.getMessage();
        }
        // The layer's list is recorded before "AOT cache ready" is logged: that line means the training is wholly done.
        try (var files = Files.newDirectoryStream(logDir, logPrefix + "*")) {
          for (Path f : files) {
            // out of the box, which goes now
            initLogs.add(logDir.equals(dir) ? f : Files.move(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING));
          }
        } catch (IOException e) {
          logs.line(d.name(), "-", null, "cannot read the training's class initialisation log: " + e);
        }
      } finally {
        box.close();
      }
      try {
        if (failure == null && !initLogs.isEmpty()) {
          classInitLogs.accept(initLogs);
        }
      } catch (RuntimeException e) {
        logs.line(d.name(), "-", null, "library layer initialisation list not updated: " + e);
      } finally {
        for (Path log : initLogs) {
          try {
            Files.deleteIfExists(log);
          } catch (IOException ignored) {
            // best effort
          }
        }
      }
      String trained = String.format(Locale.ROOT, "trained in %.0f ms", (System.nanoTime() - start) / 1e6);
      logs.line(d.name(), "-", null, failure == null
          ? String.format(Locale.ROOT, "AOT cache ready (revision %d, %s)", d.revision(), trained)
          : "AOT cache training failed (plain launches go on without it): " + failure);
      if (failure == null) {
        preparations.ready(d, Preparations.AOT, trained);
      } else {
        preparations.failed(d, Preparations.AOT, failure);
      }
    });
  }

  /**
   * Queues a training run for an {@code http} app: its command is started as an instance would be,
   * with {@code JAVA_TOOL_OPTIONS=-XX:AOTCacheOutput=…} so any JVM it runs records a cache. Once the
   * app answers its readiness path (as a cold start waits for it), {@value #TRAINING_REQUESTS} more
   * {@code GET}s of that path go through the request path a first request takes; then the app is
   * stopped with SIGTERM and the JVM writes the cache as it exits. An app that is not a JVM writes
   * nothing, which is logged once.
   */
  void trainHttp(Deployment d, int port) {
    if (d.spec().runtime() != Runtime.HTTP) {
      return;
    }
    if (httpCacheFor(d) != null) {
      preparations.ready(d, Preparations.AOT, "cached");
      return;
    }
    Path target = httpCache(d);
    preparations.queued(d, Preparations.AOT);
    trainer.execute(() -> {
      if (Files.isRegularFile(target)) {
        preparations.ready(d, Preparations.AOT, "cached");
        return;
      }
      preparations.running(d, Preparations.AOT);
      long start = System.nanoTime();
      try {
        runHttp(d, target, port);
      } catch (PreparationFailed e) {
        logs.line(d.name(), "-", null, "AOT cache not built (launches go on without it): " + e.getMessage());
        preparations.failed(d, Preparations.AOT, e.getMessage());
        return;
      }
      String trained = String.format(Locale.ROOT, "trained in %.0f ms", (System.nanoTime() - start) / 1e6);
      logs.line(d.name(), "-", null, String.format(Locale.ROOT, "AOT cache ready (revision %d, %s)", d.revision(), trained));
      preparations.ready(d, Preparations.AOT, trained);
    });
  }

  /**
   * Runs the trainings of functions' code in {@code s} from now on, each in a box of its own: the
   * training runs the function's code, and the cache records the paths it saw, which must be the
   * ones its instances see.
   */
  void limitTrainings(Cgroups c) {
    this.cgroups = c;
  }

  /**
   * A group for one training: a training runs the function's code (its handler, or its app's
   * command) and the JDK's assembly of the cache after it, so it gets limits as an instance does —
   * memory for the two JVMs (twice the function's, at least {@value #TRAINING_MIN_MEMORY_MB} MB), the
   * process cap — and the lowest CPU weight for all of it: a cache only speeds up later cold starts,
   * so it never takes the CPU from an instance booting or serving now.
   */
  private Cgroups.Group trainingGroup(int memoryMb) throws PreparationFailed {
    try {
      return cgroups.create("train-" + trainings.incrementAndGet(), Math.max(2 * memoryMb, TRAINING_MIN_MEMORY_MB), true);
    } catch (IOException | RuntimeException e) {
      throw new PreparationFailed("no cgroup for the training: " + e.getMessage());
    }
  }

  void sandboxTrainings(Sandbox s) {
    this.sandbox = s;
  }

  /** Runs {@code job} on the training thread after the trainings queued so far (one heavy job at a time). */
  void afterTrainings(Runnable job) {
    trainer.execute(job);
  }

  /** The app's cache if it has been trained, else null. */
  Path httpCacheFor(Deployment d) {
    Path p = httpCache(d);
    return Files.isRegularFile(p) ? p : null;
  }

  /** The {@code JAVA_TOOL_OPTIONS} value that makes the app's JVM use {@code cache}. */
  static String toolOptions(Deployment d, Path cache) {
    String own = d.spec().env().getOrDefault("JAVA_TOOL_OPTIONS", "");
    return (own.isBlank() ? "" : own + " ") + "-XX:AOTCache=" + cache + " -Xlog:aot=off -Xlog:cds=off";
  }

  /** Runs an http app's training, or says why it made no cache. */
  private void runHttp(Deployment d, Path target, int port) throws PreparationFailed {
    Sandbox.Box box;
    Path tmp;
    try {
      box = sandbox.open(d.spec().ephemeralStorageMb());
      tmp = box.writableDir(dir).resolve(target.getFileName() + ".tmp");
    } catch (IOException e) {
      throw new PreparationFailed("no sandbox for the training: " + e.getMessage());
    }
    Cgroups.Group group;
    try {
      group = trainingGroup(d.spec().memoryMb());
    } catch (PreparationFailed e) {
      box.close();
      throw e;
    }
    Process p = null;
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(tmp);
      String own = d.spec().env().getOrDefault("JAVA_TOOL_OPTIONS", "");
      Map<String, String> env = new HashMap<>(InstanceEnvironment.build(d, d.name() + "-aot-training", config, box,
          Map.of("PORT", Integer.toString(port))));
      env.put("JAVA_TOOL_OPTIONS", (own.isBlank() ? "" : own + " ") + "-XX:AOTCacheOutput=" + tmp);
      // The app's command is the user's: it names nothing the sandbox shows.
      ProcessBuilder pb = new ProcessBuilder(box.wrap(List.of("/bin/sh", "-c", "exec " + d.spec().command()), d.codeDir(), List.of(),
          group)).directory(d.codeDir().toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().clear();
      pb.environment().putAll(env);
      p = pb.start();
      long deadline = System.nanoTime() + TRAINING_TIMEOUT.toNanos();
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      String path = d.spec().effectiveReadinessPath();
      Process app = p;
      if (!HttpReadiness.await(address, path, deadline, () -> !app.isAlive())) {
        throw new PreparationFailed(p.isAlive() ? "the app did not answer GET " + path + " on $PORT within " + TRAINING_TIMEOUT.toSeconds() + " s"
            : "the app exited during training");
      }
      for (int i = 0; i < TRAINING_REQUESTS; i++) {
        HttpReadiness.probe(address, path, (int) TimeUnit.SECONDS.toMillis(10));
      }
      // The JVM writes its cache as it exits on SIGTERM: in a sandbox the signal goes to it, not to bwrap.
      if (!box.terminate(p.toHandle())) {
        p.destroy();
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new PreparationFailed("the app did not exit within 30 s of SIGTERM");
      }
      if (!Files.isRegularFile(tmp)) {
        throw new PreparationFailed("the app wrote no cache (not a JVM, or its JVM options exclude AOT caches)");
      }
      publish(tmp, target);
    } catch (IOException e) {
      throw new PreparationFailed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PreparationFailed("interrupted");
    } finally {
      cleanUp(p, tmp, null);
      group.killAll();
      group.remove();
      box.close();
    }
  }

  Path httpCache(Deployment d) {
    return dir.resolve(d.name() + "-http-" + key(d.codeSha256() + "\n" + d.spec().command() + "\n" + d.spec().effectiveReadinessPath()) + ".aot");
  }

  /**
   * Queues the training of the runner-only cache that pool JVMs use. It is trained with the pool
   * JVMs' own module options ({@link PoolProcesses#ADD_OPENS}): a JDK refuses a whole AOT cache whose
   * {@code --add-opens} differ from the run's ("Mismatched values for property jdk.module.addopens",
   * then "Unable to map shared spaces"), and the pool JVMs would start and specialise without it.
   */
  void trainRunner() {
    trainer.execute(() -> {
      Path target = runnerCachePath();
      if (!Files.isRegularFile(target)) {
        try {
          run(target, 256, PoolProcesses.ADD_OPENS, List.of(), InstanceEnvironment.base(config), dir, null, Sandbox.Box.NONE);
        } catch (PreparationFailed e) {
          LOG.log(System.Logger.Level.WARNING, "pilotlight: AOT cache for pool runners not built: " + e.getMessage());
        }
      }
    });
  }

  /**
   * Runs one training, or says why it made no cache. With {@code initLog} (a file name
   * pattern; {@code %p} is the JVM's pid), the JVMs log the classes they initialise there.
   */
  private void run(Path target, int memoryMb, List<String> args, Map<String, String> env, Path workDir, Path initLog, Sandbox.Box box)
      throws PreparationFailed {
    run(target, memoryMb, List.of(), args, env, workDir, initLog, box);
  }

  /** The same, the training JVM also given {@code jvmOptions}: those of the JVMs that will use the cache, where they matter to it. */
  private void run(Path target, int memoryMb, List<String> jvmOptions, List<String> args, Map<String, String> env, Path workDir, Path initLog,
      Sandbox.Box box) throws PreparationFailed {
    Path tmp;
    try {
      // In a sandbox the JVM may write only its box's own directory; the cache is moved out once made.
      tmp = box.isNone() ? target.resolveSibling(target.getFileName() + ".tmp") : box.writableDir(dir).resolve(target.getFileName() + ".tmp");
    } catch (IOException e) {
      throw new PreparationFailed(e.toString());
    }
    Cgroups.Group group = trainingGroup(memoryMb);
    Process p = null;
    Path out = null;
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(tmp);
      List<String> cmd = new ArrayList<>();
      cmd.add(config.javaHome().resolve("bin/java").toString());
      for (String o : config.javaOptions()) {
        if (!o.startsWith("-Xshare:")) {
          cmd.add(o);
        }
      }
      cmd.add("-Xmx" + memoryMb + "m");
      cmd.addAll(jvmOptions);
      cmd.add("-XX:AOTCacheOutput=" + tmp);
      if (initLog != null) {
        cmd.add("-Xlog:class+init=info:file=" + initLog + ":none:filecount=0");
      }
      cmd.add("-cp");
      cmd.add(config.runnerJar().toString());
      cmd.add("dev.pilotlight.runner.Train");
      cmd.addAll(args);
      // Without a sandbox, wrap only joins the group.
      List<String> command = box.wrap(cmd, workDir, Sandbox.pathsNamedIn(cmd.subList(0, cmd.size() - args.size())), group);
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
      pb.environment().clear();
      pb.environment().putAll(env);
      out = Files.createTempFile(dir, "training", ".log");
      pb.redirectOutput(out.toFile());
      p = pb.start();
      if (!p.waitFor(TRAINING_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new PreparationFailed("training took longer than " + TRAINING_TIMEOUT.toSeconds() + " s");
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
        throw new PreparationFailed("the training JVM exited with " + p.exitValue() + ": " + OutputCapture.lastLine(output));
      }
      publish(tmp, target);
    } catch (IOException e) {
      throw new PreparationFailed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PreparationFailed("interrupted");
    } finally {
      cleanUp(p, tmp, out);
      group.killAll();
      group.remove();
    }
  }

  /**
   * Moves a finished cache to {@code target} in one rename, owned by the daemon and readable by
   * every instance (a sandboxed training wrote it as its box's uid).
   */
  private static void publish(Path tmp, Path target) throws IOException {
    if (!Sandbox.daemonIsRoot()) {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    Files.setAttribute(tmp, "unix:uid", 0);
    Files.setAttribute(tmp, "unix:gid", 0);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** After a training, whatever its outcome: the process tree stopped, the unfinished cache and its output removed. */
  private static void cleanUp(Process p, Path tmpCache, Path output) {
    stopTree(p);
    try {
      Files.deleteIfExists(tmpCache);
      Files.deleteIfExists(tmpCache.resolveSibling(tmpCache.getFileName() + ".config"));
      if (output != null) {
        Files.deleteIfExists(output);
      }
    } catch (IOException ignored) {
      // best effort
    }
  }

  /**
   * Kills a training process that is still running (timed out, or the daemon is stopping) with
   * everything it started (JDK 25 assembles a cache in a child JVM), and waits for them to exit,
   * so nothing writes into the cache directory afterwards.
   */
  static void stopTree(Process p) {
    if (p == null || !p.isAlive()) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.add(p.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    boolean interrupted = Thread.interrupted(); // waiting must work during a shutdown's interrupt too
    try {
      for (ProcessHandle h : tree) {
        h.onExit().get(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      // gone or not, nothing more to do
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  Path functionCache(Deployment d) {
    return dir.resolve(d.name() + "-" + key(d.codeSha256() + "\n" + d.spec().handler() + "\n" + d.spec().memoryMb()) + ".aot");
  }

  /** A hash of {@code what} plus the runner jar, the JDK and the JVM options. */
  private String key(String what) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      Path jar = config.runnerJar();
      String runner = jar + ":" + Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis();
      String jdk = config.javaHome() + ":" + System.getProperty("java.vm.version");
      md.update((what + "\n" + runner + "\n" + jdk + "\n" + config.javaOptions()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest(), 0, 12);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot name an AOT cache: " + e, e);
    }
  }

  /** Stops a training in progress (its JVMs are killed, its files removed) and waits for that, briefly. */
  @Override
  public void close() {
    trainer.shutdownNow();
    try {
      trainer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
