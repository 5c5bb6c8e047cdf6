package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.io.LoopbackPorts;
import dev.pilotlight.runtimeapi.RuntimeApiEndpoint;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Launches instances as OS processes, on the fastest rung of the launch ladder each function may
 * use (LaunchLadder): a restored CRIU snapshot of an {@code http} app (Snapshots), a pre-started
 * runtime from the WarmPool, a JVM with an AOT cache, or a plain
 * process (Pilotlight's Java runner, the python or node bootstrap, the package's bootstrap, or the
 * user's command for {@code http}).
 */
public final class ProcessExecutor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProcessExecutor.class.getName());

  /** Lambda gives a function's init phase 10 s; a slower function still gets its own timeout. */
  static final Duration MIN_INIT_TIMEOUT = Duration.ofSeconds(10);

  private static final java.util.concurrent.Executor LAUNCHER = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private final ExecutorConfig config;
  private final RuntimeApiServer runtimeApi;
  private final InstanceLogSink logs;
  private final WarmPool pool;
  private final AotCaches aot;
  private final LibraryLayers layers;
  private final Snapshots snapshots;
  /** PID records of running http apps (stateDir/instances), swept at start-up; null without a state dir. */
  private final InstanceRecords records;
  private final SnapshotRestorer restorer;
  private final AtomicLong sequence = new AtomicLong();
  private final BootGate boots = new BootGate(BootGate.DEFAULT_MAX);

  private ProcessExecutor(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs, WarmPool pool, AotCaches aot,
      LibraryLayers layers, Snapshots snapshots, InstanceRecords records) {
    this.records = records;
    if (records != null) {
      List<String> stopped = records.sweep();
      if (!stopped.isEmpty()) {
        LOG.log(System.Logger.Level.INFO, "pilotlight: stopped " + stopped.size() + " http instance(s) a previous daemon left running: " + stopped);
      }
    }
    this.layers = layers;
    this.snapshots = snapshots;
    this.restorer = snapshots == null ? null : new SnapshotRestorer(snapshots, config.stopGrace(), logs);
    this.config = config;
    this.runtimeApi = runtimeApi;
    this.logs = logs;
    this.pool = pool;
    this.aot = aot;
  }

  /** An executor without a warm pool or AOT caches: every cold start is a plain launch. */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs) {
    return new ProcessExecutor(config, runtimeApi, logs,
        new WarmPool(config, new WarmPool.Settings(0, 0), Path.of(System.getProperty("java.io.tmpdir")), java.time.InstantSource.system(), () -> null),
        null, new LibraryLayers(Path.of(System.getProperty("java.io.tmpdir"))), null, null);
  }

  /**
   * An executor with the whole launch ladder: a warm pool of pre-started runtimes and per-function AOT
   * caches, kept under {@code stateDir} ({@code pool/} is the pool processes' working directory,
   * {@code aot/} the caches).
   */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs,
      WarmPool.Settings pool, Path stateDir, java.time.InstantSource clock) {
    return create(config, runtimeApi, logs, pool, stateDir, clock, mb -> true);
  }

  /**
   * The same, with pool runners started only while {@code mayStartRunner} allows their memory size
   * (the node's memory budget).
   */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs,
      WarmPool.Settings pool, Path stateDir, java.time.InstantSource clock, java.util.function.IntPredicate mayStartRunner) {
    return create(config, runtimeApi, logs, pool, stateDir, clock, mayStartRunner, "off");
  }

  /**
   * The same, with the snapshot rung for {@code http} apps when {@code criu} (a CRIU binary's path,
   * {@code auto} or {@code off}; see Criu) is usable on this host, found in the background; images
   * go in {@code stateDir/snapshots}.
   */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs,
      WarmPool.Settings pool, Path stateDir, java.time.InstantSource clock, java.util.function.IntPredicate mayStartRunner, String criu) {
    AotCaches aot = new AotCaches(config, stateDir.resolve("aot"), logs);
    aot.trainRunner();
    return new ProcessExecutor(config, runtimeApi, logs,
        new WarmPool(config, pool, stateDir.resolve("pool"), clock, aot::runnerCache, mayStartRunner), aot,
        new LibraryLayers(stateDir.resolve("layers")),
        "off".equals(criu) ? null : new Snapshots(config, stateDir.resolve("snapshots"), logs, criu),
        new InstanceRecords(stateDir.resolve("instances")));
  }

  /**
   * Starts an instance of {@code d}; the future completes when it is ready to serve, or fails with
   * {@link Failure.InstanceFailed} carrying the init error or the process's last output.
   */
  public CompletableFuture<Instance> launch(Deployment d) {
    String id = d.name() + "-" + sequence.incrementAndGet();
    Duration initTimeout = initTimeout(d);
    long started = System.nanoTime();
    // Forking a process and binding a port block; callers are often event-loop threads, so a launch
    // that needs either runs on a virtual thread of its own. A pooled runner with the spare
    // endpoint needs neither and starts at once (a thread hop costs a cold start ~0.5 ms).
    CompletableFuture<ProcessInstance> launched = d.spec().runtime().lambdaStyle()
        ? launchLambda(id, d)
        : CompletableFuture.supplyAsync(() -> launchHttp(id, d, initTimeout), LAUNCHER).thenCompose(f -> f);
    return launched
        .orTimeout(initTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((instance, error) -> {
          if (error == null) {
            instance.initDone(Duration.ofNanos(System.nanoTime() - started));
            if (records != null && instance instanceof HttpProcessInstance) {
              remember(instance);
            }
            return (Instance) instance;
          }
          Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
          if (cause instanceof TimeoutException) {
            cause = new Failure.InstanceFailed("instance " + id + " was not ready within " + initTimeout.toSeconds() + " s");
          }
          logs.line(d.name(), id, null, "INIT_FAILED " + cause.getMessage());
          throw cause instanceof RuntimeException re ? re : new Failure.InstanceFailed(cause.getMessage(), cause);
        });
  }

  /** Records a running http app for the clean-up after a crash (InstanceRecords), off the cold path. */
  private void remember(ProcessInstance instance) {
    ProcessHandle app = instance.app();
    if (app == null) {
      return;
    }
    LAUNCHER.execute(() -> {
      records.running(instance.id(), app);
      instance.exited().thenRun(() -> records.ended(instance.id()));
    });
  }

  private static Duration initTimeout(Deployment d) {
    return d.spec().timeout().compareTo(MIN_INIT_TIMEOUT) > 0 ? d.spec().timeout() : MIN_INIT_TIMEOUT;
  }

  /**
   * Takes a pooled runner if there is one; with it and the spare endpoint the instance starts on the
   * caller's thread (nothing blocks), otherwise on a virtual thread.
   */
  private CompletableFuture<ProcessInstance> launchLambda(String id, Deployment d) {
    List<String> cmd;
    LibraryLayers.Layer layer;
    WarmPool.Taken taken;
    try {
      cmd = LambdaCommands.command(d, config); // before any port is opened or runner taken: it may refuse
      layer = layerOf(d); // computed at deploy (prepare), so no hashing here
      taken = LaunchLadder.mayUsePool(d) ? pool.take(d.spec().runtime(), d.spec().memoryMb(), layer) : null;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    RuntimeApiEndpoint spare = taken != null ? runtimeApi.openSpare(id) : null;
    if (spare != null) {
      return startLambda(id, d, cmd, layer, taken, spare);
    }
    return CompletableFuture.supplyAsync(() -> startLambda(id, d, cmd, layer, taken, runtimeApi.open(id)), LAUNCHER).thenCompose(f -> f);
  }

  private CompletableFuture<ProcessInstance> startLambda(String id, Deployment d, List<String> cmd, LibraryLayers.Layer layer,
      WarmPool.Taken taken, RuntimeApiEndpoint endpoint) {
    Map<String, String> extra = Map.of(
        "AWS_LAMBDA_RUNTIME_API", endpoint.address(),
        "LAMBDA_RUNTIME_DIR", LambdaCommands.runtimeDir(d, config).toString());
    Process pooled = taken == null ? null : taken.process();
    Path aotCache = taken == null && aot != null && LaunchLadder.mayUseAot(d) ? aot.cacheFor(d) : null;
    if (aotCache != null) {
      cmd = LambdaCommands.withJavaOptions(cmd, config.javaOptions(), AotCaches.options(config.javaOptions(), aotCache));
    }
    LambdaProcessInstance instance = new LambdaProcessInstance(id, d, config.stopGrace(),
        taken != null ? taken.strategy() : aotCache != null ? LaunchLadder.AOT : LaunchLadder.PLAIN, endpoint);
    CompletableFuture<ProcessInstance> ready = new CompletableFuture<>();
    if (taken != null && WarmPool.STRATEGY_LAYER.equals(taken.strategy())) {
      learnInitialisedClasses(instance, layer, pool.claimClassInitLog(pooled));
    }
    Runnable booted = pooled == null ? boots.enter(initTimeout(d)) : () -> {};
    ready.whenComplete((r, t) -> booted.run());
    try {
      if (pooled != null) {
        specialize(instance, pooled, d, extra);
      } else {
        start(instance, d, cmd, extra);
      }
    } catch (IOException e) {
      booted.run();
      endpoint.close("could not start: " + e.getMessage());
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("could not start instance " + id + ": " + e.getMessage(), e));
    }
    endpoint.ready().thenRun(() -> ready.complete(instance));
    endpoint.initError().thenAccept(json -> {
      ready.completeExceptionally(new Failure.InstanceFailed("function init failed: " + new String(json, StandardCharsets.UTF_8)));
      instance.stop();
    });
    instance.exited().thenAccept(reason -> ready.completeExceptionally(new Failure.InstanceFailed(reason)));
    ready.whenComplete((r, t) -> {
      if (t != null) {
        instance.stop();
      }
    });
    return ready;
  }

  /**
   * Restores the app's snapshot when it has one that no running copy uses; if that fails, the same
   * cold start goes on with a new process, so a snapshot problem never fails a request.
   */
  private CompletableFuture<ProcessInstance> launchHttp(String id, Deployment d, Duration initTimeout) {
    Snapshots.Image image = snapshots != null && LaunchLadder.mayUseSnapshot(d) ? snapshots.claim(d) : null;
    if (image == null) {
      return launchHttpProcess(id, d, initTimeout);
    }
    return restorer.restore(id, d, image).exceptionallyCompose(e -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      logs.line(d.name(), id, null, "snapshot restore failed (starting the app instead): " + cause.getMessage());
      return CompletableFuture.supplyAsync(() -> launchHttpProcess(id, d, initTimeout), LAUNCHER).thenCompose(f -> f);
    });
  }

  private CompletableFuture<ProcessInstance> launchHttpProcess(String id, Deployment d, Duration initTimeout) {
    int port;
    try {
      port = LoopbackPorts.freePort();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("no free port for instance " + id, e));
    }
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    Path cache = aot != null && LaunchLadder.mayUseAot(d) ? aot.httpCacheFor(d) : null;
    HttpProcessInstance instance = new HttpProcessInstance(id, d, config.stopGrace(),
        cache != null ? LaunchLadder.AOT : LaunchLadder.PLAIN, address);
    // exec replaces the shell, so signals reach the app itself.
    List<String> cmd = List.of("/bin/sh", "-c", "exec " + d.spec().command());
    Map<String, String> extra = cache == null
        ? Map.of("PORT", Integer.toString(port))
        : Map.of("PORT", Integer.toString(port), "JAVA_TOOL_OPTIONS", AotCaches.toolOptions(d, cache));
    Runnable booted = boots.enter(initTimeout);
    try {
      start(instance, d, cmd, extra);
    } catch (IOException e) {
      booted.run();
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("could not start instance " + id + ": " + e.getMessage(), e));
    }
    CompletableFuture<ProcessInstance> ready = new CompletableFuture<>();
    ready.whenComplete((r, t) -> booted.run());
    instance.exited().thenAccept(reason -> ready.completeExceptionally(new Failure.InstanceFailed(reason)));
    long deadline = System.nanoTime() + initTimeout.toNanos();
    String path = d.spec().effectiveReadinessPath();
    Thread.ofVirtual().name("probe-" + id).start(() -> probe(instance, address, path, deadline, ready));
    ready.whenComplete((r, t) -> {
      if (t != null) {
        instance.stop();
      }
    });
    return ready;
  }

  /** Completes {@code ready} once the app answers its readiness path over HTTP (see HttpReadiness). */
  private static void probe(HttpProcessInstance instance, InetSocketAddress address, String path, long deadline,
      CompletableFuture<ProcessInstance> ready) {
    try {
      if (HttpReadiness.await(address, path, deadline, ready::isDone)) {
        ready.complete(instance);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Hands a waiting pool process its function: the complete environment the plain launch would
   * have given it, as one JSON line on its stdin (read by the runner's PoolStandby, or the python
   * or node bootstrap's standby mode, which also moves into the code directory).
   */
  private void specialize(LambdaProcessInstance instance, Process pooled, Deployment d, Map<String, String> extra) throws IOException {
    byte[] line = JSON.writeValueAsBytes(InstanceEnvironment.build(d, instance.id(), config, extra));
    instance.attach(pooled, logs);
    try (var stdin = pooled.getOutputStream()) {
      stdin.write(line);
      stdin.write('\n');
    } catch (IOException e) {
      pooled.destroyForcibly();
      throw new IOException("the pooled " + d.spec().runtime().id() + " runner went away before it got its function: " + e.getMessage(), e);
    }
  }

  /**
   * When an instance served from a layered runner ends, adds the layer classes it initialised
   * (during its init and its calls) to the layer's initialisation list, and renews the layer's
   * waiting runners if the list grew: the next cold start of any function on that layer then finds
   * them initialised. A layer's list only grows, up to the classes its jars hold.
   */
  private void learnInitialisedClasses(ProcessInstance instance, LibraryLayers.Layer layer, Path classInitLog) {
    if (classInitLog == null) {
      return;
    }
    instance.exited().thenRunAsync(() -> {
      try {
        if (layers.recordInitialised(layer, List.of(classInitLog))) {
          pool.renew(layer);
        }
      } catch (IOException | RuntimeException e) {
        logs.line(instance.deployment().name(), instance.id(), null, "library layer initialisation list not updated: " + e);
      } finally {
        PoolProcesses.deleteQuietly(classInitLog);
      }
    }, LAUNCHER);
  }

  /**
   * Readies the faster rungs for {@code d}: keeps pool processes warm for its runtime and what is
   * fixed at their start (a java function's heap size and library layer, a node function's heap
   * size, any python function), and queues the AOT cache training; call on deploy (and at start-up
   * for stored functions).
   */
  public void prepare(Deployment d) {
    if (aot != null && LaunchLadder.mayUseAot(d)) {
      if (d.spec().runtime() == dev.pilotlight.model.Runtime.HTTP) {
        try {
          aot.trainHttp(d, LoopbackPorts.freePort());
        } catch (IOException e) {
          logs.line(d.name(), "-", null, "AOT cache not built: no free port for the training run");
        }
        if (snapshots != null && LaunchLadder.mayUseSnapshot(d)) {
          aot.afterTrainings(() -> snapshots.make(d));
        }
      } else {
        LibraryLayers.Layer layer = layerOf(d);
        // A layer without an initialisation list (new, or from before lists existed) trains even if the cache exists.
        aot.train(d, !layer.isNone() && !java.nio.file.Files.isRegularFile(layer.initList()), initLogs -> {
          try {
            if (layers.recordInitialised(layer, initLogs)) {
              pool.renew(layer);
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
      }
    }
    if (LaunchLadder.mayUsePool(d) && startable(d)) {
      pool.prepare(d.spec().runtime(), d.spec().memoryMb(), layerOf(d));
    }
  }

  private LibraryLayers.Layer layerOf(Deployment d) {
    return LaunchLadder.mayUseLayer(d) ? layers.of(d.codeDir()) : LibraryLayers.Layer.NONE;
  }

  /** Whether this daemon can start {@code d}'s runtime at all (a python function needs a python3); launches say why not. */
  private boolean startable(Deployment d) {
    try {
      LambdaCommands.interpreterCommand(d.spec().runtime(), d.spec().memoryMb(), config);
      return true;
    } catch (Failure.InstanceFailed e) {
      return false;
    }
  }

  public WarmPool pool() {
    return pool;
  }

  /** Stops the pool's waiting processes (running instances are stopped by whoever holds them). */
  @Override
  public void close() {
    pool.close();
    if (aot != null) {
      aot.close();
    }
  }

  private void start(ProcessInstance instance, Deployment d, List<String> cmd, Map<String, String> extra) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(d.codeDir().toFile());
    pb.environment().clear();
    pb.environment().putAll(InstanceEnvironment.build(d, instance.id(), config, extra));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    instance.attach(pb.start(), logs);
  }
}
