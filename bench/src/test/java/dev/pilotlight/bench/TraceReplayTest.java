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
    // First call cold; the next two find the instance kept by the 4-hour fallback while only 0
    // and 1 idle times are known; from then on it is stopped after each call and pre-warmed
    // 12.6 minutes later (head bin 14 min less 10 %), before the call at 15.
    assertThat(h.coldStarts()).isEqualTo(1);
    assertThat(h.prewarms()).isEqualTo(30); // the last one after the last call, for a call the trace ends before
    assertThat(h.prewarmHits()).isEqualTo(29);
    // Idle at 1 GB: 2 × ~15 min kept, and each instance up to a tick (1 s) after its call before it
    // is stopped; 29 pre-warmed instances up from 756 s (on the next tick, plus
    // 250 ms to start) until the call 899.9 s after the last ended; the last one until the trace ends.
    assertThat(h.keepAliveIdleGbSeconds()).isCloseTo(2 * 15 * 60 + 30 * 0.9, within(5.0));
    assertThat(h.prewarmIdleGbSeconds()).isCloseTo(29 * (899.9 - 756.25) + (480 * 60 - (465 * 60 + 30.1 + 756.25)), within(30.0));
    assertThat(h.idleGbSeconds()).isLessThan(r.get("fixed-20m").idleGbSeconds() / 3);
    assertThat(r.get("fixed-10m").idleGbSeconds()).isCloseTo(32 * 600, within(32 * 1.5));
  }

  @Test
  void aBusyFunctionKeepsItsInstanceUnderEveryPolicy() {
    int[] counts = new int[60];
    Arrays.fill(counts, 30); // every 2 s, 100 ms each
    AzureTrace t = new AzureTrace(Path.of("synthetic"), 1, 60, List.of(new AzureTrace.TracedFunction(0, "o", "a", "f", "http", counts, 100, 512)),
        List.of());
    replay(t).values().forEach(r -> {
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
    // at a price: 13 instances pre-warmed ~2 min ahead of each burst (the window's 10 % margin on a
    // 14-minute gap) hold about what the fixed keep-alive holds, not more than a quarter above it
    assertThat(learned.prewarmIdleGbSeconds()).isPositive();
    assertThat(learned.idleGbSeconds()).isLessThan(1.25 * fixed.idleGbSeconds());
  }

  @Test
  void withoutTheScaleDownDelayInstancesBeyondTheFirstStopSoonerAndStartAgain() {
    int[] counts = new int[60];
    for (int m = 0; m < 60; m++) {
      counts[m] = m % 2 == 0 ? 12 : 1; // bursts of 12 calls of 10 s, a quiet minute between
    }
    AzureTrace t = new AzureTrace(Path.of("synthetic"), 1, 60, List.of(new AzureTrace.TracedFunction(0, "o", "a", "f", "queue", counts,
        10_000, 256)), List.of());
    TraceReplay.Policy fixed = TraceReplay.standard().getFirst();
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
