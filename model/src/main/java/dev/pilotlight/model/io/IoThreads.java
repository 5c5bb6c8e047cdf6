package dev.pilotlight.model.io;

/**
 * How many network threads (event loops) the daemon runs: half the cores, at least one, unless
 * {@code PILOTLIGHT_IO_THREADS} says otherwise. The other half is for the instances, which do the
 * work: a warm invocation costs its instance about what it costs the daemon. A loop beyond the
 * daemon's share adds no throughput, only hand-offs between loops, and each hand-off wakes a
 * thread, which on a virtual machine costs as much as the rest of the invocation
 * (docs/performance.md). Netty's default is twice the cores. One rule for the daemon and for the
 * benchmark's bare relay, which is measured against it.
 */
public final class IoThreads {
  /** The environment variable that sets the count. */
  public static final String SETTING = "PILOTLIGHT_IO_THREADS";

  private IoThreads() {}

  /** From this process's environment and cores. */
  public static int fromEnvironment() {
    return of(System.getenv(SETTING), Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param setting {@code PILOTLIGHT_IO_THREADS}, or null or blank for the default
   * @throws IllegalArgumentException when the setting is not a whole number from 1 to 1024
   */
  public static int of(String setting, int cores) {
    if (setting != null && !setting.isBlank()) {
      try {
        int n = Integer.parseInt(setting.trim());
        if (n >= 1 && n <= 1024) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(SETTING + "=" + setting + " (expected: a whole number from 1 to 1024)");
    }
    return Math.max(1, cores / 2);
  }
}
