package dev.pilotlight.bench;

import dev.pilotlight.autoscaler.IdleTimeTracker;
import dev.pilotlight.autoscaler.KeepAliveIdlePolicy;
import dev.pilotlight.autoscaler.KeepAlivePolicy;
import dev.pilotlight.autoscaler.KeepAlivePrice;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays every function of a trace under one keep-alive policy, each function through its own
 * {@link FunctionReplay} (the activator's pool state and the scaling loop in simulated time), and sums up. Functions are independent (memory is not limited), so the
 * order does not matter; the arrivals of a function are the same under every policy.
 */
final class TraceReplay {

  /**
   * A policy under test.
   *
   * @param keepAlive the policy every function gets; null for the learned policy at one shared price
   * @param idleTimeout the functions' {@code idleTimeout} (what {@code fixed} keeps an instance for)
   * @param budget the shared price's budget (with {@code keepAlive} null)
   */
  record Policy(String name, KeepAlivePolicy keepAlive, Duration idleTimeout, Duration budget) {
    Policy(String name, KeepAlivePolicy keepAlive, Duration idleTimeout) {
      this(name, keepAlive, idleTimeout, null);
    }

    /** The daemon's default: {@code histogram} at one price for every function ({@link KeepAlivePrice}). */
    static Policy priced(String name, Duration budget) {
      return new Policy(name, null, FunctionSpec.DEFAULT_IDLE_TIMEOUT, budget);
    }
  }

  /** The fixed keep-alives that draw the frontier, in minutes (0: stopped as soon as idle). */
  static final int[] FIXED_MINUTES = {0, 1, 2, 5, 10, 20, 30, 60};

  /**
   * Every policy {@code bench trace} replays: the fixed keep-alives of {@link #FIXED_MINUTES} (the
   * frontier; {@code fixed-10m}, Lambda's, is the baseline), the default learned one
   * ({@code histogram}: one price for every function, their idle memory together within the
   * budget's), the learned one with the budget per function ({@code histogram-fn}, before the shared
   * price; at {@code price} if one is given) and issue 6's hybrid histogram policy ({@code paper})
   * for comparison.
   */
  static List<Policy> policies(Duration budget, Duration price) {
    List<Policy> out = new ArrayList<>();
    for (int m : FIXED_MINUTES) {
      out.add(m == 0 ? new Policy("fixed-0", KeepAlivePolicy.off(), FunctionSpec.DEFAULT_IDLE_TIMEOUT)
          : new Policy("fixed-" + m + "m", KeepAlivePolicy.fixed(), Duration.ofMinutes(m)));
    }
    out.add(Policy.priced(LEARNED, budget));
    out.add(new Policy(PER_FUNCTION, KeepAlivePolicy.histogram(budget, price), FunctionSpec.DEFAULT_IDLE_TIMEOUT));
    out.add(new Policy("paper", KeepAlivePolicy.paper(), FunctionSpec.DEFAULT_IDLE_TIMEOUT));
    return out;
  }

  static final String LEARNED = "histogram";
  static final String PER_FUNCTION = "histogram-fn";

  /** {@link #policies} at the default price. */
  static List<Policy> standard() {
    return policies(KeepAlivePolicy.defaultBudget(), null);
  }

  /** Whether {@code name} is one of the fixed keep-alives of the frontier. */
  static boolean isFixed(String name) {
    return name.startsWith("fixed-");
  }

  /**
   * How the replay is run, the same for every policy.
   *
   * @param daemon the daemon's scaling settings the replayed functions get (the {@code serve} flags)
   */
  record Settings(Arrivals spread, long seed, Duration init, ScalingSettings daemon) {
    Settings(Arrivals spread, long seed, Duration init) {
      this(spread, seed, init, ScalingSettings.DEFAULTS);
    }
  }

  /**
   * One policy's figures over the whole trace.
   *
   * @param rejected requests the pool refused (queue full) or whose queue wait ran out, as the daemon would
   */
  record Result(String policy, int functions, long invocations, long coldStarts, long coldAtZero, double coldStartFraction, double medianColdStartFraction,
      double p75ColdStartFraction, double idleGbSeconds, double keepAliveIdleGbSeconds, double prewarmIdleGbSeconds, long prewarms,
      long prewarmHits, long launches, double busyGbSeconds, long rejected, double seconds, List<FunctionResult> perFunction, Prices prices) {

    Result(String policy, int functions, long invocations, long coldStarts, long coldAtZero, double coldStartFraction,
        double medianColdStartFraction, double p75ColdStartFraction, double idleGbSeconds, double keepAliveIdleGbSeconds,
        double prewarmIdleGbSeconds, long prewarms, long prewarmHits, long launches, double busyGbSeconds, long rejected, double seconds,
        List<FunctionResult> perFunction) {
      this(policy, functions, invocations, coldStarts, coldAtZero, coldStartFraction, medianColdStartFraction, p75ColdStartFraction,
          idleGbSeconds, keepAliveIdleGbSeconds, prewarmIdleGbSeconds, prewarms, prewarmHits, launches, busyGbSeconds, rejected, seconds,
          perFunction, null);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("coldStartFraction", coldStartFraction);
      m.put("medianColdStartFraction", medianColdStartFraction);
      m.put("p75ColdStartFraction", p75ColdStartFraction);
      m.put("idleGbSeconds", idleGbSeconds);
      m.put("keepAliveIdleGbSeconds", keepAliveIdleGbSeconds);
      m.put("prewarmIdleGbSeconds", prewarmIdleGbSeconds);
      m.put("invocations", invocations);
      m.put("coldStarts", coldStarts);
      m.put("coldStartsAtZero", coldAtZero);
      m.put("coldStartFractionAtZero", invocations == 0 ? 0.0 : (double) coldAtZero / invocations);
      m.put("prewarms", prewarms);
      m.put("prewarmHits", prewarmHits);
      m.put("launches", launches);
      m.put("busyGbSeconds", busyGbSeconds);
      m.put("rejected", rejected);
      m.put("functions", functions);
      if (prices != null) {
        m.put("price", prices.toMap());
      }
      m.put("replaySeconds", seconds);
      return m;
    }
  }

  /**
   * The shared price over a run, as it was after each simulated minute's update (GB-s per cold
   * start): how often it was recomputed, for how many minutes nothing limited it ({@link
   * KeepAlivePrice#unlimited}: infinite, or at the top of the search's range), its range and
   * last value, and the largest factor by which it moved from one minute to the next (its
   * stability), and the price's account of what the windows held against the fixed keep-alive
   * (GB-s; {@link KeepAlivePrice#balanceGbSeconds}): its lowest and last, and for how many minutes
   * it was negative (the price then paying an overspend back).
   */
  record Prices(int updates, int unlimited, double min, double max, double last, double largestStep, double lowestBalance,
      double lastBalance, int minutesOverspent) {
    static Prices of(List<Double> gbSeconds, List<Double> balances) {
      double lowest = 0;
      int overspent = 0;
      for (double b : balances) {
        lowest = Math.min(lowest, b);
        if (b < 0) {
          overspent++;
        }
      }
      int unlimited = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      double step = 1;
      double previous = Double.NaN;
      for (double g : gbSeconds) {
        if (Double.isInfinite(g)) {
          unlimited++;
        } else {
          min = Math.min(min, g);
          max = Math.max(max, g);
          if (Double.isFinite(previous) && previous > 0 && g > 0) {
            step = Math.max(step, Math.max(g / previous, previous / g));
          }
        }
        previous = g;
      }
      return new Prices(gbSeconds.size(), unlimited, min, max, gbSeconds.isEmpty() ? Double.NaN : gbSeconds.getLast(), step, lowest,
          balances.isEmpty() ? 0 : balances.getLast(), overspent);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("updates", updates);
      m.put("minutesUnlimited", unlimited);
      m.put("minGbSeconds", Double.isFinite(min) ? min : null);
      m.put("maxGbSeconds", max > 0 ? max : null);
      m.put("lastGbSeconds", Double.isFinite(last) ? last : null);
      m.put("largestMinuteStep", largestStep);
      m.put("lowestBalanceGbSeconds", lowestBalance);
      m.put("lastBalanceGbSeconds", lastBalance);
      m.put("minutesOverspent", minutesOverspent);
      return m;
    }
  }

  /** One function's figures under one policy. */
  record FunctionResult(int index, long invocations, long coldStarts, double idleGbSeconds) {}

  /** Where simulated time starts: 2019-07-15, the first day of the dataset, at the trace's first minute. */
  static Instant start(AzureTrace trace) {
    return Instant.parse("2019-07-15T00:00:00Z").plus(Duration.ofMinutes(trace.firstMinute()));
  }

  static Result run(AzureTrace trace, Policy policy, Settings settings) {
    long began = System.nanoTime();
    long endMs = trace.minutes() * Arrivals.MINUTE_MS;
    Instant start = start(trace);
    // One tracker for every function, as the daemon has; under a shared price, the daemon's idle policy
    // over it sees every pool once a simulated minute (its observe), as the scaling loop shows it every pool.
    IdleTimeTracker tracker = new IdleTimeTracker();
    KeepAlivePrice price = policy.keepAlive() == null ? new KeepAlivePrice(tracker, policy.budget(), KeepAlivePrice.DEFAULT_EVERY) : null;
    KeepAlivePolicy keepAlive = price == null ? policy.keepAlive() : price.policy();
    KeepAliveIdlePolicy shared = price == null ? null : new KeepAliveIdlePolicy(tracker, s -> keepAlive, price);
    List<AzureTrace.TracedFunction> replayed = new ArrayList<>();
    List<long[]> arrivals = new ArrayList<>();
    List<FunctionReplay> pools = new ArrayList<>();
    for (AzureTrace.TracedFunction f : trace.functions()) {
      long[] a = settings.spread().of(f.perMinute(), settings.seed(), f.index());
      if (a.length == 0) {
        continue;
      }
      replayed.add(f);
      arrivals.add(a);
      pools.add(new FunctionReplay(spec(f, policy), keepAlive, tracker, f.memoryMb(), f.durationMs(), settings.init(), start, settings.daemon()));
    }
    List<Double> prices = null;
    List<Double> balances = new ArrayList<>();
    if (shared == null) {
      for (int i = 0; i < pools.size(); i++) {
        pools.get(i).advance(arrivals.get(i), endMs); // independent: one at a time, all the way
      }
    } else {
      long everyMs = KeepAlivePrice.DEFAULT_EVERY.toMillis();
      prices = new ArrayList<>();
      for (long t = 0; t < endMs; t += everyMs) {
        List<PoolSnapshot> snapshots = new ArrayList<>(pools.size());
        pools.forEach(p -> snapshots.addAll(p.snapshots()));
        shared.observe(snapshots, start.plusMillis(t));
        prices.add(price.unlimited() ? Double.POSITIVE_INFINITY : price.gbSeconds());
        balances.add(price.balanceGbSeconds());
        for (int i = 0; i < pools.size(); i++) {
          pools.get(i).advance(arrivals.get(i), Math.min(endMs, t + everyMs));
        }
      }
    }
    List<Double> fractions = new ArrayList<>();
    long invocations = 0;
    long cold = 0;
    long atZero = 0;
    long prewarms = 0;
    long hits = 0;
    long launches = 0;
    double keepIdle = 0;
    double prewarmIdle = 0;
    double busy = 0;
    long rejected = 0;
    List<FunctionResult> perFunction = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      AzureTrace.TracedFunction f = replayed.get(i);
      FunctionReplay.Outcome o = pools.get(i).finish(endMs);
      invocations += o.invocations();
      cold += o.coldStarts();
      atZero += o.coldAtZero();
      prewarms += o.prewarms();
      hits += o.prewarmHits();
      launches += o.launches();
      keepIdle += o.keepAliveIdleGbSeconds();
      prewarmIdle += o.prewarmIdleGbSeconds();
      busy += o.busyGbSeconds();
      rejected += o.rejected();
      fractions.add((double) o.coldStarts() / o.invocations());
      perFunction.add(new FunctionResult(f.index(), o.invocations(), o.coldStarts(), o.idleGbSeconds()));
    }
    double[] sorted = fractions.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Result(policy.name(), sorted.length, invocations, cold, atZero, invocations == 0 ? 0 : (double) cold / invocations,
        quantile(sorted, 0.5), quantile(sorted, 0.75), keepIdle + prewarmIdle, keepIdle, prewarmIdle, prewarms, hits, launches, busy,
        rejected, (System.nanoTime() - began) / 1e9, perFunction, prices == null ? null : Prices.of(prices, balances));
  }

  /** The spec the replayed function is deployed with: its trace memory (within the manifest's limits), concurrency 1, up to 1,000 instances. */
  static FunctionSpec spec(AzureTrace.TracedFunction f, Policy policy) {
    int memory = (int) Math.max(64, Math.min(65_536, Math.round(f.memoryMb())));
    long timeoutMs = Math.max(1000, Math.min(Duration.ofMinutes(15).toMillis(), Math.round(f.durationMs()) + 1));
    return FunctionSpec.builder().name(String.format("fn-%06d", f.index())).runtime(Runtime.JAVA).handler("trace.Replay").memoryMb(memory)
        .timeout(Duration.ofMillis(timeoutMs)).maxInstances(1000).idleTimeout(policy.idleTimeout()).build();
  }

  /** The {@code q} quantile by linear interpolation; 0 for no values. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  private TraceReplay() {}
}
