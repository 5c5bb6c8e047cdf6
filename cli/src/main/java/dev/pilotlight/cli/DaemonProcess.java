package dev.pilotlight.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** A daemon started as a child process ({@code LAUNCHER serve --port P --data-dir DIR}), its output in {@code DIR/daemon.log}. */
final class DaemonProcess {
  private static final int HEALTH_TIMEOUT_MS = 1_000;
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  /** How long a daemon that was signalled with the CLI (a Ctrl-C) gets to stop by itself before it is asked. */
  private static final Duration SELF_STOP = Duration.ofSeconds(5);

  private final Process process;
  private final Path log;

  private DaemonProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static DaemonProcess start(Path launcher, int port, Path dataDir) throws IOException {
    Path log = dataDir.resolve("daemon.log");
    Process p = new ProcessBuilder(launcher.toString(), "serve", "--port", Integer.toString(port),
        "--data-dir", dataDir.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    p.getOutputStream().close();
    return new DaemonProcess(p, log);
  }

  Path log() {
    return log;
  }

  /**
   * Polls {@code GET /healthz} until it answers 200; fails early, with the log's last lines, if
   * the process exits, and after {@code limit} otherwise.
   */
  void awaitHealthy(DaemonClient client, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new CliFailure.Failed("the daemon exited with code " + process.exitValue()
            + " before it was ready; the end of " + log + ":\n" + tail(30));
      }
      if (healthy(client)) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CliFailure.Failed("the daemon did not answer GET /healthz within " + limit.toSeconds()
            + " s; the end of " + log + ":\n" + tail(30));
      }
      // Waiting on the process rather than sleeping: a crash ends the wait at once.
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
  }

  private static boolean healthy(DaemonClient client) {
    try {
      return client.call("GET", "/healthz", null, HEALTH_TIMEOUT_MS).status() == 200;
    } catch (CliFailure e) {
      return false;
    }
  }

  /** Blocks until the daemon exits; returns its exit code. */
  int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Stops the daemon, then kills whatever it started that is still there. With {@code signalled}
   * (the CLI is stopping on a signal: a Ctrl-C in a terminal, which reached the daemon too, as it
   * shares the terminal's process group) the daemon is already stopping its instances and gets
   * {@link #SELF_STOP} to exit on its own, as a second signal would make it stop at once. Its
   * instances are not signalled while it runs: it stops them itself.
   */
  void stop(boolean signalled) {
    Set<ProcessHandle> started = new HashSet<>(process.descendants().toList());
    try {
      if (!signalled || !process.waitFor(SELF_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
        started.addAll(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          started.addAll(process.descendants().toList());
          process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    // What it started and left (no longer its descendants once it is gone). SIGKILL also reaches a
    // sandbox's namespace init, which ends everything in that sandbox.
    started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** The last {@code lines} lines of the daemon's log. */
  String tail(int lines) {
    try {
      List<String> all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
