package dev.pilotlight.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The external Lambda extensions of a function: the executables in its package's
 * {@code opt/extensions/} (what a layer's {@code extensions/} holds on AWS, where it is extracted
 * to {@code /opt}). Each is started beside the runtime, in the instance's sandbox and cgroup, with
 * {@code AWS_LAMBDA_RUNTIME_API} set, before the runtime (see {@link #wrap}); their output lines
 * reach the instance's output marked with {@link #MARK}.
 *
 * <p>A package's files never change after deploy (a new deploy is a new code directory), so the
 * listing is read once per code directory and kept: a cold start of a function without extensions
 * costs a map look-up.
 */
final class ExternalExtensions {
  static final String DIR = "opt/extensions";
  /** What starts every output line of an extension (ASCII record separator), stripped before the line is logged. */
  static final char MARK = '\u001e';
  /** After {@link #MARK}: the rest of the line is the file name of an extension whose process ended. */
  static final char EXITED = '\u001d';
  private static final Map<Path, List<String>> BY_CODE_DIR = new ConcurrentHashMap<>();

  private ExternalExtensions() {}

  /** The names of the executables in {@code codeDir}'s {@value #DIR}, sorted; empty when there is none. */
  static List<String> in(Path codeDir) {
    if (codeDir == null) {
      return List.of();
    }
    return BY_CODE_DIR.computeIfAbsent(codeDir, ExternalExtensions::list);
  }

  private static List<String> list(Path codeDir) {
    Path dir = codeDir.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(f -> Files.isRegularFile(f) && Files.isExecutable(f)).forEach(f -> names.add(f.getFileName().toString()));
    } catch (IOException e) {
      return List.of();
    }
    names.sort(null);
    return List.copyOf(names);
  }

  /**
   * {@code cmd} preceded by a shell that starts each extension (as the instance sees its code,
   * under {@code taskRoot}) in the background and then becomes the runtime: the extensions are the
   * runtime's children, in its sandbox, cgroup and environment.
   */
  static List<String> wrap(List<String> cmd, String taskRoot, List<String> names) {
    List<String> out = new ArrayList<>();
    out.add("/bin/sh");
    out.add("-c");
    // Each extension's output passes through sed, which marks its lines (see MARK): the Telemetry API
    // tells them apart from the function's as AWS does, and an extension never gets its own lines back.
    // When an extension's process ends, one more marked line says so (EXITED): the endpoint then
    // knows a crash, or an extension done with its SHUTDOWN, without waiting for a connection.
    out.add("while [ \"$1\" != -- ]; do ( \"$1\" 2>&1 | sed -u 's/^/" + MARK + "/'; printf '" + MARK + EXITED
        + "%s\\n' \"${1##*/}\" ) & shift; done; shift; exec \"$@\"");
    out.add("pilotlight-extensions");
    for (String name : names) {
      out.add(taskRoot + "/" + DIR + "/" + name);
    }
    out.add("--");
    out.addAll(cmd);
    return List.copyOf(out);
  }
}
