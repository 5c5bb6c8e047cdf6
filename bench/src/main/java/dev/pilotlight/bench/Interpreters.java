package dev.pilotlight.bench;

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
 * The python and node binaries the daemon runs, found by the daemon's own rule (the executor's
 * {@code Interpreters}): {@code PILOTLIGHT_PYTHON} / {@code PILOTLIGHT_NODE} when set, else the
 * first {@code python3} / {@code node} on the PATH; a shim script (pyenv, asdf) is asked once for
 * the binary it runs, so baselines do not pay the shim's tens of milliseconds the daemon does not.
 */
final class Interpreters {
  private Interpreters() {}

  /** The interpreter of a python or node example; fails when there is none. */
  static Path of(Example.Kind kind, Map<String, String> env) {
    return switch (kind) {
      case PYTHON -> locate(env, "PILOTLIGHT_PYTHON", "python3", List.of("-c", "import sys; print(sys.executable)"));
      case NODE -> locate(env, "PILOTLIGHT_NODE", "node", List.of("-p", "process.execPath"));
      default -> throw new IllegalArgumentException(kind + " has no interpreter");
    };
  }

  /** Like {@link #of}, but null instead of failing when no interpreter is found. */
  static Path find(Example.Kind kind, Map<String, String> env) {
    try {
      return of(kind, env);
    } catch (BenchFailure e) {
      return null;
    }
  }

  private static Path locate(Map<String, String> env, String setting, String command, List<String> askRealPath) {
    String configured = env.get(setting);
    if (configured != null && !configured.isBlank()) {
      Path p = configured.contains("/") ? Path.of(configured).toAbsolutePath() : onPath(configured, env.get("PATH"));
      if (p == null || !Files.isExecutable(p)) {
        throw new BenchFailure(setting + ": " + configured + " (expected: an executable file, or a command on the PATH)");
      }
      return p;
    }
    Path found = onPath(command, env.get("PATH"));
    if (found == null) {
      throw new BenchFailure("no " + command + " on the PATH (install it, or set " + setting + ")");
    }
    return isScript(found) ? realBinary(found, askRealPath) : found;
  }

  private static Path onPath(String command, String searchPath) {
    if (searchPath == null) {
      return null;
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, command);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath();
        }
      }
    }
    return null;
  }

  private static boolean isScript(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return in.read() == '#' && in.read() == '!';
    } catch (IOException e) {
      return false;
    }
  }

  private static Path realBinary(Path shim, List<String> askRealPath) {
    List<String> cmd = new ArrayList<>();
    cmd.add(shim.toString());
    cmd.addAll(askRealPath);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return shim;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      Path real = out.isEmpty() || out.contains("\n") ? null : Path.of(out);
      return p.exitValue() == 0 && real != null && real.isAbsolute() && Files.isExecutable(real) ? real : shim;
    } catch (IOException e) {
      return shim;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return shim;
    }
  }
}
