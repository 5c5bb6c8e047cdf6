package dev.pilotlight.model.release;

import dev.pilotlight.model.Durations;
import dev.pilotlight.model.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a new revision takes over from the stable one, as CodeDeploy's {@code Canary10Percent5Minutes}
 * and {@code Linear10PercentEvery1Minute} do: the shares it takes in turn, each held for
 * {@code interval} while it answers no worse than the stable revision, then all of it.
 *
 * <p>Written {@code canary:10%,5m} (10 % for 5 minutes, then 100 %) or {@code linear:10%,1m} (10,
 * 20, … 90 %, a minute each, then 100 %), optionally followed by thresholds:
 * {@code ,errors=1%} (how many percentage points the new revision's error rate may exceed the
 * stable one's) and {@code ,latency=2x} (how many times the stable revision's latency its latency may be, at the
 * quantile Rollout judges: the p99 once there are calls enough).
 *
 * @param steps the shares of the new revision before 100 %, ascending, each 1–99
 * @param interval how long each share is held
 * @param maxErrorIncrease the error rate the new revision may have above the stable one's (0.01 = 1 point)
 * @param maxLatencyRatio its latency at most this many times the stable one's (plus {@link #LATENCY_SLACK_MS})
 */
public record RolloutPlan(String kind, List<Integer> steps, Duration interval, double maxErrorIncrease, double maxLatencyRatio) {
  /** The error-rate allowance by default: one percentage point above the stable revision's (Flagger's default success rate is 99 %). */
  public static final double DEFAULT_MAX_ERROR_INCREASE = 0.01;
  /** The p99 allowance by default: twice the stable revision's. */
  public static final double DEFAULT_MAX_LATENCY_RATIO = 2.0;
  /** Added to the latency allowance, so that a stable p99 of a millisecond or two does not fail a canary on scheduling noise. */
  public static final long LATENCY_SLACK_MS = 20;
  /** Calls the new revision must have answered in a step before the step may end: fewer say nothing. */
  public static final int MIN_CALLS_PER_STEP = 10;
  /** Calls that must lie above the latency quantile a step is judged at (see Rollout's judgedQuantile): one slow call proves nothing. */
  public static final int SLOW_CALLS_TO_JUDGE = 5;

  public RolloutPlan {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new Failure.InvalidInput("rollout: no steps");
    }
    int last = 0;
    for (int s : steps) {
      if (s <= last || s >= 100) {
        throw new Failure.InvalidInput("rollout: steps " + steps + " (expected: ascending shares from 1 to 99 %)");
      }
      last = s;
    }
    if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofDays(1)) > 0) {
      throw new Failure.InvalidInput("rollout: interval " + Durations.format(interval) + " (expected: 1s to 24h)");
    }
    if (!(maxErrorIncrease >= 0 && maxErrorIncrease <= 1)) {
      throw new Failure.InvalidInput("rollout: errors=" + maxErrorIncrease * 100 + "% (expected: 0 to 100 %)");
    }
    if (!(maxLatencyRatio >= 1 && maxLatencyRatio <= 100)) {
      throw new Failure.InvalidInput("rollout: latency=" + maxLatencyRatio + "x (expected: 1x to 100x)");
    }
  }

  /** What a deploy's {@code ?rollout=} and pilotlight.yaml's {@code rollout:} say for "no rollout": the new revision takes every call at once. */
  public static final String NONE = "none";

  /**
   * Reads a plan as {@link #parse} does, or {@link #NONE} (any case) as empty: where a deploy may
   * name a plan, {@code none} says it takes over at once.
   */
  public static Optional<RolloutPlan> parseOrNone(String text) {
    return text != null && text.strip().equalsIgnoreCase(NONE) ? Optional.empty() : Optional.of(parse(text));
  }

  /** Reads {@code canary:10%,5m} or {@code linear:10%,1m}, each optionally with {@code ,errors=N%} and {@code ,latency=Nx}. */
  public static RolloutPlan parse(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    int colon = t.indexOf(':');
    String[] parts = colon < 0 ? new String[0] : t.substring(colon + 1).split(",");
    String kind = colon < 0 ? t : t.substring(0, colon);
    if (!(kind.equals("canary") || kind.equals("linear")) || parts.length < 2) {
      throw new Failure.InvalidInput("rollout: '" + text + "' (expected: canary:PERCENT%,INTERVAL or linear:PERCENT%,INTERVAL, "
          + "e.g. canary:10%,5m; optionally ,errors=1% and ,latency=2x; or none for at once)");
    }
    int percent = percent(parts[0].strip(), text);
    Duration interval;
    try {
      interval = Durations.parse("rollout interval", parts[1].strip());
    } catch (IllegalArgumentException e) {
      throw new Failure.InvalidInput("rollout: '" + text + "': " + e.getMessage());
    }
    double errors = DEFAULT_MAX_ERROR_INCREASE;
    double latency = DEFAULT_MAX_LATENCY_RATIO;
    for (int i = 2; i < parts.length; i++) {
      String p = parts[i].strip();
      if (p.startsWith("errors=") && p.endsWith("%")) {
        errors = number(p.substring("errors=".length(), p.length() - 1), text) / 100.0;
      } else if (p.startsWith("latency=") && p.endsWith("x")) {
        latency = number(p.substring("latency=".length(), p.length() - 1), text);
      } else {
        throw new Failure.InvalidInput("rollout: '" + p + "' in '" + text + "' (expected: errors=N% or latency=Nx)");
      }
    }
    if (percent < 1 || percent > 99) {
      throw new Failure.InvalidInput("rollout: " + percent + " % (expected: 1 to 99 %)");
    }
    List<Integer> steps = new ArrayList<>();
    if (kind.equals("canary")) {
      steps.add(percent);
    } else {
      for (int s = percent; s < 100; s += percent) {
        steps.add(s);
      }
    }
    return new RolloutPlan(kind, steps, interval, errors, latency);
  }

  @Override
  public String toString() {
    return kind + ":" + steps.getFirst() + "%," + Durations.format(interval) + ",errors=" + trim(maxErrorIncrease * 100) + "%,latency="
        + trim(maxLatencyRatio) + "x";
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static int percent(String s, String text) {
    if (!s.endsWith("%")) {
      throw new Failure.InvalidInput("rollout: '" + s + "' in '" + text + "' (expected: a share such as 10%)");
    }
    double d = number(s.substring(0, s.length() - 1), text);
    if (d != Math.rint(d)) {
      throw new Failure.InvalidInput("rollout: '" + s + "' (expected: a whole percentage)");
    }
    return (int) d;
  }

  private static double number(String s, String text) {
    try {
      double d = Double.parseDouble(s);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new Failure.InvalidInput("rollout: '" + s + "' in '" + text + "' is not a number");
    }
  }
}
