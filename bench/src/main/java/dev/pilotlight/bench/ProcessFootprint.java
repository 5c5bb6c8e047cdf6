package dev.pilotlight.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a process tree holds and has used, read from Linux's {@code /proc}: the resident memory of
 * the process itself and of its descendants (the daemon's warm pool and instances, sandbox
 * wrappers included), and their CPU time so far.
 *
 * @param rssKb the process's own {@code VmRSS}
 * @param cpuTicks the process's user plus system CPU, in clock ticks
 * @param descendantsRssKb the sum of every descendant's {@code VmRSS}
 * @param descendantTicks each live descendant's CPU ticks, by pid
 */
record ProcessFootprint(long rssKb, long cpuTicks, long descendantsRssKb, Map<Long, Long> descendantTicks) {

  /** Reads {@code pid}'s footprint now; fails when the process is gone. */
  static ProcessFootprint of(long pid) throws IOException {
    ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new BenchFailure("process " + pid + " is gone"));
    long rss = rssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    long ticks = ThroughputCommand.cpuTicks(pid);
    long descendantsRss = 0;
    Map<Long, Long> descendants = new HashMap<>();
    for (ProcessHandle p : root.descendants().toList()) {
      try {
        descendantsRss += rssKb(Files.readString(Path.of("/proc", Long.toString(p.pid()), "status")));
        descendants.put(p.pid(), ThroughputCommand.cpuTicks(p.pid()));
      } catch (IOException exited) {
        // gone between the listing and the read: it holds nothing now
      }
    }
    return new ProcessFootprint(rss, ticks, descendantsRss, Map.copyOf(descendants));
  }

  /** The {@code VmRSS:   1234 kB} line of a {@code /proc/<pid>/status} text, in kB; 0 without one (a zombie). */
  static long rssKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String v = line.substring("VmRSS:".length()).strip();
        int space = v.indexOf(' ');
        return Long.parseLong(space < 0 ? v : v.substring(0, space));
      }
    }
    return 0;
  }

  /** The process's own CPU from {@code before} to this reading, as a percentage of one core over {@code seconds}. */
  double cpuPercentSince(ProcessFootprint before, double seconds) {
    return percent(cpuTicks - before.cpuTicks, seconds);
  }

  /**
   * The descendants' CPU from {@code before} to this reading, in % of one core: each one alive now
   * counts from its ticks then (from zero when it started in between); one that ended in between is
   * not counted (its last ticks cannot be read).
   */
  double descendantsCpuPercentSince(ProcessFootprint before, double seconds) {
    long ticks = 0;
    for (var e : descendantTicks.entrySet()) {
      ticks += e.getValue() - before.descendantTicks.getOrDefault(e.getKey(), 0L);
    }
    return percent(ticks, seconds);
  }

  private static double percent(long ticks, double seconds) {
    return ticks * 100.0 / ThroughputCommand.CLOCK_TICKS / seconds;
  }
}
