package dev.pilotlight.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a run's CPU went, per request: a proxy's processes, the app's processes and the whole
 * machine (user + system time from {@code /proc}). On a machine whose cores the client, the proxy
 * and the app share, throughput follows what the three spend together, so the proxy's own figure
 * alone does not say why one proxy serves more than another.
 */
final class CpuSplit {
  /** Linux's USER_HZ: {@code /proc} counts CPU time in these. */
  static final long CLOCK_TICKS = 100;

  private CpuSplit() {}

  /** User plus system CPU of a process so far, in clock ticks ({@code /proc/<pid>/stat} fields 14 and 15). */
  static long cpuTicks(long pid) throws IOException {
    return ProcessFootprint.ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
  }

  /** CPU ticks of a set of processes (looked up when a run starts, so new descendants count), and of the machine. */
  record Snapshot(Map<Long, Long> proxy, Map<Long, Long> app, long machine) {}

  /** µs of CPU per request: the proxy's processes (none: 0), the app's, the whole machine's. */
  record PerRequest(double proxy, double app, double machine) {
    static final PerRequest NONE = new PerRequest(Double.NaN, Double.NaN, Double.NaN);
  }

  static Snapshot take(Supplier<List<ProcessHandle>> proxy, Supplier<List<ProcessHandle>> app) throws IOException {
    return new Snapshot(ticks(proxy.get()), ticks(app.get()), machineTicks(Files.readString(Path.of("/proc/stat"))));
  }

  /** What each process had spent; one gone before it was read is left out. */
  static Map<Long, Long> ticks(List<ProcessHandle> processes) {
    Map<Long, Long> out = new HashMap<>();
    for (ProcessHandle p : processes) {
      try {
        out.put(p.pid(), cpuTicks(p.pid()));
      } catch (IOException | RuntimeException e) {
        // exited meanwhile
      }
    }
    return out;
  }

  static PerRequest between(Snapshot before, Snapshot after, long requests) {
    if (requests <= 0) {
      return PerRequest.NONE;
    }
    double perTick = 1_000_000.0 / CLOCK_TICKS / requests;
    return new PerRequest(spent(before.proxy(), after.proxy()) * perTick, spent(before.app(), after.app()) * perTick,
        (after.machine() - before.machine()) * perTick);
  }

  /**
   * Ticks spent between two readings by the processes present in both (one that started or exited
   * in between is left out: its share is lost, never counted twice or negative).
   */
  static long spent(Map<Long, Long> before, Map<Long, Long> after) {
    long sum = 0;
    for (var e : before.entrySet()) {
      Long now = after.get(e.getKey());
      if (now != null && now >= e.getValue()) {
        sum += now - e.getValue();
      }
    }
    return sum;
  }

  /** The machine's busy ticks from {@code /proc/stat}'s {@code cpu} line: user, nice, system, irq and softirq (not idle, iowait or steal). */
  static long machineTicks(String procStat) {
    for (String line : procStat.split("\n")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
      }
    }
    throw new IllegalArgumentException("no cpu line in /proc/stat");
  }

  /** A process and everything it started, as they are now. */
  static List<ProcessHandle> withDescendants(ProcessHandle root) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants()).toList();
  }
}
