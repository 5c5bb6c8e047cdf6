package dev.pilotlight.cli;

import dev.pilotlight.model.Durations;
import java.time.Duration;
import java.util.Locale;

/** How sizes, durations and latencies read in the CLI's output. */
final class Formats {
  private Formats() {}

  /** Bytes in binary units with one decimal: {@code 512 B}, {@code 4.1 kB}, {@code 12.0 MB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
  }

  /** Milliseconds with one decimal, no unit. */
  static String millis(double ms) {
    return String.format(Locale.ROOT, "%.1f", ms);
  }

  /** Seconds as the daemon reports them, printed like a manifest duration: {@code 30s}, {@code 5m}. */
  static String seconds(double seconds) {
    return Durations.format(Duration.ofMillis(Math.round(seconds * 1000)));
  }
}
