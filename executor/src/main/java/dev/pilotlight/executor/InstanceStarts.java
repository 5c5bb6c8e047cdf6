package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.io.LoopbackPorts;
import dev.pilotlight.runtimeapi.RuntimeApiEndpoint;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What every rung does once it has chosen how to start an instance: start (or specialise) the
 * process with the instance's environment, and complete when the instance is ready — at its first
 * Runtime API {@code /next} for a Lambda-style runtime, when its readiness path answers for
 * {@code http} — or fail with its init error or the process's last output.
 */
final class InstanceStarts {
  private final ExecutorConfig config;
  private final RuntimeApiServer runtimeApi;
  private final InstanceLogSink logs;
  private final ProcessStarter starter;
  private final BootGate boots;
  private final Executor launcher;
  private final Cgroups cgroups;
  private final Sandbox sandbox;

  /** @param launcher runs what blocks (binding an endpoint) off the caller's thread */
  InstanceStarts(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs, ProcessStarter starter, BootGate boots,
      Executor launcher) {
    this(config, runtimeApi, logs, starter, boots, launcher, Cgroups.NONE, Sandbox.NONE);
  }

  /**
   * @param cgroups where each new process tree gets its group ({@link Cgroups#NONE}: none)
   * @param sandbox where each new process tree runs ({@link Sandbox#NONE}: in no sandbox)
   */
  InstanceStarts(ExecutorConfig config, RuntimeApiServer runtimeApi, InstanceLogSink logs, ProcessStarter starter, BootGate boots,
      Executor launcher, Cgroups cgroups, Sandbox sandbox) {
    this.cgroups = cgroups;
    this.sandbox = sandbox;
    this.config = config;
    this.runtimeApi = runtimeApi;
    this.logs = logs;
    this.starter = starter;
    this.boots = boots;
    this.launcher = launcher;
  }

  ExecutorConfig config() {
    return config;
  }

  /** A Lambda-style instance of {@code rung} from a new process running {@code cmd}. Blocks (bind, boot gate, fork). */
  CompletableFuture<ProcessInstance> newLambdaProcess(LaunchRequest r, LaunchRung rung, List<String> cmd) {
    RuntimeApiEndpoint endpoint = runtimeApi.open(r.id());
    LambdaProcessInstance instance = new LambdaProcessInstance(r.id(), r.deployment(), config.stopGrace(), rung.id(), endpoint);
    Sandbox.Box box;
    try {
      box = sandbox.open(r.deployment().spec().ephemeralStorageMb());
    } catch (IOException e) {
      endpoint.close("no sandbox: " + e.getMessage());
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("could not start instance " + r.id() + ": " + e.getMessage(), e));
    }
    endpoint.ownedBy(box.uid());
    // The daemon's own command line for its runtimes names what the sandbox must show; a package's bootstrap names nothing.
    List<Path> show = r.deployment().spec().runtime() == Runtime.PROVIDED ? List.of() : Sandbox.pathsNamedIn(cmd);
    List<String> command = withExtensions(r, endpoint, box, cmd);
    Runnable booted = boots.enter(r.initTimeout());
    return awaitLambda(instance, r, booted, () -> {
      InstanceSecrets.Provided provided = provideSecrets(r, box);
      try {
        start(instance, r, command, show, box, lambdaEnvironment(r, endpoint, box, provided.env()));
      } catch (IOException | RuntimeException e) {
        provided.cleanUp().run();
        throw e;
      }
      instance.exited().whenComplete((x, t) -> provided.cleanUp().run());
    });
  }

  /** {@code r}'s secrets for an instance in {@code box}; on failure the box is closed (nothing else holds it yet). */
  private InstanceSecrets.Provided provideSecrets(LaunchRequest r, Sandbox.Box box) throws IOException {
    if (!r.deployment().spec().usesSecrets()) {
      return InstanceSecrets.Provided.NOTHING;
    }
    try {
      return secrets.provide(r.deployment(), r.id(), box);
    } catch (IOException | RuntimeException e) {
      box.close();
      throw e;
    }
  }

  /**
   * {@code cmd}, preceded by the start of the function's external extensions if its package has
   * any (see ExternalExtensions); the endpoint is told how many to wait for. Pool runners are never
   * used for such a function (LaunchRung.POOL does not admit it), so this is the only place they start.
   */
  private static List<String> withExtensions(LaunchRequest r, RuntimeApiEndpoint endpoint, Sandbox.Box box, List<String> cmd) {
    Deployment d = r.deployment();
    List<String> extensions = ExternalExtensions.in(d.codeDir());
    if (extensions.isEmpty()) {
      return cmd;
    }
    String handler = d.spec().handler() == null ? "" : d.spec().handler();
    endpoint.expectExtensions(extensions.size(), d.spec().name(), r.version(), handler, d.spec().memoryMb());
    return ExternalExtensions.wrap(cmd, box.taskRoot(d.codeDir()), extensions);
  }

  /**
   * A Lambda-style instance of {@code rung} from a pool runner, handed its function on stdin. With
   * the spare endpoint nothing blocks and the instance starts on the caller's thread; otherwise on
   * a launcher thread (a thread hop costs a cold start ~0.5 ms). {@code onInstance} sees the
   * instance before the runner is given its function.
   */
  CompletableFuture<ProcessInstance> pooledLambda(LaunchRequest r, LaunchRung rung, Process runner, Consumer<ProcessInstance> onInstance) {
    // Reading a function's secrets reads the store: never on the caller's thread, which may be an event loop's.
    RuntimeApiEndpoint spare = r.deployment().spec().usesSecrets() ? null : runtimeApi.openSpare(r.id());
    if (spare != null) {
      return specialize(r, rung, runner, spare, onInstance);
    }
    return CompletableFuture.supplyAsync(() -> specialize(r, rung, runner, runtimeApi.open(r.id()), onInstance), launcher)
        .thenCompose(f -> f);
  }

  private CompletableFuture<ProcessInstance> specialize(LaunchRequest r, LaunchRung rung, Process runner, RuntimeApiEndpoint endpoint,
      Consumer<ProcessInstance> onInstance) {
    LambdaProcessInstance instance = new LambdaProcessInstance(r.id(), r.deployment(), config.stopGrace(), rung.id(), endpoint);
    onInstance.accept(instance);
    // The runner's sandbox (made when the pool started it) is the instance's.
    Sandbox.Box box = sandbox.boxOf(runner.pid());
    endpoint.ownedBy(box.uid());
    // A pooled runner has booted already: it does not pass the boot gate.
    return awaitLambda(instance, r, () -> {}, () -> specialize(instance, runner, r, box, endpoint));
  }

  private Map<String, String> lambdaEnvironment(LaunchRequest r, RuntimeApiEndpoint endpoint, Sandbox.Box box, Map<String, String> secretEnv) {
    Map<String, String> extra = new HashMap<>(credentials.environment(r.deployment()));
    extra.putAll(secretEnv);
    extra.put("AWS_LAMBDA_FUNCTION_VERSION", r.version());
    extra.put("AWS_LAMBDA_RUNTIME_API", endpoint.address());
    extra.put("AWS_LAMBDA_INITIALIZATION_TYPE", InstanceEnvironment.initializationType(r.background()));
    extra.put("LAMBDA_RUNTIME_DIR", LambdaCommands.runtimeDir(r.deployment(), config).toString());
    return InstanceEnvironment.build(r.deployment(), r.id(), config, box, extra);
  }

  private volatile FunctionCredentials credentials = FunctionCredentials.NONE;
  private volatile InstanceSecrets secrets = InstanceSecrets.none();

  /** Where instances started from now on get their functions' secrets. */
  void secrets(InstanceSecrets s) {
    secrets = s;
  }

  /** Where instances started from now on get their own credentials and the platform's endpoint. */
  void credentials(FunctionCredentials c) {
    credentials = c;
  }

  private interface Start {
    void run() throws IOException;
  }

  private CompletableFuture<ProcessInstance> awaitLambda(LambdaProcessInstance instance, LaunchRequest r, Runnable booted, Start start) {
    RuntimeApiEndpoint endpoint = instance.endpoint();
    CompletableFuture<ProcessInstance> ready = new CompletableFuture<>();
    ready.whenComplete((x, t) -> booted.run());
    ready.thenAccept(x -> serving(instance, r));
    yieldAtMost(instance, r, ready);
    try {
      start.run();
    } catch (IOException e) {
      booted.run();
      endpoint.close("could not start: " + e.getMessage());
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("could not start instance " + r.id() + ": " + e.getMessage(), e));
    }
    endpoint.ready().thenRun(() -> ready.complete(instance));
    endpoint.initError().thenAccept(json -> {
      ready.completeExceptionally(new Failure.InstanceFailed("function init failed: " + new String(json, StandardCharsets.UTF_8)));
      instance.stop();
    });
    instance.exited().thenAccept(reason -> ready.completeExceptionally(new Failure.InstanceFailed(reason)));
    ready.whenComplete((x, t) -> {
      if (t != null) {
        instance.stop();
      }
    });
    return ready;
  }

  /**
   * An {@code http} instance of {@code rung} from a new process on a free port ({@code PORT}), with
   * {@code extra} in its environment; ready when it answers its readiness path (see HttpReadiness).
   * Blocks (port, boot gate, fork).
   */
  CompletableFuture<ProcessInstance> newHttpProcess(LaunchRequest r, LaunchRung rung, Map<String, String> extra) {
    int port;
    try {
      port = LoopbackPorts.freePort();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("no free port for instance " + r.id(), e));
    }
    Deployment d = r.deployment();
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    HttpProcessInstance instance = new HttpProcessInstance(r.id(), d, config.stopGrace(), rung.id(), address);
    Map<String, String> env = new HashMap<>(credentials.environment(d));
    env.putAll(extra);
    env.put("PORT", Integer.toString(port));
    Runnable booted = boots.enter(r.initTimeout());
    int owner;
    try {
      Sandbox.Box box = sandbox.open(d.spec().ephemeralStorageMb());
      owner = box.uid();
      InstanceSecrets.Provided provided = provideSecrets(r, box);
      env.putAll(provided.env());
      // The daemon's own additions (an AOT cache in JAVA_TOOL_OPTIONS) name what the sandbox must show; the app's command names nothing.
      List<Path> show = Sandbox.pathsNamedIn(List.copyOf(extra.values()));
      try {
        start(instance, r, r.command(), show, box, InstanceEnvironment.build(d, r.id(), config, box, env));
      } catch (IOException | RuntimeException e) {
        provided.cleanUp().run();
        throw e;
      }
      instance.exited().whenComplete((x, t) -> provided.cleanUp().run());
    } catch (IOException e) {
      booted.run();
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("could not start instance " + r.id() + ": " + e.getMessage(), e));
    }
    CompletableFuture<ProcessInstance> ready = new CompletableFuture<>();
    ready.whenComplete((x, t) -> booted.run());
    ready.thenAccept(x -> serving(instance, r));
    yieldAtMost(instance, r, ready);
    instance.exited().thenAccept(reason -> ready.completeExceptionally(new Failure.InstanceFailed(reason)));
    long deadline = System.nanoTime() + r.initTimeout().toNanos();
    String path = d.spec().effectiveReadinessPath();
    // A virtual thread: the probe only connects sockets, which unmount it while they wait.
    Thread.ofVirtual().name("probe-" + r.id()).start(() -> probe(instance, address, path, deadline, ready, owner));
    ready.whenComplete((x, t) -> {
      if (t != null) {
        instance.stop();
      }
    });
    return ready;
  }

  /**
   * Completes {@code ready} once the app answers its readiness path over HTTP (see HttpReadiness),
   * from a listener owned by {@code owner} (the sandbox's uid; -1 without one); fails it when a
   * process of another uid holds the port.
   */
  private static void probe(HttpProcessInstance instance, InetSocketAddress address, String path, long deadline,
      CompletableFuture<ProcessInstance> ready, int owner) {
    try {
      if (HttpReadiness.await(address, path, deadline, ready::isDone, owner)) {
        ready.complete(instance);
      }
    } catch (HttpReadiness.ForeignListener e) {
      ready.completeExceptionally(new Failure.InstanceFailed("instance " + instance.id() + " not started: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Hands a waiting pool process its function: the complete environment the plain launch would
   * have given it, as one JSON line on its stdin (read by the runner's PoolStandby, or the python
   * or node bootstrap's standby mode, which also moves into the code directory).
   */
  private void specialize(LambdaProcessInstance instance, Process pooled, LaunchRequest r, Sandbox.Box box, RuntimeApiEndpoint endpoint)
      throws IOException {
    Deployment d = r.deployment();
    // The runner's group (made when the pool started it) takes the function's limits.
    Cgroups.Group group = cgroups.groupOf(pooled.pid());
    instance.confine(group, box);
    instance.attach(pooled, logs);
    byte[] line;
    try {
      group.limitMemory(d.spec().memoryMb());
      if (r.background()) {
        group.yieldCpu(); // its init yields to serving instances too, until it is ready
      }
      // Its sandbox shows the function's code at its task root, and its secret files in the directory bound when it started.
      box.fill(d.codeDir());
      InstanceSecrets.Provided provided = d.spec().usesSecrets() ? secrets.provide(d, r.id(), box) : InstanceSecrets.Provided.NOTHING;
      instance.exited().whenComplete((x, t) -> provided.cleanUp().run());
      line = JsonLine.of(lambdaEnvironment(r, endpoint, box, provided.env()));
    } catch (IOException | RuntimeException e) {
      pooled.destroyForcibly();
      throw e;
    }
    try (var stdin = pooled.getOutputStream()) {
      stdin.write(line);
      stdin.write('\n');
    } catch (IOException e) {
      pooled.destroyForcibly();
      throw new IOException("the pooled " + d.spec().runtime().id() + " runner went away before it got its function: " + e.getMessage(), e);
    }
    if (!r.background()) {
      // The CPU weight of its size, from a waiting runner's lowest: written once the runner has its
      // function, so that the runner wakes and starts while the daemon writes it (the weight only
      // counts when groups compete, and a cold start's daemon side is on the way to its answer).
      try {
        group.weigh(d.spec().memoryMb());
      } catch (IOException e) {
        // Its group is gone with its process, whose exit fails the start.
      }
    }
  }

  /** A background boot is ready: its group gets the CPU weight of its size. */
  private static void serving(ProcessInstance instance, LaunchRequest r) {
    if (r.background()) {
      try {
        instance.group().weigh(r.deployment().spec().memoryMb());
      } catch (IOException e) {
        // Its group is gone with its process: nothing left to weigh.
      }
    }
  }

  /** A background boot not ready within {@link BootGate#YIELD_LIMIT} gets its weight then (see there why). */
  private static void yieldAtMost(ProcessInstance instance, LaunchRequest r, CompletableFuture<ProcessInstance> ready) {
    if (r.background()) {
      CompletableFuture.runAsync(() -> {
        if (!ready.isDone()) {
          serving(instance, r);
        }
      }, CompletableFuture.delayedExecutor(BootGate.YIELD_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  private void start(ProcessInstance instance, LaunchRequest r, List<String> cmd, List<Path> show, Sandbox.Box box, Map<String, String> env)
      throws IOException {
    Deployment d = r.deployment();
    Cgroups.Group group;
    try {
      group = cgroups.create(instance.id(), d.spec().memoryMb(), r.background());
    } catch (IOException | RuntimeException e) {
      box.close();
      throw e;
    }
    ProcessBuilder pb = new ProcessBuilder(box.wrap(cmd, d.codeDir(), show, group)).directory(d.codeDir().toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    instance.confine(group, box);
    Process p;
    try {
      p = starter.start(pb);
    } catch (IOException | RuntimeException e) {
      group.remove();
      box.close();
      throw e;
    }
    instance.attach(p, logs);
  }
}
