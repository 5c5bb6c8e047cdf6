package dev.pilotlight.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A daemon started as a child process ({@code LAUNCHER serve --port P --data-dir DIR}), its output in {@code DIR/daemon.log}. */
final class DaemonProcess {
  private static final int HEALTH_TIMEOUT_MS = 1_000;
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

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

  /** Asks the daemon (and anything the launcher started) to stop, then forces it after a grace period. */
  void stop() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
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
