package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pilotlight.model.ScalingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Small synthetic traces replayed through the real scaling loop, decider and keep-alive policies. */
class TraceReplayTest {
  static final TraceReplay.Settings EVEN = new TraceReplay.Settings(Arrivals.EVEN, 42, Duration.ofMillis(250));

  /** One function called once every {@code every} minutes for {@code minutes}, 100 ms per call, 1 GB. */
  static AzureTrace periodic(int every, int minutes) {
    int[] counts = new int[minutes];
    for (int m = 0; m < minutes; m += every) {
      counts[m] = 1;
    }
    return new AzureTrace(Path.of("synthetic"), 1, minutes,
        List.of(new AzureTrace.TracedFunction(0, "o", "a", "f", "timer", counts, 100, 1024)), List.of());
  }

  static Map<String, TraceReplay.Result> replay(AzureTrace t) {
    return TraceReplay.standard().stream().map(p -> TraceReplay.run(t, p, EVEN))
        .collect(Collectors.toMap(TraceReplay.Result::policy, r -> r));
  }

  @Test
  void aFunctionCalledEvery15MinutesIsAlwaysColdWithA10MinuteKeepAliveAndPreWarmedOnceLearned() {
    Map<String, TraceReplay.Result> r = replay(periodic(15, 480)); // 32 calls
    assertThat(r.get("fixed-10m").coldStarts()).isEqualTo(32);
    assertThat(r.get("fixed-20m").coldStarts()).isEqualTo(1);
    TraceReplay.Result h = r.get("histogram");
    // The first two calls are cold: the fixed 10 minutes hold while no idle time is known. From
    // then on the instance stops after each call and one is pre-warmed at 14 minutes (the idle
    // times are in bin 14), before the call at 15: one pre-warm per period.
    assertThat(h.coldStarts()).isEqualTo(2);
    assertThat(h.prewarms()).isEqualTo(31); // the last one after the last call, for a call the trace ends before
    assertThat(h.prewarmHits()).isEqualTo(30);
    // idle at 1 GB: about a minute per period instead of ten
    assertThat(h.idleGbSeconds()).isLessThan(r.get("fixed-10m").idleGbSeconds() / 5);
    assertThat(r.get("fixed-10m").idleGbSeconds()).isCloseTo(32 * 600, within(32 * 1.5));
  }

  @Test
  void aBusyFunctionKeepsItsInstanceUnderEveryPolicyThatKeepsAny() {
    int[] counts = new int[60];
    Arrays.fill(counts, 30); // every 2 s, 100 ms each
    AzureTrace t = new AzureTrace(Path.of("synthetic"), 1, 60, List.of(new AzureTrace.TracedFunction(0, "o", "a", "f", "http", counts, 100, 512)),
        List.of());
    replay(t).values().stream().filter(r -> !r.policy().equals("fixed-0")).forEach(r -> {
      assertThat(r.coldStarts()).as(r.policy()).isEqualTo(1);
      assertThat(r.invocations()).isEqualTo(1800);
    });
  }

  @Test
  void aBurstThatRecursIsPreWarmedWholeByTheLearnedPolicyAndOnlyItsFirstInstanceByTheFixedOnes() {
    // every 15 minutes, 40 calls of 20 s within one minute: 14 instances at once (a call every 1.5 s)
    int[] counts = new int[480];
    for (int m = 0; m < 480; m += 15) {
      counts[m] = 40;
    }
    AzureTrace t = new AzureTrace(Path.of("synthetic"), 1, 480, List.of(new AzureTrace.TracedFunction(0, "o", "a", "f", "queue", counts,
        20_000, 256)), List.of());
    Map<String, TraceReplay.Result> r = replay(t);
    TraceReplay.Result fixed = r.get("fixed-10m");
    TraceReplay.Result learned = r.get("histogram");
    // fixed: the instances beyond the first are gone 60 s after each burst and start cold at the next
    assertThat(fixed.coldStarts() - fixed.coldAtZero()).isGreaterThan(30 * 12);
    // learned: once every level has seen three gaps, each burst finds its instances pre-warmed
    assertThat(learned.coldStarts()).isLessThan(fixed.coldStarts() / 4);
    assertThat(learned.prewarmHits()).isGreaterThan(25 * 12);
    // at a price: the instances are pre-warmed about a minute ahead of each burst (the gaps' bin),
    // and hold less than the fixed keep-alive holds
    assertThat(learned.prewarmIdleGbSeconds()).isPositive();
    assertThat(learned.idleGbSeconds()).isLessThan(fixed.idleGbSeconds());
  }

  @Test
  void withoutTheScaleDownDelayInstancesBeyondTheFirstStopSoonerAndStartAgain() {
    int[] counts = new int[60];
    for (int m = 0; m < 60; m++) {
      counts[m] = m % 2 == 0 ? 12 : 1; // bursts of 12 calls of 10 s, a quiet minute between
    }
    AzureTrace t = new AzureTrace(Path.of("synthetic"), 1, 60, List.of(new AzureTrace.TracedFunction(0, "o", "a", "f", "queue", counts,
        10_000, 256)), List.of());
    TraceReplay.Policy fixed = TraceReplay.standard().stream().filter(p -> p.name().equals("fixed-10m")).findFirst().orElseThrow();
    TraceReplay.Result delayed = TraceReplay.run(t, fixed, EVEN);
    TraceReplay.Result undelayed = TraceReplay.run(t, fixed, new TraceReplay.Settings(Arrivals.EVEN, 42, Duration.ofMillis(250),
        ScalingSettings.UNSET.withScaleDownDelay(Duration.ZERO).over(ScalingSettings.DEFAULTS)));
    assertThat(delayed.coldStarts()).isLessThan(undelayed.coldStarts());
    assertThat(delayed.launches()).isLessThan(undelayed.launches());
  }

  @Test
  void quantilesInterpolate() {
    assertThat(TraceReplay.quantile(new double[] {0, 1, 2, 3}, 0.5)).isEqualTo(1.5);
    assertThat(TraceReplay.quantile(new double[] {}, 0.5)).isZero();
  }

  @Test
  void evenArrivalsAreSpacedAndRandomOnesReproducible() {
    assertThat(Arrivals.EVEN.of(new int[] {2, 0, 1}, 1, 0)).containsExactly(15_000, 45_000, 150_000);
    long[] a = Arrivals.RANDOM.of(new int[] {5, 5}, 7, 3);
    assertThat(a).isSorted().hasSize(10).isEqualTo(Arrivals.RANDOM.of(new int[] {5, 5}, 7, 3));
    assertThat(a[4]).isLessThan(60_000);
    assertThat(a[5]).isGreaterThanOrEqualTo(60_000);
  }
}
