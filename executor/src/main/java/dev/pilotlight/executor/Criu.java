package dev.pilotlight.executor;

import dev.pilotlight.model.io.FileTrees;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CRIU binary the snapshot rung can use, and the commands it is run with. {@link #detect} finds
 * one once, at start-up: from the daemon's setting ({@code serve --criu PATH|auto|off}), else
 * {@code /opt/pilotlight-criu/sbin/criu} (what {@code bin/build-criu} installs), else {@code criu}
 * on the PATH if it is at least {@value #MIN_MAJOR}.{@value #MIN_MINOR} (older ones cannot
 * checkpoint a JVM on current kernels); it must pass {@code criu check}, and {@code unshare} and
 * {@code setsid} (util-linux) must be on the PATH. Anything missing means no snapshot rung, never
 * a failed daemon or deploy.
 */
final class Criu {
  static final Path DEFAULT_BINARY = Path.of("/opt/pilotlight-criu/sbin/criu");
  static final int MIN_MAJOR = 4;
  static final int MIN_MINOR = 1;
  /** The trial dump of {@link #trialDump} takes ~0.1 s where CRIU works. */
  static final int TRIAL_SECONDS = 10;
  private static final Pattern VERSION = Pattern.compile("(?m)^Version:\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  final Path binary;
  final String version;
  final Path unshare;
  final Path setsid;

  Criu(Path binary, String version, Path unshare, Path setsid) {
    this.binary = binary;
    this.version = version;
    this.unshare = unshare;
    this.setsid = setsid;
  }

  /** What detection found: a usable CRIU, or why there is none. */
  record Detection(Criu criu, String reason) {
    static Detection none(String reason) {
      return new Detection(null, reason);
    }
  }

  /**
   * Finds and checks CRIU as described on the class; {@code setting} is {@code off}, {@code auto}
   * (or null) or a path. Runs processes: call it off the request path.
   */
  static Detection detect(String setting, Map<String, String> env) {
    String s = setting == null || setting.isBlank() ? "auto" : setting.strip();
    if (s.equals("off")) {
      return Detection.none("turned off (--criu off)");
    }
    String path = env.getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    Path binary;
    boolean explicit = !s.equals("auto");
    if (explicit && !Files.isExecutable(Path.of(s))) {
      return Detection.none(s + " is not an executable file");
    }
    Path unshare = onPath("unshare", path);
    Path setsid = onPath("setsid", path);
    if (unshare == null || setsid == null) {
      return Detection.none("unshare and setsid (util-linux) are not both on the PATH");
    }
    if (explicit) {
      binary = Path.of(s);
    } else if (Files.isExecutable(DEFAULT_BINARY)) {
      binary = DEFAULT_BINARY;
    } else {
      binary = onPath("criu", path);
      if (binary == null) {
        return Detection.none("no criu (build one with bin/build-criu)");
      }
    }
    Result v = run(List.of(binary.toString(), "--version"));
    String version = parseVersion(v.output());
    if (version == null) {
      return Detection.none(binary + " --version printed no version: " + OutputCapture.lastLine(v.output()));
    }
    if (!explicit && !binary.equals(DEFAULT_BINARY) && !atLeast(version, MIN_MAJOR, MIN_MINOR)) {
      return Detection.none(binary + " is CRIU " + version + ", older than " + MIN_MAJOR + "." + MIN_MINOR
          + " (build a newer one with bin/build-criu)");
    }
    Result check = run(List.of(binary.toString(), "check"));
    if (check.exit() != 0) {
      return Detection.none(binary + " check failed: " + OutputCapture.lastLine(check.output()));
    }
    Criu criu = new Criu(binary, version, unshare, setsid);
    String trial = criu.trialDump();
    return trial == null ? new Detection(criu, null) : Detection.none(trial);
  }

  /**
   * Dumps a {@code sleep} started the way apps are ({@link #snapshotCommand}), within
   * {@value #TRIAL_SECONDS} s: {@code criu check} passes on kernels where a dump then hangs in the
   * parasite (seen on a 6.18 kernel in a Firecracker VM), and each deploy would wait out the dump's
   * time limit for nothing. Null when the dump worked, else why not.
   */
  String trialDump() {
    Path dir = null;
    Process p = null;
    try {
      dir = Files.createTempDirectory("pilotlight-criu-trial-");
      p = new ProcessBuilder(snapshotCommand("sleep 300")).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRIAL_SECONDS);
      Long init = null;
      while (init == null && System.nanoTime() < deadline) {
        init = p.children().findFirst().map(ProcessHandle::pid).orElse(null);
        if (init == null) {
          Thread.sleep(5);
        }
      }
      if (init == null) {
        return "a trial process for criu did not start";
      }
      Path log = dir.resolve("dump.log");
      Process dump = new ProcessBuilder(dumpCommand(init, dir, log)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      long left = Math.max(1, deadline - System.nanoTime());
      if (!dump.waitFor(left, TimeUnit.NANOSECONDS)) {
        dump.descendants().forEach(ProcessHandle::destroyForcibly);
        dump.destroyForcibly();
        return binary + " dump of a trial process did not finish within " + TRIAL_SECONDS + " s on this kernel ("
            + System.getProperty("os.version") + "); criu check passes but dumps hang here";
      }
      if (dump.exitValue() != 0) {
        return binary + " dump of a trial process failed: " + errors(Files.exists(log) ? Files.readString(log) : "");
      }
      return null;
    } catch (IOException e) {
      return "trial dump: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "trial dump interrupted";
    } finally {
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      if (dir != null) {
        FileTrees.deleteTreeQuietly(dir);
      }
    }
  }

  /** {@code 4.1.1} from {@code criu --version}'s {@code Version: 4.1.1}; null when there is none. */
  static String parseVersion(String output) {
    Matcher m = VERSION.matcher(output);
    if (!m.find()) {
      return null;
    }
    return m.group(1) + "." + m.group(2) + (m.group(3) != null ? "." + m.group(3) : "");
  }

  static boolean atLeast(String version, int major, int minor) {
    String[] parts = version.split("\\.");
    try {
      int ma = Integer.parseInt(parts[0]);
      int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The command that starts an app to be checkpointed: {@code command} (through {@code /bin/sh -c
   * exec}) as PID 1 of a new PID namespace, leading its own session, which is what CRIU needs to
   * dump it alone and restore it again and again (a restore re-creates the namespace, so the
   * image's PIDs are always free). {@code setsid} goes inside {@code unshare}: the other way round
   * the session leader is outside the namespace and the dump fails.
   */
  List<String> snapshotCommand(String command) {
    return List.of(unshare.toString(), "--pid", "--fork", setsid.toString(), "/bin/sh", "-c", "exec " + command);
  }

  /**
   * Checkpoints the process tree rooted at {@code pid} into {@code images} and kills it. Connections
   * it has open are dropped ({@code --tcp-close}; a restored app finds them closed), and connections
   * not yet accepted are left behind ({@code --skip-in-flight}).
   */
  List<String> dumpCommand(long pid, Path images, Path log) {
    return List.of(binary.toString(), "dump", "-t", Long.toString(pid), "-D", images.toString(), "--tcp-close", "--skip-in-flight",
        "-o", log.toString());
  }

  /**
   * Restores {@code images} as a child of the criu process, which stays and exits when the restored
   * app does (so the daemon sees the exit). The app's stdout and stderr, pipes at dump time (their
   * ids {@code pipe:[INODE]} recorded then), become criu's own fds 1 and 2: the daemon's pipes.
   */
  List<String> restoreCommand(Path images, Path pidfile, Path log, String stdoutPipe, String stderrPipe) {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "restore", "-D", images.toString(), "--tcp-close",
        "--pidfile", pidfile.toString(), "-o", log.toString()));
    if (stdoutPipe != null) {
      cmd.add("--inherit-fd");
      cmd.add("fd[1]:" + stdoutPipe);
    }
    if (stderrPipe != null && !stderrPipe.equals(stdoutPipe)) {
      cmd.add("--inherit-fd");
      cmd.add("fd[2]:" + stderrPipe);
    }
    return cmd;
  }

  /** The lines of a CRIU log that say what failed ({@code Error …}), without the harmless rlimit one. */
  static String errors(String log) {
    List<String> out = new ArrayList<>();
    for (String line : log.split("\n")) {
      if (line.contains("Error") && !line.contains("RLIMIT_NOFILE")) {
        out.add(line.strip());
      }
    }
    return out.isEmpty() ? OutputCapture.lastLine(log) : String.join("; ", out.subList(Math.max(0, out.size() - 3), out.size()));
  }

  private static Path onPath(String name, String path) {
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      byte[] out = p.getInputStream().readNBytes(64 * 1024);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
