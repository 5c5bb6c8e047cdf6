package dev.pilotlight.executor;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds the interpreters of the {@code python} and {@code node} runtimes once, when the daemon
 * starts: a configured path ({@code PILOTLIGHT_PYTHON}, {@code PILOTLIGHT_NODE}) wins, else the
 * first {@code python3} / {@code node} on the daemon's {@code PATH}.
 *
 * <p>Version managers (pyenv, asdf) put shell-script shims on the PATH that pick the real binary
 * on every run, which costs tens of milliseconds per cold start. A found file that is a script is
 * therefore asked once for the binary it runs ({@code sys.executable}, {@code process.execPath}).
 */
public final class Interpreters {
  private Interpreters() {}

  /** The python3 the daemon would run, or null when there is none (the benchmark uses the same rule). */
  public static Path python(Map<String, String> env) {
    return locate(env.get("PILOTLIGHT_PYTHON"), "PILOTLIGHT_PYTHON", "python3", env.get("PATH"),
        List.of("-c", "import sys; print(sys.executable)"));
  }

  /** The node the daemon would run, or null when there is none. */
  public static Path node(Map<String, String> env) {
    return locate(env.get("PILOTLIGHT_NODE"), "PILOTLIGHT_NODE", "node", env.get("PATH"), List.of("-p", "process.execPath"));
  }

  /**
   * @param configured an explicit path or command name, or null
   * @param key the setting {@code configured} came from, for the error message
   * @param askRealPath arguments that make the interpreter print its own binary's path
   * @return the interpreter, or null when none is configured and none is on the PATH
   * @throws IllegalArgumentException when a configured interpreter is not an executable file
   */
  static Path locate(String configured, String key, String command, String searchPath, List<String> askRealPath) {
    if (configured != null && !configured.isBlank()) {
      Path p = configured.contains("/") ? Path.of(configured).toAbsolutePath() : onPath(configured, searchPath);
      if (p == null || !isExecutableFile(p)) {
        throw new IllegalArgumentException(key + ": " + configured + " (expected: an executable file, or a command on the PATH)");
      }
      return p;
    }
    Path found = onPath(command, searchPath);
    return found != null && isScript(found) ? realBinary(found, askRealPath) : found;
  }

  static Path onPath(String command, String searchPath) {
    if (searchPath == null) {
      return null;
    }
    for (String dir : searchPath.split(":")) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, command);
        if (isExecutableFile(candidate)) {
          return candidate.toAbsolutePath();
        }
      }
    }
    return null;
  }

  private static boolean isExecutableFile(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }

  private static boolean isScript(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return in.read() == '#' && in.read() == '!';
    } catch (IOException e) {
      return false;
    }
  }

  /** The binary a shim runs, or the shim itself when it cannot say within 5 s. */
  private static Path realBinary(Path shim, List<String> askRealPath) {
    List<String> cmd = new ArrayList<>();
    cmd.add(shim.toString());
    cmd.addAll(askRealPath);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return shim;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() == 0 && !out.contains("\n") && !out.isEmpty()) {
        Path real = Path.of(out);
        if (real.isAbsolute() && isExecutableFile(real)) {
          return real;
        }
      }
      return shim;
    } catch (IOException | RuntimeException e) {
      return shim;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return shim;
    }
  }
}
