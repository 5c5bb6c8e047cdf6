package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * Launches instances as OS processes, each on the fastest rung of the launch ladder (LaunchLadder)
 * that serves it: a restored CRIU snapshot of an {@code http} app (SnapshotRung), a pre-started
 * runtime from the WarmPool (PoolLayerRung, PoolRung), a JVM with an AOT cache (AotRung), or a
 * plain process (PlainRung: Pilotlight's Java runner, the python or node bootstrap, the package's
 * bootstrap, or the user's command for {@code http}).
 */
public final class ProcessExecutor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProcessExecutor.class.getName());

  /** Lambda gives a function's init phase 10 s; a slower function still gets its own timeout. */
  static final Duration MIN_INIT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Where launches that block (fork, bind, file system) run: virtual threads, which those unmount
   * from. Nothing here reads a process's pipes or waits on a child (that is PipeThreads' work).
   */
  private static final Executor LAUNCHER = Executors.newVirtualThreadPerTaskExecutor();

  private final ExecutorConfig config;
  private final InstanceLogSink logs;
  private final LaunchLadder ladder;
  private final WarmPool pool;
  /** AOT trainings to stop on close; empty when the ladder has no aot rung. */
  private final Optional<AotCaches> aot;
  /** PID records of running http apps (stateDir/instances), swept at start-up; empty without a state dir. */
  private final Optional<InstanceRecords> records;
  private final AtomicLong sequence = new AtomicLong();
  private InstanceStarts starts;
  private volatile String limits = Cgroups.NONE.describe();
  private volatile String isolation = Sandbox.NONE.describe();
  private volatile boolean sandboxed;

  private Preparations preparations = new Preparations(InstantSource.system());

  ProcessExecutor(ExecutorConfig config, InstanceLogSink logs, LaunchLadder ladder, WarmPool pool, Optional<AotCaches> aot,
      Optional<InstanceRecords> records) {
    records.ifPresent(r -> {
      List<String> stopped = r.sweep();
      if (!stopped.isEmpty()) {
        LOG.log(System.Logger.Level.INFO, "pilotlight: stopped " + stopped.size() + " http instance(s) a previous daemon left running: " + stopped);
      }
    });
    this.config = config;
    this.logs = logs;
    this.ladder = ladder;
    this.pool = pool;
    this.aot = aot;
    this.records = records;
  }

  /** An executor without a warm pool or AOT caches: every cold start is a plain launch. */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs) {
    InstanceStarts starts = new InstanceStarts(config, runtimeApi, logs, ProcessStarter.SYSTEM, new BootGate(BootGate.DEFAULT_MAX), LAUNCHER);
    WarmPool none = new WarmPool(config, new WarmPool.Settings(0, 0), Path.of(System.getProperty("java.io.tmpdir")), InstantSource.system(),
        () -> null);
    ProcessExecutor executor = new ProcessExecutor(config, logs, new LaunchLadder(List.of(new PlainRung(starts)), LAUNCHER), none,
        Optional.empty(), Optional.empty());
    executor.starts = starts;
    return executor;
  }

  /**
   * An executor with the whole launch ladder: a warm pool of pre-started runtimes and per-function AOT
   * caches, kept under {@code stateDir} ({@code pool/} is the pool processes' working directory,
   * {@code aot/} the caches).
   */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs,
      WarmPool.Settings pool, Path stateDir, InstantSource clock) {
    return create(config, runtimeApi, logs, pool, stateDir, clock, mb -> true);
  }

  /**
   * The same, with pool runners started only while {@code mayStartRunner} allows their memory size
   * (the node's memory budget).
   */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs,
      WarmPool.Settings pool, Path stateDir, InstantSource clock, IntPredicate mayStartRunner) {
    return create(config, runtimeApi, logs, pool, stateDir, clock, mayStartRunner, "off");
  }

  /**
   * The same, with the snapshot rung for {@code http} apps when {@code criu} (a CRIU binary's path,
   * {@code auto} or {@code off}; see Criu) is usable on this host, found in the background (the
   * rung declines until then, and leaves the ladder if it is not); images go in
   * {@code stateDir/snapshots}.
   */
  public static ProcessExecutor create(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs,
      WarmPool.Settings poolSettings, Path stateDir, InstantSource clock, IntPredicate mayStartRunner, String criu) {
    Preparations preparations = new Preparations(clock);
    AotCaches aot = new AotCaches(config, stateDir.resolve("aot"), logs, preparations);
    // Before any process starts: what an earlier daemon on this data dir left is ended here.
    Cgroups cgroups = Cgroups.forDaemon(stateDir, System.getenv());
    Sandbox sandbox = Sandbox.forDaemon(stateDir, config, System.getenv());
    aot.sandboxTrainings(sandbox);
    aot.limitTrainings(cgroups);
    aot.trainRunner();
    WarmPool pool = new WarmPool(config, poolSettings, stateDir.resolve("pool"), clock, aot::runnerCache, mayStartRunner, cgroups, sandbox);
    InstanceStarts starts = new InstanceStarts(config, runtimeApi, logs, ProcessStarter.SYSTEM, new BootGate(BootGate.DEFAULT_MAX), LAUNCHER,
        cgroups, sandbox);
    PoolLayers layers = new PoolLayers(new LibraryLayers(stateDir.resolve("layers")), pool, logs, LAUNCHER);
    List<Rung> rungs = new ArrayList<>();
    // A CRIU restore would land outside the sandbox (restoring into one is not built): with a
    // sandbox, the snapshot rung is left out, and the daemon says so.
    boolean snapshotsOutsideSandbox = sandbox.enabled() && !"off".equals(criu);
    if (snapshotsOutsideSandbox) {
      LOG.log(System.Logger.Level.INFO, "pilotlight: snapshot restore unavailable: restores would run outside the instance sandbox "
          + "(run with PILOTLIGHT_SANDBOX=off to use CRIU snapshots; see docs/security.md)");
    }
    Optional<Snapshots> snapshots = "off".equals(criu) || snapshotsOutsideSandbox
        ? Optional.empty()
        : Optional.of(new Snapshots(config, stateDir.resolve("snapshots"), logs, criu).preparations(preparations));
    snapshots.ifPresent(s -> rungs.add(
        new SnapshotRung(s, new SnapshotRestorer(s, config.stopGrace(), logs, ProcessStarter.SYSTEM), aot::afterTrainings, logs)));
    if (poolSettings.maxSize() > 0) {
      rungs.add(new PoolLayerRung(pool, layers, starts));
      rungs.add(new PoolRung(pool, layers, starts));
    }
    rungs.add(new AotRung(aot, starts, layers, logs));
    rungs.add(new PlainRung(starts));
    LaunchLadder ladder = new LaunchLadder(rungs, LAUNCHER);
    // Until CRIU is found usable the snapshot rung declines (it has no image); once found unusable it goes.
    snapshots.ifPresent(s -> s.usable().thenAccept(usable -> {
      if (!usable) {
        ladder.withdraw(LaunchRung.SNAPSHOT);
      }
    }));
    ProcessExecutor executor = new ProcessExecutor(config, logs, ladder, pool, Optional.of(aot),
        Optional.of(new InstanceRecords(stateDir.resolve("instances"))));
    executor.starts = starts;
    // Secret files of instances without a sandbox; what a daemon that ended without stopping its instances left goes now.
    executor.unboxedSecrets = stateDir.toAbsolutePath().resolve("secrets");
    dev.pilotlight.model.io.FileTrees.deleteTreeQuietly(executor.unboxedSecrets);
    executor.preparations = preparations;
    executor.limits = cgroups.describe();
    executor.isolation = sandbox.describe();
    executor.sandboxed = sandbox.enabled() && cgroups.enabled();
    return executor;
  }

  /** Starts an instance of {@code d} that a request waits on ({@link #launch(Deployment, boolean)} in the foreground). */
  public CompletableFuture<Instance> launch(Deployment d) {
    return launch(d, false, "$LATEST");
  }

  /**
   * Starts an instance of {@code d}; the future completes when it is ready to serve, or fails with
   * {@link Failure.InstanceFailed} carrying the init error or the process's last output.
   *
   * @param background no request depends on it alone (capacity beside serving instances, a
   *     pre-warm): a new process boots at the lowest CPU weight and gets its own when ready, so
   *     booting never slows instances that serve
   * @param version {@code AWS_LAMBDA_FUNCTION_VERSION}: {@code $LATEST}, or the revision number of a pinned revision's instance
   */
  public CompletableFuture<Instance> launch(Deployment d, boolean background, String version) {
    String id = d.name() + "-" + sequence.incrementAndGet();
    Duration initTimeout = initTimeout(d);
    long started = System.nanoTime();
    CompletableFuture<ProcessInstance> launched;
    try {
      launched = ladder.launch(LaunchRequest.of(id, d, initTimeout, config, background && BootGate.YIELD, version));
    } catch (RuntimeException e) { // the runtime cannot start here (LaunchRequest.of)
      launched = CompletableFuture.failedFuture(e);
    }
    return launched
        .orTimeout(initTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((instance, error) -> {
          if (error == null) {
            instance.initDone(Duration.ofNanos(System.nanoTime() - started));
            if (records.isPresent() && instance instanceof HttpProcessInstance) {
              remember(records.get(), instance);
            }
            return (Instance) instance;
          }
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          if (cause instanceof TimeoutException) {
            cause = new Failure.InstanceFailed("instance " + id + " was not ready within " + initTimeout.toSeconds() + " s");
          }
          logs.line(d.name(), id, null, "INIT_FAILED " + cause.getMessage());
          throw cause instanceof RuntimeException re ? re : new Failure.InstanceFailed(cause.getMessage(), cause);
        });
  }

  /** Records a running http app for the clean-up after a crash (InstanceRecords), off the cold path. */
  private static void remember(InstanceRecords records, ProcessInstance instance) {
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
   * Readies the faster rungs for {@code d}, each in the background: the AOT cache training (which
   * also grows its library layer's initialisation list), the snapshot after it, and pool processes
   * kept warm for its runtime and what is fixed at their start (a java function's heap size and
   * library layer, a node function's heap size, any python function). Call on deploy (and at
   * start-up for stored functions).
   */
  public void prepare(Deployment d) {
    ladder.prepare(d);
  }

  /**
   * What is being prepared for {@code function} in the background and how it ended ({@link
   * Preparations#view}): its AOT training and snapshot, for the status view and deploy's progress.
   */
  public Map<String, Object> preparation(String function) {
    return preparations.view(function);
  }

  /** Forgets what was prepared for a removed function. */
  public void forgetPreparation(String function) {
    preparations.forget(function);
  }

  /** The ladder built at start (for tests). */
  LaunchLadder ladder() {
    return ladder;
  }

  /**
   * Why this host cannot offer the snapshot rung with {@code criuSetting} ({@code auto}, {@code off}
   * or a path), found as the daemon finds it (a trial dump included); null when it can. Runs
   * processes for up to a few seconds.
   */
  public static String snapshotUnavailableReason(String criuSetting) {
    if (!"off".equals(criuSetting) && Sandbox.likelyOn(System.getenv())) {
      return "restores would run outside the instance sandbox, so a daemon with one leaves the snapshot rung out";
    }
    return Criu.detect(criuSetting, System.getenv()).reason();
  }

  /**
   * Why instances on this host would run without their cgroup limits, as the daemon finds it; null
   * when they get them.
   */
  public static String limitsUnavailableReason() {
    if ("off".equals(System.getenv("PILOTLIGHT_CGROUPS"))) {
      return "turned off (PILOTLIGHT_CGROUPS=off)";
    }
    Cgroups.Detection d = Cgroups.detect(Path.of("/sys/fs/cgroup"), "pilotlight-probe");
    return d.reason();
  }

  /** How instances are limited here, for the daemon's protections report (e.g. {@code cgroup v1 per instance (memory, pids, cpu)}). */
  public String limits() {
    return limits;
  }

  /**
   * Gives every instance started from now on its function's own credentials and the platform's
   * endpoint ({@link FunctionCredentials}); wiring calls it once the daemon's port is known.
   */
  public void credentials(FunctionCredentials c) {
    if (starts != null) {
      starts.credentials(c);
    }
  }

  private Path unboxedSecrets;

  /**
   * Gives every instance started from now on its function's secrets ({@code secrets} and
   * {@code secretFiles}) from {@code values}, read at each start; without it a function that uses
   * a secret fails to start, naming it.
   */
  public void secrets(SecretValues values) {
    if (starts != null) {
      starts.secrets(new InstanceSecrets(values, unboxedSecrets != null ? unboxedSecrets
          : Path.of(System.getProperty("java.io.tmpdir"), "pilotlight-secrets")));
    }
  }

  /** The interpreter or JDK each runtime family runs on here, whatever Lambda identifier a function gave. */
  public String runtimes() {
    return LambdaCommands.describe(config);
  }

  /** How instances are isolated from each other and the host here, for the protections report. */
  public String isolation() {
    return isolation;
  }

  /** Whether every instance gets both its sandbox and its cgroup limits (what {@code serve --require-sandbox} requires). */
  public boolean sandboxed() {
    return sandboxed;
  }

  public WarmPool pool() {
    return pool;
  }

  /** Stops the pool's waiting processes (running instances are stopped by whoever holds them). */
  @Override
  public void close() {
    pool.close();
    aot.ifPresent(AotCaches::close);
  }
}
