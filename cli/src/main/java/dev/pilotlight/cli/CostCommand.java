package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.CostModel;
import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cost NAME}: what a function used (GB-seconds of invocations, GB-seconds held idle, cold
 * starts the pre-warming avoided), what that costs per use, and the request rate above which an
 * always-on instance of the same size would be cheaper, with every price printed and settable.
 */
@Command(name = "cost", description = "Show what a function used and cost per use, and where an always-on instance would be cheaper.")
final class CostCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @Option(names = "--since", paramLabel = "DURATION", description = "Only the last DURATION, e.g. 24h or 7d, in whole hours (default: everything recorded).")
  String since;

  @Option(names = "--gb-second-price", paramLabel = "USD", description = "Per GB-second of invocations (default: ${DEFAULT-VALUE}, AWS Lambda x86 us-east-1).")
  double gbSecondPrice = CostModel.Prices.DEFAULTS.gbSecond();

  @Option(names = "--request-price", paramLabel = "USD", description = "Per request (default: ${DEFAULT-VALUE}, AWS Lambda: $0.20 per million).")
  double requestPrice = CostModel.Prices.DEFAULTS.request();

  @Option(names = "--always-on-gb-hour", paramLabel = "USD", description = "Per GB-hour of an always-on instance (default: ${DEFAULT-VALUE}, AWS Fargate Linux/x86 us-east-1).")
  double alwaysOnGbHour = CostModel.Prices.DEFAULTS.alwaysOnGbHour();

  @Option(names = "--always-on-vcpu-hour", paramLabel = "USD", description = "Per vCPU-hour of it (default: ${DEFAULT-VALUE}, AWS Fargate Linux/x86 us-east-1).")
  double alwaysOnVcpuHour = CostModel.Prices.DEFAULTS.alwaysOnVcpuHour();

  @Option(names = "--mb-per-vcpu", paramLabel = "MB", description = "Memory that comes with one vCPU, for the always-on instance's CPU (default: ${DEFAULT-VALUE}, as Lambda).")
  double mbPerVcpu = CostModel.Prices.DEFAULTS.mbPerVcpu();

  @Option(names = "--json", description = "Print usage, cost and prices as JSON.")
  boolean json;

  CostCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    Duration period = null;
    if (since != null) {
      try {
        period = Durations.parse("--since", since);
      } catch (Failure.InvalidInput e) {
        throw new CliFailure.Usage(e.getMessage());
      }
      if (!period.isPositive()) {
        throw new CliFailure.Usage("--since: '" + since + "' (expected: a positive duration such as 24h)");
      }
    }
    CostModel.Prices prices;
    try {
      prices = new CostModel.Prices(gbSecondPrice, requestPrice, alwaysOnGbHour, alwaysOnVcpuHour, mbPerVcpu);
    } catch (IllegalArgumentException e) {
      throw new CliFailure.Usage(e.getMessage());
    }
    JsonNode u = client().getJson(DaemonClient.functionPath(name) + "/usage" + (period == null ? "" : "?since=" + Durations.format(period)));
    CostModel.Cost c = CostModel.of(u.path("invocations").asLong(), u.path("billedMs").asLong(), u.path("usedGbSeconds").asDouble(),
        u.path("memoryMb").asInt(), prices, period);
    if (json) {
      ctx.out().println(Json.pretty(toJson(u, c, prices)));
    } else {
      ctx.out().print(render(u, c, prices, since));
    }
    return 0;
  }

  static JsonNode toJson(JsonNode usage, CostModel.Cost c, CostModel.Prices p) {
    ObjectNode out = usage.deepCopy();
    ObjectNode cost = out.putObject("cost");
    cost.put("perUseUsd", c.perUse());
    putNumber(cost, "perRequestUsd", c.perRequest());
    putNumber(cost, "meanBilledSeconds", c.meanBilledSeconds());
    cost.put("alwaysOnUsdPerHour", c.alwaysOnPerHour());
    cost.put("alwaysOnVcpu", c.vcpu());
    putNumber(cost, "alwaysOnUsdForPeriod", c.alwaysOnForPeriod());
    putNumber(cost, "crossoverRequestsPerHour", c.crossoverPerHour());
    putNumber(cost, "observedRequestsPerHour", c.observedPerHour());
    ObjectNode prices = out.putObject("prices");
    prices.put("gbSecondUsd", p.gbSecond());
    prices.put("requestUsd", p.request());
    prices.put("alwaysOnGbHourUsd", p.alwaysOnGbHour());
    prices.put("alwaysOnVcpuHourUsd", p.alwaysOnVcpuHour());
    prices.put("mbPerVcpu", p.mbPerVcpu());
    return out;
  }

  private static void putNumber(ObjectNode n, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  static String render(JsonNode u, CostModel.Cost c, CostModel.Prices p, String since) {
    Map<String, String> lines = new LinkedHashMap<>();
    lines.put("function", Json.text(u, "function") + " (" + Json.text(u, "memoryMb") + " MB)");
    lines.put("period", since == null ? "everything recorded" : "the last " + since + " (in whole hours, from " + Json.text(u, "since") + ")");
    lines.put("invocations", String.format(Locale.ROOT, "%,d (cold starts %,d; avoided by pre-warming %,d, of %,d pre-warms)",
        u.path("invocations").asLong(), u.path("coldStarts").asLong(), u.path("prewarmHits").asLong(), u.path("prewarms").asLong()));
    lines.put("GB-s used", String.format(Locale.ROOT, "%.6f (billed %,d ms)", u.path("usedGbSeconds").asDouble(), u.path("billedMs").asLong()));
    lines.put("GB-s held idle", String.format(Locale.ROOT, "%.3f (keep-alive %.3f, pre-warm %.3f)", u.path("idleGbSeconds").asDouble(),
        u.path("keepAliveIdleGbSeconds").asDouble(), u.path("prewarmIdleGbSeconds").asDouble()));
    lines.put("max memory used", u.path("maxMemoryUsedMb").asLong() > 0 ? u.path("maxMemoryUsedMb").asLong() + " MB" : "-");
    lines.put("keep-alive", keepAlive(u.path("keepAlive")));
    lines.put("per use", String.format(Locale.ROOT, "$%.6f (%,d requests × $%s + %.6f GB-s × $%s)", c.perUse(), u.path("invocations").asLong(),
        plain(p.request()), u.path("usedGbSeconds").asDouble(), plain(p.gbSecond())));
    lines.put("always on", String.format(Locale.ROOT, "$%.5f an hour (%.3f GB × $%s + %.3f vCPU × $%s)%s", c.alwaysOnPerHour(),
        u.path("memoryMb").asInt() / 1024.0, plain(p.alwaysOnGbHour()), c.vcpu(), plain(p.alwaysOnVcpuHour()),
        Double.isNaN(c.alwaysOnForPeriod()) ? "" : String.format(Locale.ROOT, "; $%.6f over the period", c.alwaysOnForPeriod())));
    if (Double.isNaN(c.crossoverPerHour())) {
      lines.put("crossover", "- (no invocations in the period to take a duration from)");
    } else {
      String observed = Double.isNaN(c.observedPerHour()) ? ""
          : String.format(Locale.ROOT, "; the period's rate: %,.1f an hour, so %s is cheaper", c.observedPerHour(),
              c.observedPerHour() > c.crossoverPerHour() ? "always-on" : "per use");
      lines.put("crossover", String.format(Locale.ROOT, "above %,.0f requests an hour (%.2f a second) an always-on instance is cheaper, at "
          + "the mean billed duration of %.1f ms%s", c.crossoverPerHour(), c.crossoverPerHour() / 3600, c.meanBilledSeconds() * 1000, observed));
    }
    lines.put("prices", "--gb-second-price " + plain(p.gbSecond()) + " --request-price " + plain(p.request())
        + " (AWS Lambda x86, us-east-1), --always-on-gb-hour " + plain(p.alwaysOnGbHour()) + " --always-on-vcpu-hour "
        + plain(p.alwaysOnVcpuHour()) + " (AWS Fargate Linux/x86, us-east-1), --mb-per-vcpu " + plain(p.mbPerVcpu()) + " (as Lambda)");
    int width = lines.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
    StringBuilder sb = new StringBuilder();
    lines.forEach((k, v) -> sb.append(String.format("%-" + width + "s %s", k + ":", v)).append('\n'));
    return sb.toString();
  }

  private static String keepAlive(JsonNode k) {
    return k.isMissingNode() || k.isNull() ? "-" : StatusCommand.keepAlive(k);
  }

  /** A price as written, without exponent: 0.0000166667, not 1.66667E-5. */
  private static String plain(double v) {
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
