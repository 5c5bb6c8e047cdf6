package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code status NAME}: a function's settings and live state as aligned {@code key: value} lines. */
@Command(name = "status", description = "Show a function's settings, instances, counters and latency.")
final class StatusCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @Option(names = "--json", description = "Print the daemon's JSON.")
  boolean json;

  StatusCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    JsonNode f = client().getJson(DaemonClient.functionPath(name));
    ctx.out().print(json ? Json.pretty(f) + "\n" : render(f));
    return 0;
  }

  static String render(JsonNode f) {
    Map<String, String> lines = new LinkedHashMap<>();
    lines.put("name", Json.text(f, "name"));
    lines.put("runtime", Json.text(f, "runtime"));
    if (f.hasNonNull("handler")) {
      lines.put("handler", f.get("handler").asText());
    }
    if (f.hasNonNull("command")) {
      lines.put("command", f.get("command").asText());
    }
    lines.put("revision", Json.text(f, "revision") + (f.hasNonNull("deployedAt") ? " (deployed " + f.get("deployedAt").asText() + ")" : ""));
    String sha = Json.text(f, "codeSha256");
    lines.put("code sha256", sha.length() > 12 ? sha.substring(0, 12) : sha);
    lines.put("url", Json.text(f, "url"));
    lines.put("instances", Json.text(f, "instances") + " ready, " + Json.text(f, "starting") + " starting");
    lines.put("in-flight", Json.text(f, "inFlight"));
    lines.put("queued", Json.text(f, "queued"));
    lines.put("invocations", Json.text(f, "invocations"));
    lines.put("errors", Json.text(f, "errors"));
    lines.put("cold starts", Json.text(f, "coldStarts"));
    lines.put("latency", latency(f.path("latencyMs")));
    lines.put("memory", Json.text(f, "memoryMb") + " MB");
    lines.put("timeout", seconds(f, "timeoutSeconds"));
    lines.put("concurrency", Json.text(f, "concurrency"));
    lines.put("min/max instances", Json.text(f, "minInstances") + " / " + Json.text(f, "maxInstances"));
    lines.put("idle timeout", seconds(f, "idleTimeoutSeconds"));
    if (f.hasNonNull("keepAlive")) {
      lines.put("keep-alive", keepAlive(f.get("keepAlive")));
    }
    lines.put("last cold start", lastColdStart(f.path("lastColdStart")));
    if (f.hasNonNull("traffic")) {
      lines.put("traffic", f.get("traffic").asText());
    }
    JsonNode rollout = f.path("rollout");
    if (rollout.isObject()) {
      lines.put("rollout", "revision " + Json.text(rollout, "revision") + " over " + Json.text(rollout, "stable") + ": "
          + Json.text(rollout, "status") + " at " + Json.text(rollout, "percent") + " %" + (rollout.hasNonNull("reason") ? " (" + Json.text(rollout, "reason") + ")" : ""));
    }
    List<String> pools = new ArrayList<>();
    for (JsonNode p : f.path("revisionPools")) {
      pools.add("revision " + Json.text(p, "revision") + ": " + Json.text(p, "instances") + " ready");
    }
    if (!pools.isEmpty()) {
      lines.put("by revision", String.join("; ", pools));
    }
    List<String> envKeys = new ArrayList<>();
    f.path("env").fieldNames().forEachRemaining(envKeys::add);
    lines.put("env", envKeys.isEmpty() ? "-" : String.join(", ", envKeys));

    int width = lines.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
    StringBuilder sb = new StringBuilder();
    lines.forEach((k, v) -> sb.append(String.format("%-" + width + "s %s", k + ":", v)).append('\n'));
    return sb.toString();
  }

  /** {@code histogram (learned from 12 idle times): an instance from 8m6s to 11m after a call}. */
  static String keepAlive(JsonNode k) {
    double open = k.path("prewarmAfterSeconds").asDouble();
    double close = k.path("keepUntilSeconds").asDouble();
    String window = close == 0 ? "stopped as soon as idle"
        : open > 0 ? "stopped after a call, pre-warmed " + Formats.seconds(open) + " after it, kept until " + Formats.seconds(close)
        : "kept " + Formats.seconds(close) + " after a call";
    int levels = k.path("scaleOutLevels").asInt();
    String bursts = levels > 0 && "histogram".equals(Json.text(k, "mode"))
        ? "; bursts up to " + (levels + 1) + " instances learned, pre-warmed when they recur" : "";
    String price = k.hasNonNull("coldStartPriceGbSeconds")
        ? String.format(Locale.ROOT, "; a cold start priced at %.3g GB-s (shared)", k.get("coldStartPriceGbSeconds").asDouble()) : "";
    String payback = k.hasNonNull("balanceGbSeconds") && k.get("balanceGbSeconds").asDouble() < 0
        ? String.format(Locale.ROOT, "; paying back %.3g GB-s held beyond the fixed keep-alive (shared)", -k.get("balanceGbSeconds").asDouble()) : "";
    return Json.text(k, "mode") + " (" + Json.text(k, "basis") + ", " + k.path("idleTimes").asInt() + " idle times learned): " + window + bursts
        + price + payback;
  }

  private static String latency(JsonNode l) {
    if (!l.hasNonNull("p50") && !l.hasNonNull("p99")) {
      return "-";
    }
    return "p50 " + ms(l, "p50") + ", p99 " + ms(l, "p99");
  }

  private static String lastColdStart(JsonNode c) {
    if (c.isMissingNode() || c.isNull()) {
      return "-";
    }
    return Json.text(c, "strategy") + ", init " + ms(c, "initMs");
  }

  private static String ms(JsonNode node, String field) {
    return node.hasNonNull(field) ? Formats.millis(node.get(field).asDouble()) + " ms" : "-";
  }

  private static String seconds(JsonNode node, String field) {
    return node.hasNonNull(field) ? Formats.seconds(node.get(field).asDouble()) : "-";
  }
}
