package dev.pilotlight.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** Renders {@code burst} results as text tables and as JSON; no measuring here. */
final class BurstReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROW = "  %-22s %7s %7s %5s %6s %8s %8s %8s %7s %9s %11s %9s%n";

  private BurstReport() {}

  static String table(BurstCommand.Result r) {
    BurstCommand.Settings s = r.settings();
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "'%s': fixtures.Sleep sleeping %d ms per call; concurrency %d per instance, maxInstances %d, "
        + "memory %d MB, idle timeout %d s (keep-alive fixed); Lambda Invoke API, closed-loop clients on keep-alive connections%n",
        BurstCommand.FUNCTION, s.sleepMs(), s.concurrency(), s.maxInstances(), s.memoryMb(), s.idleSeconds()));
    t.append(String.format(Locale.ROOT, ROW, "", "calls", "2xx %", "429", "errors", "p50 ms", "p90 ms", "p99 ms", "2xx/s", "first 2xx",
        "last client", "instances"));
    row(t, r.burst());
    row(t, r.warm());
    if (r.sustained() != null) {
      row(t, r.sustained());
    }
    t.append('\n');
    t.append("launched during the burst: ").append(r.burst().launches().describe()).append('\n');
    t.append("instances over the burst (ready+starting, desired):\n  ").append(series(r.burst().samples(), 500, r.burst().seconds() * 1000L))
        .append('\n');
    t.append(String.format(Locale.ROOT, "scale to zero: %.1f s after the warm baseline ended (idle timeout %d s)%n",
        r.zeroAfterBurstMs() / 1000.0, s.idleSeconds()));
    if (r.sustained() != null) {
      Settling st = r.settling();
      t.append("launched during the sustained load: ").append(r.sustained().launches().describe()).append('\n');
      t.append("instances over the sustained load (ready+starting, desired):\n  ")
          .append(series(r.sustained().samples(), 10_000, r.sustained().seconds() * 1000L)).append('\n');
      t.append(String.format(Locale.ROOT, "sustained: after the ramp-up, %d change(s) and %d reversal(s) of the ready count"
          + " (a reversal is flapping); last change at %.1f s; %d to %d instances ready%n",
          st.changes(), st.reversals(), st.lastChangeMs() / 1000.0, st.minReady(), st.maxReady()));
      t.append(String.format(Locale.ROOT, "scale to zero: %.1f s after the sustained load ended (idle timeout %d s)%n",
          r.zeroAfterSustainedMs() / 1000.0, s.idleSeconds()));
    }
    t.append("2xx %: share of calls answered 2xx; 429: throttled (queue full, queue wait over, no memory); errors: other statuses or no answer.\n")
        .append("p50/p90/p99: every answered call, send → whole answer (nearest rank). first 2xx: from the start to the first 2xx answer;\n")
        .append("  last client: until the last client got its first 2xx. instances: most ready during the phase / ready at its end.\n")
        .append(r.info().machine()).append('\n');
    return t.toString();
  }

  private static void row(StringBuilder t, BurstCommand.Phase p) {
    LoadFigures f = p.figures();
    String name = p.name() + " (" + p.clients() + "×" + p.seconds() + "s)";
    t.append(String.format(Locale.ROOT, ROW, name, f.calls(), String.format(Locale.ROOT, "%.2f", 100 * f.okShare()), f.rejected(), f.errors(),
        ms(f.latency() == null ? Double.NaN : f.latency().p50()), ms(f.latency() == null ? Double.NaN : f.latency().p90()),
        ms(f.latency() == null ? Double.NaN : f.latency().p99()), String.format(Locale.ROOT, "%.0f", f.throughput()),
        f.firstAnswerMs() + " ms", f.lastClientFirstAnswerMs() + " ms", f.peakReady() + "/" + f.endReady()));
  }

  /** {@code 0.0s 0+3/-, 0.5s 2+8/10, …}: one sample per {@code everyMs}, up to {@code untilMs}. */
  static String series(List<InstanceWatch.Sample> samples, long everyMs, long untilMs) {
    StringBuilder s = new StringBuilder();
    long next = 0;
    for (InstanceWatch.Sample x : samples) {
      if (x.atMs() >= next && x.atMs() <= untilMs) {
        if (!s.isEmpty()) {
          s.append(", ");
        }
        s.append(String.format(Locale.ROOT, "%.1fs %d+%d/%s", x.atMs() / 1000.0, x.ready(), x.starting(),
            x.desired() < 0 ? "-" : Integer.toString(x.desired())));
        next = (x.atMs() / everyMs + 1) * everyMs;
      }
    }
    return s.toString();
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
  }

  /** {@code burst --defaults}: one block per example, burst and warm rows, with its launches. */
  static String defaultsTable(List<BurstCommand.AtDefaults> results, RunInfo info) {
    StringBuilder t = new StringBuilder();
    t.append("each example deployed with its name only (the defaults a new user gets); GET on its function URL, closed-loop clients on\n")
        .append("keep-alive connections opened before the start, all first requests at once, from zero instances, then the same clients warm\n");
    for (BurstCommand.AtDefaults r : results) {
      t.append('\n').append(r.example()).append(" (").append(r.runtime()).append(")\n");
      t.append(String.format(Locale.ROOT, ROW, "", "calls", "2xx %", "429", "errors", "p50 ms", "p90 ms", "p99 ms", "2xx/s", "first 2xx",
          "last client", "instances"));
      row(t, r.burst());
      row(t, r.warm());
      t.append("launched during the burst: ").append(r.burst().launches().describe()).append('\n');
    }
    t.append("\ntarget (issue 13): 100 % 2xx and p99 <= 1 s in the burst from zero.\n").append(info.machine()).append('\n');
    return t.toString();
  }

  static String defaultsJson(List<BurstCommand.AtDefaults> results, RunInfo info) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode all = root.putArray("examples");
    for (BurstCommand.AtDefaults r : results) {
      ObjectNode e = all.addObject();
      e.put("example", r.example());
      e.put("runtime", r.runtime());
      e.set("burst", phase(r.burst()));
      e.set("warm", phase(r.warm()));
    }
    root.put("machine", info.machine());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String jsonText(BurstCommand.Result r) {
    ObjectNode root = JSON.createObjectNode();
    root.set("settings", JSON.valueToTree(r.settings()));
    root.set("burst", phase(r.burst()));
    root.set("warm", phase(r.warm()));
    root.put("zeroAfterBurstMs", r.zeroAfterBurstMs());
    if (r.sustained() != null) {
      ObjectNode sustained = phase(r.sustained());
      sustained.set("settling", JSON.valueToTree(r.settling()));
      sustained.put("zeroAfterMs", r.zeroAfterSustainedMs());
      root.set("sustained", sustained);
    }
    root.put("machine", r.info().machine());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode phase(BurstCommand.Phase p) {
    LoadFigures f = p.figures();
    ObjectNode n = JSON.createObjectNode();
    n.put("clients", p.clients());
    n.put("seconds", p.seconds());
    n.put("calls", f.calls());
    n.put("ok", f.ok());
    n.put("okShare", f.okShare());
    n.put("rejected", f.rejected());
    n.put("errors", f.errors());
    n.set("latencyMs", f.latency() == null ? null : JSON.valueToTree(f.latency()));
    n.put("firstAnswerMs", f.firstAnswerMs());
    n.put("lastClientFirstAnswerMs", f.lastClientFirstAnswerMs());
    n.put("okPerSecond", f.throughput());
    n.put("peakReady", f.peakReady());
    n.put("endReady", f.endReady());
    n.set("launches", JSON.valueToTree(p.launches()));
    ArrayNode series = n.putArray("instances");
    for (InstanceWatch.Sample s : p.samples()) {
      series.addArray().add(s.atMs()).add(s.ready()).add(s.starting()).add(s.desired()).add(s.inFlight()).add(s.queued())
          .add(s.panicking());
    }
    n.put("instancesColumns", "atMs, ready, starting, desired, inFlight, queued, panicking");
    return n;
  }
}
