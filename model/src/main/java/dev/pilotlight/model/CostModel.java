package dev.pilotlight.model;

import java.time.Duration;

/**
 * What a function's usage would cost paying per use (Lambda's prices) and what an always-on
 * instance of the same size costs, and the request rate where the two meet. Pure arithmetic: the
 * CLI's {@code cost} and the usage API (the console's cost card) both price with it.
 */
public final class CostModel {
  private CostModel() {}

  /**
   * The price assumptions, each settable by a {@code cost} flag.
   *
   * @param gbSecond per GB-second of invocation duration: AWS Lambda, x86, us-east-1, first 6 billion
   *     GB-s a month, $0.0000166667 (https://aws.amazon.com/lambda/pricing/)
   * @param request per request: AWS Lambda, $0.20 per million (same page)
   * @param alwaysOnGbHour per GB-hour of an always-on container: AWS Fargate, Linux/x86, us-east-1,
   *     $0.004445 (https://aws.amazon.com/fargate/pricing/)
   * @param alwaysOnVcpuHour per vCPU-hour of it: AWS Fargate, Linux/x86, us-east-1, $0.04048 (same page)
   * @param mbPerVcpu how much CPU "the same size" means: Lambda gives one vCPU per 1,769 MB of memory
   *     (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)
   */
  public record Prices(double gbSecond, double request, double alwaysOnGbHour, double alwaysOnVcpuHour, double mbPerVcpu) {
    public static final Prices DEFAULTS = new Prices(0.0000166667, 0.0000002, 0.004445, 0.04048, 1769);

    public Prices {
      if (!(gbSecond >= 0 && request >= 0 && alwaysOnGbHour >= 0 && alwaysOnVcpuHour >= 0 && mbPerVcpu > 0)) {
        throw new IllegalArgumentException("prices: " + gbSecond + ", " + request + ", " + alwaysOnGbHour + ", " + alwaysOnVcpuHour + ", "
            + mbPerVcpu + " (expected: prices >= 0 and --mb-per-vcpu > 0)");
      }
    }
  }

  /**
   * @param perUse what the period's invocations cost per use: requests plus GB-seconds
   * @param perRequest what one more request costs at the period's mean billed duration (NaN without invocations)
   * @param alwaysOnPerHour one always-on instance of the function's memory and its share of CPU, per hour
   * @param vcpu that share of CPU
   * @param crossoverPerHour above this many requests an hour the always-on instance is cheaper (NaN without invocations)
   * @param observedPerHour the period's rate (NaN when the period's length is not known)
   * @param alwaysOnForPeriod what the always-on instance would have cost over the period (NaN when not known)
   */
  public record Cost(double perUse, double perRequest, double meanBilledSeconds, double alwaysOnPerHour, double vcpu, double crossoverPerHour,
      double observedPerHour, double alwaysOnForPeriod) {}

  /**
   * @param usedGbSeconds memory × billed duration over the period's invocations
   * @param period how long the period was; null when it is "everything recorded"
   */
  public static Cost of(long invocations, long billedMs, double usedGbSeconds, int memoryMb, Prices p, Duration period) {
    double perUse = invocations * p.request() + usedGbSeconds * p.gbSecond();
    double gb = memoryMb / 1024.0;
    double vcpu = memoryMb / p.mbPerVcpu();
    double alwaysOn = gb * p.alwaysOnGbHour() + vcpu * p.alwaysOnVcpuHour();
    double mean = invocations == 0 ? Double.NaN : billedMs / 1000.0 / invocations;
    double perRequest = invocations == 0 ? Double.NaN : p.request() + gb * mean * p.gbSecond();
    double crossover = invocations == 0 || perRequest == 0 ? Double.NaN : alwaysOn / perRequest;
    double hours = period == null ? Double.NaN : period.toMillis() / 3_600_000.0;
    return new Cost(perUse, perRequest, mean, alwaysOn, vcpu, crossover, hours > 0 ? invocations / hours : Double.NaN,
        hours > 0 ? alwaysOn * hours : Double.NaN);
  }
}
