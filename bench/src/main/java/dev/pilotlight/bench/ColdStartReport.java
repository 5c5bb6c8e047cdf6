package dev.pilotlight.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** Renders {@code coldstart} results as the text table and as JSON; no measuring here. */
final class ColdStartReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROW = "  %-26s %5s %9s %9s %9s %9s  %s%n";

  private ColdStartReport() {}

  /** One table per example, then a legend and the run's machine, date and N. */
  static String table(List<ExampleResult> results, RunInfo info) {
    StringBuilder s = new StringBuilder();
    int refillTimeouts = 0;
    for (ExampleResult r : results) {
      refillTimeouts += r.refillTimeouts();
      s.append(r.example()).append(" (").append(r.runtime()).append(")\n");
      s.append(String.format(Locale.ROOT, ROW, "", "n", "p50 ms", "p90 ms", "p99 ms", "ratio", "strategy"));
      for (RungResult rung : r.rungs()) {
        String note = rung.strategy() + (rung.init() == null ? "" : "; init p50 " + ms(rung.init().p50()) + " ms");
        if (r.interpreter() != null) {
          note += "; " + times(r.vsInterpreter(rung)) + " a bare interpreter start";
        }
        s.append(row("cold, " + rung.rung(), rung.cold(), times(r.ratio(rung)), note));
      }
      s.append(row("plain process (baseline)", r.baseline(), "", ""));
      if (r.interpreter() != null) {
        s.append(row("bare interpreter start", r.interpreter(), "", ""));
      }
      if (r.warm() != null) {
        s.append(row("pilotlight warm", r.warm(), r.warmBaseline() == null ? "" : times(r.warmRatio()), ""));
      }
      if (r.warmBaseline() != null) {
        s.append(row("direct warm (baseline)", r.warmBaseline(), "", ""));
      }
      s.append('\n');
    }
    s.append("cold, RUNG: a request through the gateway to a function with no instance up, send → whole response;\n")
        .append("  default = as deployed (the fastest rung available), pool / aot / plain = a copy capped with PILOTLIGHT_LAUNCH;\n")
        .append("  as-user = as deployed, left to scale to zero by itself, called 2 s later with nothing stopped or settled first.\n")
        .append("strategy: what the daemon says served each cold start (status lastColdStart.strategy), counted when mixed;\n")
        .append("  init: the daemon's init duration of those cold starts (lastColdStart.initMs: launch → instance ready).\n")
        .append("ratio = baseline p50 / row p50 (how many times faster Pilotlight is; below 1: slower).\n")
        .append("× a bare interpreter start = rung p50 / bare interpreter p50 (python/node; target ≤ 1.5×).\n");
    if (refillTimeouts > 0) {
      s.append("note: ").append(refillTimeouts).append(" wait(s) for the warm pool to refill ran out after ")
          .append(PoolWatch.REFILL_LIMIT.toSeconds()).append(" s; the next call was timed anyway.\n");
    }
    s.append("percentiles: nearest rank. ").append(info.describe()).append('\n');
    return s.toString();
  }

  /**
   * The same figures as an object keyed by example, then by rung. Each example: {@code runtime},
   * {@code rungs} (keyed by rung: {@code function}, {@code strategy}, {@code strategies} (strategy →
   * count), {@code cold}, {@code init} (the daemon's init durations), {@code ratio},
   * {@code vsInterpreter}), {@code baseline},
   * {@code interpreter}, {@code warm}, {@code warmBaseline}, {@code warmRatio},
   * {@code poolRefillTimeouts}, and, as before rungs existed, {@code strategy}, {@code ratio} and
   * {@code cold} of the default rung. Figures are {@code {"n", "p50", "p90", "p99"}} in ms, or null.
   */
  static ObjectNode json(List<ExampleResult> results) {
    ObjectNode root = JSON.createObjectNode();
    for (ExampleResult r : results) {
      ObjectNode e = root.putObject(r.example());
      e.put("runtime", r.runtime());
      RungResult def = r.defaultRung();
      e.put("strategy", def.strategy());
      number(e, "ratio", r.ratio(def));
      put(e, "cold", def.cold());
      ObjectNode rungs = e.putObject("rungs");
      for (RungResult rung : r.rungs()) {
        ObjectNode o = rungs.putObject(rung.rung());
        o.put("function", rung.function());
        o.put("strategy", rung.strategy());
        ObjectNode counts = o.putObject("strategies");
        rung.strategies().forEach(counts::put);
        put(o, "cold", rung.cold());
        put(o, "init", rung.init());
        number(o, "ratio", r.ratio(rung));
        number(o, "vsInterpreter", r.vsInterpreter(rung));
      }
      put(e, "baseline", r.baseline());
      put(e, "interpreter", r.interpreter());
      put(e, "warm", r.warm());
      put(e, "warmBaseline", r.warmBaseline());
      number(e, "warmRatio", r.warmRatio());
      e.put("poolRefillTimeouts", r.refillTimeouts());
    }
    return root;
  }

  static String jsonText(List<ExampleResult> results) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(results));
    } catch (JsonProcessingException e) {
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

  /** A number, or null for NaN (a ratio that does not apply). */
  private static void number(ObjectNode parent, String field, double v) {
    if (Double.isNaN(v)) {
      parent.putNull(field);
    } else {
      parent.put(field, round(v));
    }
  }

  private static String row(String label, Summary s, String ratio, String note) {
    return String.format(Locale.ROOT, ROW, label, s.n(), ms(s.p50()), ms(s.p90()), ms(s.p99()), ratio, note).stripTrailing() + "\n";
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String times(double v) {
    return String.format(Locale.ROOT, "%.2f×", v);
  }

  /** Microsecond precision is more than these measurements carry. */
  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /**
   * The sandbox's cost, rung by rung: p50 with it on and off (each daemon's own run), on / off, and
   * each run's baseline, since the machine may drift between the two runs.
   */
  static String sandboxTable(List<ExampleResult> on, List<ExampleResult> off) {
    StringBuilder s = new StringBuilder("sandbox on vs off (p50 ms)\n");
    s.append(String.format(Locale.ROOT, "  %-30s %9s %9s %8s %20s%n", "", "on", "off", "on/off", "baseline on / off"));
    for (ExampleResult a : on) {
      ExampleResult b = off.stream().filter(r -> r.example().equals(a.example())).findFirst().orElse(null);
      if (b == null) {
        continue;
      }
      for (RungResult ra : a.rungs()) {
        RungResult rb = b.rungs().stream().filter(r -> r.rung().equals(ra.rung())).findFirst().orElse(null);
        if (rb == null) {
          continue;
        }
        Summary baseA = a.interpreter() != null ? a.interpreter() : a.baseline();
        Summary baseB = b.interpreter() != null ? b.interpreter() : b.baseline();
        s.append(String.format(Locale.ROOT, "  %-30s %9s %9s %7.2fx %20s%n", a.example() + ", cold " + ra.rung(), ms(ra.cold().p50()),
            ms(rb.cold().p50()), ra.cold().p50() / rb.cold().p50(),
            ms(baseA.p50()) + " / " + ms(baseB.p50()) + (a.interpreter() != null ? " (bare)" : "")));
      }
      if (a.warm() != null && b.warm() != null) {
        s.append(String.format(Locale.ROOT, "  %-30s %9s %9s %+7.3f ms%n", a.example() + ", warm", ms(a.warm().p50()), ms(b.warm().p50()),
            a.warm().p50() - b.warm().p50()));
      }
    }
    s.append("on/off = p50 with the sandbox / p50 without (target for hello-java: <= 1.2x); baseline: the plain process, or the\n")
        .append("  bare interpreter start for python/node, measured in the same daemon's run. warm: on - off, in ms (target <= 0.1).\n");
    return s.toString();
  }

  /** {@code {"sandboxOn": …, "sandboxOff": …}}, each as {@link #json}. */
  static String sandboxJsonText(List<ExampleResult> on, List<ExampleResult> off) {
    ObjectNode root = JSON.createObjectNode();
    root.set("sandboxOn", json(on));
    root.set("sandboxOff", json(off));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
