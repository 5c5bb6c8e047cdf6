package dev.pilotlight.bench;

import dev.pilotlight.executor.RawHttp;
import dev.pilotlight.model.io.FileTrees;
import dev.pilotlight.model.io.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fresh daemon for one benchmark run: {@code bin/pilotlight serve} on a free port with a new
 * temporary data directory (which also holds its {@code daemon.log}). Closing it stops the daemon
 * and deletes the directory; it is safe to close twice (the shutdown hook and the normal path).
 */
final class DaemonUnderTest implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final Process process;
  private final Path dataDir;
  private final InetSocketAddress address;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DaemonUnderTest(Process process, Path dataDir, InetSocketAddress address) {
    this.process = process;
    this.dataDir = dataDir;
    this.address = address;
  }

  /** The daemon's process id (bin/pilotlight serve execs the JVM), e.g. to read its CPU time. */
  long pid() {
    return process.pid();
  }

  /** Starts the daemon; it is not ready until {@link #awaitHealthy} returns. */
  static DaemonUnderTest start(Path launcher) throws IOException {
    return start(launcher, Map.of());
  }

  /** The same, with {@code env} added to the daemon's environment (e.g. {@code PILOTLIGHT_SANDBOX=off}). */
  static DaemonUnderTest start(Path launcher, Map<String, String> env) throws IOException {
    return start(launcher, env, List.of());
  }

  /** The same, with {@code serveArgs} added to {@code serve}'s options (e.g. {@code --metrics-history off}). */
  static DaemonUnderTest start(Path launcher, Map<String, String> env, List<String> serveArgs) throws IOException {
    Path dataDir = Files.createTempDirectory("pilotlight-bench-");
    int port = LoopbackPorts.freePort();
    List<String> command = new ArrayList<>(List.of(launcher.toString(), "serve", "--port", Integer.toString(port), "--data-dir",
        dataDir.toString()));
    command.addAll(serveArgs);
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dataDir.resolve("daemon.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      FileTrees.deleteTreeQuietly(dataDir);
      throw e;
    }
    return new DaemonUnderTest(process, dataDir, new InetSocketAddress("127.0.0.1", port));
  }

  /** Waits for {@code GET /healthz} to answer 200; fails with the log's tail after {@code limit}. */
  void awaitHealthy(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new BenchFailure("the daemon exited with code " + process.exitValue() + " while starting; the end of "
            + log() + ":\n" + tail(30));
      }
      try {
        if (RawHttp.once(address, "GET", "/healthz", Duration.ofSeconds(2)).status() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new BenchFailure("the daemon did not answer GET /healthz with 200 within " + limit.toSeconds()
        + " s; the end of " + log() + ":\n" + tail(30));
  }

  /** The admin token the daemon wrote to its data dir (there once /healthz answers). */
  String token() {
    try {
      return Files.readString(dataDir.resolve("admin.token")).strip();
    } catch (IOException e) {
      throw new BenchFailure("the daemon wrote no admin token to " + dataDir + ": " + e.getMessage(), e);
    }
  }

  InetSocketAddress address() {
    return address;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + address.getPort();
  }

  /** The temporary data directory, deleted on close: a place for other logs of the run too. */
  Path dataDir() {
    return dataDir;
  }

  Path log() {
    return dataDir.resolve("daemon.log");
  }

  /** The last {@code lines} lines of the daemon's log. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log() + ": " + e.getMessage() + ")";
    }
  }

  /** Stops the daemon (SIGTERM, then SIGKILL after a grace period) and deletes the data directory. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    // The daemon stops its instances itself; anything it left behind is killed here.
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    FileTrees.deleteTreeQuietly(dataDir);
  }
}
