package dev.pilotlight.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the demo prints once it has measured the examples: the latency table and how to try it. */
final class DemoReport {
  private static final int BODY_WIDTH = 60;

  private DemoReport() {}

  /**
   * One function's measurements.
   *
   * @param coldMs wall time of the first call, with no instance up
   * @param coldStatus HTTP status of the first call
   * @param coldBody what the first call answered
   * @param warmMs wall times of the calls that followed
   * @param launch the launch strategy that served the cold call (from the daemon's status), or null
   * @param againMs wall time of one more cold call after every instance was stopped (back from zero), or null
   */
  record Measurement(String function, String runtime, double coldMs, int coldStatus, String coldBody, List<Double> warmMs,
      String launch, Double againMs) {
    Measurement(String function, String runtime, double coldMs, int coldStatus, String coldBody, List<Double> warmMs) {
      this(function, runtime, coldMs, coldStatus, coldBody, warmMs, null, null);
    }
  }

  /** The table: function, runtime, cold ms, warm p50 ms, warm p99 ms, and the cold call's answer. */
  static String table(List<Measurement> measurements) {
    Table table = new Table().left("FUNCTION").left("RUNTIME").right("COLD MS").right("AGAIN MS").left("LAUNCH")
        .right("WARM P50 MS").right("WARM P99 MS").left("RESPONSE");
    for (Measurement m : measurements) {
      table.row(m.function(), m.runtime(), Formats.millis(m.coldMs()), m.againMs() == null ? null : Formats.millis(m.againMs()), m.launch(),
          m.warmMs().isEmpty() ? null : Formats.millis(percentile(m.warmMs(), 50)),
          m.warmMs().isEmpty() ? null : Formats.millis(percentile(m.warmMs(), 99)),
          body(m.coldStatus(), m.coldBody()));
    }
    return table.render();
  }

  /** Nearest-rank percentile: the smallest sample at or above {@code p} percent of them. */
  static double percentile(List<Double> samples, double p) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("samples: empty (expected at least one)");
    }
    List<Double> sorted = new ArrayList<>(samples);
    sorted.sort(null);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  /** The answer on one line, cut to fit; a non-200 status is shown in front. */
  static String body(int status, String body) {
    String text = body.strip().replaceAll("\\s+", " ");
    if (text.length() > BODY_WIDTH) {
      text = text.substring(0, BODY_WIDTH - 1) + "…";
    }
    return status == 200 ? text : "HTTP " + status + ": " + text;
  }

  /**
   * The URLs and example commands printed under the table; the CLI finds the demo daemon's admin
   * token through {@code PILOTLIGHT_DATA_DIR}, its data dir.
   */
  static String tryIt(String baseUrl, boolean defaultUrl, Path dataDir, List<String> functions) {
    String url = defaultUrl ? "" : " --url " + baseUrl;
    StringBuilder sb = new StringBuilder("\nTry it:\n");
    for (String f : functions) {
      sb.append("  curl '").append(baseUrl).append("/fn/").append(f).append("/?name=Ann'\n");
    }
    if (!functions.isEmpty()) {
      String first = functions.getFirst();
      sb.append("  export PILOTLIGHT_DATA_DIR=").append(dataDir).append("   # where the CLI finds this daemon's admin token\n");
      sb.append("  bin/pilotlight invoke ").append(first).append(" --data '{\"name\":\"Ann\"}'").append(url).append('\n');
      sb.append("  bin/pilotlight ls").append(url).append('\n');
      sb.append("  bin/pilotlight status ").append(first).append(url).append('\n');
      sb.append("  bin/pilotlight logs ").append(first).append(" --follow").append(url).append('\n');
      // the console signs in with a token: this daemon's admin token is in its data dir
      sb.append("  open ").append(baseUrl).append("/console/   # the console; sign in with the token in ").append(dataDir)
          .append("/admin.token\n");
      // The AWS CLI signs its requests: with an access key this daemon issues, and any region.
      sb.append("  eval \"$(bin/pilotlight keys create").append(url).append(")\"   # an access key for AWS's tools\n");
      sb.append("  AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url ").append(baseUrl).append(" lambda invoke --function-name ").append(first)
          .append(" --cli-binary-format raw-in-base64-out --payload '{\"name\":\"Ann\"}' out.json\n");
    }
    return sb.toString();
  }
}
