package dev.pilotlight.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** How every benchmark ends: the JSON written to a file (when there is one), and the table or the JSON printed. */
final class BenchOutput {
  private BenchOutput() {}

  /**
   * @param outFile where the JSON goes, or null for nowhere
   * @param table printed instead of the JSON unless {@code json}
   */
  static void finish(PrintStream stdout, Path outFile, String jsonText, boolean json, String table) throws IOException {
    if (outFile != null) {
      Files.createDirectories(outFile.toAbsolutePath().getParent());
      Files.writeString(outFile, jsonText + "\n", StandardCharsets.UTF_8);
    }
    if (json) {
      stdout.println(jsonText);
      return;
    }
    stdout.print(table);
    if (outFile != null) {
      stdout.println("JSON written to " + outFile);
    }
  }

  /** Stops the daemon under test and drops its shutdown hook (unless the JVM is already running it). */
  static void stop(DaemonUnderTest daemon, Thread hook) {
    daemon.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running already
    }
  }
}
