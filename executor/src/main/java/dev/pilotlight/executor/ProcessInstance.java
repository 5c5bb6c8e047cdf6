package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What every instance backed by one OS process shares: output capture, exit tracking and stopping. */
abstract sealed class ProcessInstance implements Instance permits LambdaProcessInstance, HttpProcessInstance {
  private final String id;
  private final Deployment deployment;
  private final Duration stopGrace;
  private final String strategy;
  private final CompletableFuture<String> exited = new CompletableFuture<>();
  private volatile Process process;
  private volatile OutputCapture output;
  private volatile Duration initDuration = Duration.ZERO;
  private volatile String currentRequest;
  private volatile boolean stopping;
  private volatile long peakBytes;
  private volatile long peakReadAt;
  private volatile Cgroups.Group group = Cgroups.Group.NONE;
  private volatile Sandbox.Box box = Sandbox.Box.NONE;

  static final long PEAK_READ_INTERVAL_NANOS = 500_000_000L;

  Duration stopGrace() {
    return stopGrace;
  }

  ProcessInstance(String id, Deployment deployment, Duration stopGrace, String strategy) {
    this.id = id;
    this.deployment = deployment;
    this.stopGrace = stopGrace;
    this.strategy = strategy;
  }

  /** Puts the instance's process tree in {@code g}: its limits apply, and its end ends every process in it. */
  void confine(Cgroups.Group g) {
    this.group = g;
  }

  /** Runs the instance in {@code b}, which is closed (its uid freed, its files removed) once every process in it is gone. */
  void confine(Cgroups.Group g, Sandbox.Box b) {
    this.group = g;
    this.box = b;
  }

  Cgroups.Group group() {
    return group;
  }

  /** The capture of the instance's output (attached when its process is). */
  OutputCapture output() {
    return output;
  }

  void attach(Process process, InstanceLogSink sink) {
    this.process = process;
    // Read in bulk: http apps serving many requests at once, whose lines carry no request id anyway
    // (a Lambda-style instance tags each line with the request it was last handed, so it is read as it writes).
    boolean gather = !deployment.spec().runtime().lambdaStyle() && deployment.spec().concurrency() > 1;
    // A provided runtime is told to write its framed log records to stderr (InstanceEnvironment.TELEMETRY_LOG_FD).
    boolean framed = deployment.spec().runtime() == dev.pilotlight.model.Runtime.PROVIDED;
    this.output = new OutputCapture(process, deployment.name(), id, sink, () -> currentRequest, gather, framed);
    process.onExit().thenAccept(p -> {
      Cgroups.Group g = group;
      boolean outOfMemory = g.oomKilled();
      boolean outOfPids = !outOfMemory && g.pidsLimitHit();
      // Whatever the process left behind (children that called setsid included) ends with it.
      g.killAll();
      g.remove();
      box.close();
      // Out of memory first: the kernel may end an instance that was being stopped (drained) too,
      // and what its in-flight requests died of is the memory limit, not the stop.
      String reason = outOfMemory
          ? Failure.InstanceFailed.OUT_OF_MEMORY + ": instance " + id + " used more than its " + deployment.spec().memoryMb() + " MB (memory) and was "
              + "ended by the kernel" + lastLinesSuffix()
          : stopping
              ? "instance " + id + " was stopped"
              : outOfPids
                  // an app that cannot start a thread usually dies of it (pthread_create: EAGAIN) without saying why
                  ? "instance " + id + " reached its limit of " + Cgroups.PIDS_MAX + " processes and threads and exited with code " + p.exitValue()
                      + lastLinesSuffix()
                  : "instance " + id + " exited with code " + p.exitValue() + lastLinesSuffix();
      onExit(reason);
      exited.complete(reason);
    });
  }

  private String lastLinesSuffix() {
    String lines = output.lastLines();
    return lines.isEmpty() ? "" : "; its last output:\n" + lines;
  }

  /** Hook for subclasses: release what the instance held once its process is gone. */
  void onExit(String reason) {}

  void initDone(Duration d) {
    this.initDuration = d;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /**
   * The process that runs the instance's code, which stopping signals and whose memory is read:
   * the instance's own process, unless a subclass knows better (a restored snapshot runs under
   * {@code criu restore}, which exits when it does).
   */
  ProcessHandle app() {
    Process p = process;
    return p == null ? null : p.toHandle();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Deployment deployment() {
    return deployment;
  }

  @Override
  public String launchStrategy() {
    return strategy;
  }

  @Override
  public Duration initDuration() {
    return initDuration;
  }

  @Override
  public synchronized void currentRequest(String requestId) {
    this.currentRequest = requestId;
  }

  @Override
  public synchronized void requestEnded(String requestId) {
    if (requestId.equals(currentRequest)) {
      currentRequest = null;
    }
  }

  String currentRequest() {
    return currentRequest;
  }

  @Override
  public CompletableFuture<Void> stop() {
    Process p = process;
    if (p != null && p.isAlive()) {
      stopping = true;
      ProcessHandle app = app();
      // In a sandbox the app is bwrap's grandchild: it gets the SIGTERM, bwrap none (it would SIGKILL it).
      if (!box.terminate(p.toHandle())) {
        app.destroy();
      }
      exited.copy().orTimeout(stopGrace.toMillis() + 1, TimeUnit.MILLISECONDS)
          .exceptionally(t -> {
            // descendants first: a sandbox's processes are bwrap's, and outlive it
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            app.destroyForcibly();
            p.destroyForcibly();
            group.killAll();
            return null;
          });
      // A process started with sh -c may have children (e.g. the JVM of an http app): stop them too.
      if (box.isNone()) {
        p.descendants().filter(h -> h.pid() != app.pid()).forEach(ProcessHandle::destroy);
      }
    }
    return exited.thenApply(r -> null);
  }

  @Override
  public CompletableFuture<String> exited() {
    return exited;
  }

  /**
   * Reads {@code VmHWM} from {@code /proc/<pid>/status}, at most once per {@link #PEAK_READ_INTERVAL_NANOS}:
   * every invocation asks for it, and a file read per request would show in warm latency.
   */
  @Override
  public OptionalLong peakMemoryBytes() {
    Process p = process;
    long now = System.nanoTime();
    if (p != null && p.isAlive() && (peakReadAt == 0 || now - peakReadAt >= PEAK_READ_INTERVAL_NANOS)) {
      peakReadAt = now;
      // The cgroup's peak counts the whole tree; without one, the process's own high-water mark.
      long bytes = group.peakBytes();
      if (bytes <= 0) {
        bytes = PeakMemory.highWaterMarkKb(app().pid()) * 1024;
      }
      if (bytes > 0) {
        peakBytes = Math.max(peakBytes, bytes);
      }
    }
    return peakBytes > 0 ? OptionalLong.of(peakBytes) : OptionalLong.empty();
  }
}
