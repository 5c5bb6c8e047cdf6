package dev.pilotlight.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's memory, for the default memory budget: {@code MemTotal} of {@code /proc/meminfo}
 * on Linux, else what the JVM reports as the total physical memory.
 */
final class MachineMemory {
  private static final Pattern MEM_TOTAL = Pattern.compile("(?m)^MemTotal:\\s+(\\d+)\\s*kB");

  private MachineMemory() {}

  /** Total memory in MB. */
  static long totalMb() {
    try {
      Long mb = parseMemTotalMb(Files.readString(Path.of("/proc/meminfo")));
      if (mb != null) {
        return mb;
      }
    } catch (IOException | RuntimeException notLinux) {
      // fall through to the JVM's figure
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getTotalMemorySize() / (1024 * 1024);
  }

  /** {@code MemTotal} of a {@code /proc/meminfo} text in MB; null if it has none. */
  static Long parseMemTotalMb(String meminfo) {
    Matcher m = MEM_TOTAL.matcher(meminfo);
    return m.find() ? Long.parseLong(m.group(1)) / 1024 : null;
  }

  /** The default budget: {@code share} of the machine's memory, at least 1 MB. */
  static long defaultBudgetMb(long totalMb, double share) {
    return Math.max(1, (long) (totalMb * share));
  }
}
