package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The "snapshot" rung: restores a Snapshots image as an {@code http} instance. {@code criu restore}
 * stays the restored app's parent and exits when it does, so the instance's process is the criu
 * process (its exit is the app's) while stopping and memory readings go to the app itself. The
 * app's stdout and stderr are criu's pipes, read like any instance's output. The instance is
 * ready when the app answers its readiness path, which a restored app does at once; a restore
 * that fails or does not answer within {@link #READY_LIMIT} fails, and the caller launches afresh.
 */
final class SnapshotRestorer implements SnapshotRung.Restorer {
  /** A restored app answers within milliseconds; this is for a machine under heavy load. */
  static final Duration READY_LIMIT = Duration.ofSeconds(5);

  private final Snapshots snapshots;
  private final Duration stopGrace;
  private final InstanceLogSink logs;
  private final ProcessStarter starter;

  SnapshotRestorer(Snapshots snapshots, Duration stopGrace, InstanceLogSink logs, ProcessStarter starter) {
    this.snapshots = snapshots;
    this.stopGrace = stopGrace;
    this.logs = logs;
    this.starter = starter;
  }

  /**
   * Restores {@code image} (claimed by the caller, and released here once the copy is gone or the
   * restore failed) as instance {@code id} of {@code d}.
   */
  @Override
  public CompletableFuture<ProcessInstance> restore(String id, Deployment d, Snapshots.Image image) {
    Criu criu = snapshots.criu();
    Path pidfile = snapshots.dir().resolve("restore-" + id + ".pid");
    Path log = snapshots.dir().resolve("restore-" + id + ".log");
    HttpProcessInstance instance = new HttpProcessInstance(id, d, stopGrace, LaunchRung.SNAPSHOT.id(), image.address());
    Process criuProcess;
    try {
      Files.deleteIfExists(pidfile);
      ProcessBuilder pb = new ProcessBuilder(criu.restoreCommand(image.dir(), pidfile, log, image.stdoutPipe(), image.stderrPipe()))
          .directory(image.dir().toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().clear();
      pb.environment().putAll(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")));
      criuProcess = starter.start(pb);
    } catch (IOException | RuntimeException e) {
      snapshots.release(image);
      return CompletableFuture.failedFuture(new Failure.InstanceFailed("criu restore could not start: " + e.getMessage(), e));
    }
    instance.attach(criuProcess, logs);
    CompletableFuture<ProcessInstance> ready = new CompletableFuture<>();
    instance.exited().thenAccept(reason -> {
      snapshots.release(image);
      deleteQuietly(pidfile);
      if (!ready.isDone()) {
        ready.completeExceptionally(new Failure.InstanceFailed("criu restore exited with code " + exitCode(criuProcess) + ": "
            + Criu.errors(Snapshots.read(log))));
      }
      deleteQuietly(log);
    });
    long deadline = System.nanoTime() + READY_LIMIT.toNanos();
    String path = d.spec().effectiveReadinessPath();
    Thread.ofVirtual().name("probe-" + id).start(() -> {
      try {
        if (HttpReadiness.await(image.address(), path, deadline, ready::isDone)) {
          ProcessHandle app = restoredApp(pidfile, criuProcess);
          if (app != null) {
            instance.restored(app);
          }
          ready.complete(instance);
        } else {
          ready.completeExceptionally(new Failure.InstanceFailed("the restored app did not answer GET " + path + " within "
              + READY_LIMIT.toSeconds() + " s"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ready.completeExceptionally(e);
      }
    });
    ready.whenComplete((r, t) -> {
      if (t != null) {
        instance.stop();
      } else {
        deleteQuietly(log);
      }
    });
    return ready;
  }

  /** The restored app: the PID criu wrote, else criu's one child. */
  private static ProcessHandle restoredApp(Path pidfile, Process criuProcess) {
    try {
      long pid = Long.parseLong(Files.readString(pidfile).strip());
      ProcessHandle h = ProcessHandle.of(pid).orElse(null);
      if (h != null) {
        return h;
      }
    } catch (IOException | NumberFormatException e) {
      // not written: take criu's child
    }
    return criuProcess.children().findFirst().orElse(null);
  }

  private static String exitCode(Process p) {
    try {
      return Integer.toString(p.exitValue());
    } catch (IllegalThreadStateException e) {
      return "?";
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
