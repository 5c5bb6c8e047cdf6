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
 * @param jitTicks the CPU ticks of each of the process's live JIT compiler threads (HotSpot's {@code C1/C2 CompilerThreadN}), by thread id
 */
record ProcessFootprint(long rssKb, long cpuTicks, long descendantsRssKb, Map<Long, Long> descendantTicks, Map<Long, Long> jitTicks) {

  /** Reads {@code pid}'s footprint now; fails when the process is gone. */
  static ProcessFootprint of(long pid) throws IOException {
    ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new BenchFailure("process " + pid + " is gone"));
    long rss = rssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    long ticks = CpuSplit.cpuTicks(pid);
    long descendantsRss = 0;
    Map<Long, Long> descendants = new HashMap<>();
    for (ProcessHandle p : root.descendants().toList()) {
      try {
        descendantsRss += rssKb(Files.readString(Path.of("/proc", Long.toString(p.pid()), "status")));
        descendants.put(p.pid(), CpuSplit.cpuTicks(p.pid()));
      } catch (IOException exited) {
        // gone between the listing and the read: it holds nothing now
      }
    }
    return new ProcessFootprint(rss, ticks, descendantsRss, Map.copyOf(descendants), jitTicks(pid));
  }

  /** The ticks of {@code pid}'s JIT compiler threads, by thread id (a thread that ends in between is simply not there). */
  static Map<Long, Long> jitTicks(long pid) throws IOException {
    Map<Long, Long> jit = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          if (isJitCompiler(stat)) {
            jit.put(Long.parseLong(task.getFileName().toString()), ticks(stat));
          }
        } catch (IOException ended) {
          // the thread ended between the listing and the read
        }
      }
    }
    return Map.copyOf(jit);
  }

  /** Whether a {@code /proc/<pid>/task/<tid>/stat} text is a HotSpot JIT compiler thread's (its name is cut to 15 characters there). */
  static boolean isJitCompiler(String stat) {
    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
  }

  /** User plus system ticks of a {@code stat} text (fields 14 and 15, counted after the parenthesised name, which may hold spaces). */
  static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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

  /** The share of {@link #cpuPercentSince} spent compiling by the JIT (it fades as the daemon's code warms up; counted as descendants are). */
  double jitCpuPercentSince(ProcessFootprint before, double seconds) {
    long ticks = 0;
    for (var e : jitTicks.entrySet()) {
      ticks += e.getValue() - before.jitTicks.getOrDefault(e.getKey(), 0L);
    }
    return percent(ticks, seconds);
  }

  private static double percent(long ticks, double seconds) {
    return ticks * 100.0 / CpuSplit.CLOCK_TICKS / seconds;
  }
}
