package dev.pilotlight.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One wrk run's figures, parsed from its {@code --latency} output: requests per second, the
 * latency percentiles wrk prints (50 %, 99 %), and the requests that did not get a 2xx/3xx.
 */
record WrkRun(double requestsPerSecond, double p50Ms, double p99Ms, long requests, long errors) {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  static WrkRun parse(String output) {
    Matcher rps = RPS.matcher(output);
    Matcher total = TOTAL.matcher(output);
    if (!rps.find() || !total.find()) {
      throw new BenchFailure("wrk printed no figures:\n" + output);
    }
    long errors = 0;
    Matcher non2xx = NON_2XX.matcher(output);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    Matcher socket = SOCKET_ERRORS.matcher(output);
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(socket.group(g));
      }
    }
    return new WrkRun(Double.parseDouble(rps.group(1)), percentile(output, "50%"), percentile(output, "99%"), Long.parseLong(total.group(1)),
        errors);
  }

  /** A line of wrk's "Latency Distribution", e.g. {@code      50%    1.23ms}, in milliseconds. */
  static double percentile(String output, String label) {
    Matcher m = Pattern.compile("^\\s*" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE).matcher(output);
    if (!m.find()) {
      throw new BenchFailure("wrk printed no " + label + " latency (was it run with --latency?):\n" + output);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "us" -> v / 1000;
      case "ms" -> v;
      case "s" -> v * 1000;
      default -> v * 60_000;
    };
  }
}
