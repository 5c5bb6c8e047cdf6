package dev.pilotlight.bench;

import dev.pilotlight.executor.RawHttp;
import dev.pilotlight.model.io.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * An http app running as a plain child process on a free {@code $PORT}: started like the
 * daemon's executor does ({@code /bin/sh -c "exec COMMAND"} in the package directory), but with
 * the benchmark's environment and {@code $JAVA_HOME/bin} first on PATH. Closing it kills it and
 * its descendants and waits until they are gone, so runs do not overlap.
 */
final class PlainHttpApp implements AutoCloseable {
  private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Process process;
  private final long startedAt;
  private final InetSocketAddress address;
  private final String what;
  private final Path log;

  private PlainHttpApp(Process process, long startedAt, InetSocketAddress address, String what, Path log) {
    this.process = process;
    this.startedAt = startedAt;
    this.address = address;
    this.what = what;
    this.log = log;
  }

  /** Spawns the app; {@link #startedAt()} is taken just before the spawn. */
  static PlainHttpApp start(Example example, BenchPaths paths, Path log) throws IOException {
    int port = LoopbackPorts.freePort();
    ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", "exec " + example.command()))
        .directory(example.packageDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("PATH", paths.javaHome().resolve("bin") + File.pathSeparator + pb.environment().getOrDefault("PATH", ""));
    long startedAt = System.nanoTime();
    Process process = pb.start();
    return new PlainHttpApp(process, startedAt, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
        example.name() + " as a plain process", log);
  }

  /** {@link System#nanoTime()} just before the process was spawned. */
  long startedAt() {
    return startedAt;
  }

  /** The app's process ({@code sh -c exec …}: the app itself). */
  ProcessHandle handle() {
    return process.toHandle();
  }

  InetSocketAddress address() {
    return address;
  }

  /**
   * Tries {@code GET /?name=Ann} every millisecond until it answers 200, checks the greeting and
   * returns {@link System#nanoTime()} at the end of that response.
   */
  long awaitFirstAnswer(Duration limit) throws IOException, InterruptedException {
    long deadline = startedAt + limit.toNanos();
    while (true) {
      try {
        RawHttp.Response r = RawHttp.once(address, "GET", Expect.QUERY, limit);
        long answeredAt = System.nanoTime();
        if (r.status() == 200) {
          Expect.greeting(what, r.status(), r.body());
          return answeredAt;
        }
      } catch (IOException notListeningYet) {
        // refused (or reset while binding): try again
      }
      if (!process.isAlive()) {
        throw new BenchFailure(what + " exited with code " + process.exitValue() + " before answering; see " + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new BenchFailure(what + " did not answer GET " + Expect.QUERY + " with 200 within " + limit.toSeconds() + " s; see " + tail());
      }
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return log.toString();
    }
  }

  /** Kills the app and its descendants and waits until all have exited. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> descendants = process.descendants().toList();
    descendants.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new BenchFailure(what + " (pid " + process.pid() + ") did not exit within " + STOP_LIMIT.toSeconds() + " s of SIGKILL");
    }
    for (ProcessHandle d : descendants) {
      try {
        d.onExit().get(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new BenchFailure(what + ": descendant pid " + d.pid() + " did not exit within " + STOP_LIMIT.toSeconds() + " s of SIGKILL");
      }
    }
  }
}
