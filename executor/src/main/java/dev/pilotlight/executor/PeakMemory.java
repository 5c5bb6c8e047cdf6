package dev.pilotlight.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's peak resident memory, from Linux's {@code /proc/<pid>/status}. */
final class PeakMemory {
  private PeakMemory() {}

  /** {@code VmHWM} of {@code pid} in kB; 0 if the process is gone or the system has no such file. */
  static long highWaterMarkKb(long pid) {
    return parseVmHwmKb(read(Path.of("/proc", Long.toString(pid), "status")));
  }

  /** The {@code VmHWM:   1234 kB} line of a status file's text, in kB; 0 without one. */
  static long parseVmHwmKb(String status) {
    if (status == null) {
      return 0;
    }
    for (String line : status.split("\n")) {
      if (line.startsWith("VmHWM:")) {
        String v = line.substring("VmHWM:".length()).trim();
        int space = v.indexOf(' ');
        try {
          return Long.parseLong(space < 0 ? v : v.substring(0, space));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | SecurityException e) {
      return null; // exited, or not Linux
    }
  }
}
