package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** Renders {@code coldstart} results as the text table and as JSON; no measuring here. */
final class ColdStartReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROW = "  %-32s %5s %9s %9s %9s  %s%n";

  private ColdStartReport() {}

  /** One table per example, then a legend and the run's machine, date and N. */
  static String table(List<ExampleResult> results, RunInfo info) {
    StringBuilder s = new StringBuilder();
    for (ExampleResult r : results) {
      s.append(r.example()).append('\n');
      s.append(String.format(Locale.ROOT, ROW, "", "n", "p50 ms", "p90 ms", "p99 ms", "ratio"));
      s.append(row("pilotlight cold (" + r.strategy() + ")", r.cold(), ratio(r.ratio())));
      s.append(row("plain process (baseline)", r.baseline(), ""));
      if (r.warm() != null) {
        s.append(row("pilotlight warm", r.warm(), r.warmBaseline() == null ? "" : ratio(r.warmRatio())));
      }
      if (r.warmBaseline() != null) {
        s.append(row("direct warm (baseline)", r.warmBaseline(), ""));
      }
      s.append('\n');
    }
    s.append("ratio = baseline p50 / pilotlight p50 (how many times faster Pilotlight is; below 1: slower).\n");
    s.append("percentiles: nearest rank. ").append(info.describe()).append('\n');
    return s.toString();
  }

  /**
   * The same figures as an object keyed by example, each with {@code cold}, {@code baseline},
   * {@code warm}, {@code warmBaseline} ({@code n}, {@code p50}, {@code p90}, {@code p99} in ms, or
   * null), {@code ratio}, {@code warmRatio} and {@code strategy}.
   */
  static ObjectNode json(List<ExampleResult> results) {
    ObjectNode root = JSON.createObjectNode();
    for (ExampleResult r : results) {
      ObjectNode e = root.putObject(r.example());
      e.put("strategy", r.strategy());
      e.put("ratio", round(r.ratio()));
      if (Double.isNaN(r.warmRatio())) {
        e.putNull("warmRatio");
      } else {
        e.put("warmRatio", round(r.warmRatio()));
      }
      put(e, "cold", r.cold());
      put(e, "baseline", r.baseline());
      put(e, "warm", r.warm());
      put(e, "warmBaseline", r.warmBaseline());
    }
    return root;
  }

  static String jsonText(List<ExampleResult> results) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(results));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(ObjectNode parent, String field, Summary s) {
    if (s == null) {
      parent.putNull(field);
      return;
    }
    parent.putObject(field).put("n", s.n()).put("p50", round(s.p50())).put("p90", round(s.p90())).put("p99", round(s.p99()));
  }

  private static String row(String label, Summary s, String ratio) {
    return String.format(Locale.ROOT, ROW, label, s.n(), ms(s.p50()), ms(s.p90()), ms(s.p99()), ratio);
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ratio(double v) {
    return String.format(Locale.ROOT, "%.2f×", v);
  }

  /** Microsecond precision is more than these measurements carry. */
  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
