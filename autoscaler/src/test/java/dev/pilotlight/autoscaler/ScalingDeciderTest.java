package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.autoscaler.ScalingDecision.Reason;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decider on a manual clock, table-style: each row is a demand pattern (tick by tick, one
 * second each) and what the decider must do with it. Concurrency 10 at 70 % gives a target of 7
 * requests per instance throughout.
 */
class ScalingDeciderTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration FIVE_MIN = Duration.ofMinutes(5);

  // ---- the activator's immediate scale-up -------------------------------------------------------

  static Stream<Arguments> scaleUpAtOnce() {
    return Stream.of(
        // concurrency, min, max, ready, starting, inFlight, queued -> start
        Arguments.of(1, 0, 10, 0, 0, 0, 1, 1),   // first request at zero
        Arguments.of(1, 0, 10, 0, 1, 0, 2, 1),   // second queued while one starts
        Arguments.of(1, 0, 3, 0, 0, 0, 100, 3),  // burst capped at max
        Arguments.of(10, 0, 10, 1, 0, 5, 0, 0),  // one instance has room
        Arguments.of(10, 0, 10, 1, 0, 10, 1, 1), // full instance, one more needed
        Arguments.of(4, 0, 10, 0, 0, 0, 9, 3),   // ceil(9/4)
        Arguments.of(1, 2, 10, 0, 0, 0, 0, 2),   // min instances kept up with no demand
        Arguments.of(1, 2, 10, 2, 0, 0, 0, 0),   // min satisfied
        Arguments.of(1, 0, 10, 5, 0, 0, 0, 0));  // never negative
  }

  @ParameterizedTest
  @MethodSource
  void scaleUpAtOnce(int concurrency, int min, int max, int ready, int starting, int inFlight, int queued, int expected) {
    PoolSnapshot s = new PoolSnapshot(PoolSim.spec(concurrency, min, max, FIVE_MIN), ready, starting, inFlight, queued, List.of());
    assertThat(new ScalingDecider().instancesToStart(s)).isEqualTo(expected);
  }

  // ---- one decision from a given state ----------------------------------------------------------

  /**
   * A row: the pool and the demand history it has seen (the same value every second for {@code
   * seconds}), and how long ago the function's last request ended as the tracker heard it (null:
   * busy now, or never called).
   */
  record Row(String what, int ready, int starting, int inFlight, int queued, double averageDemand, int seconds,
      Duration idleFor, int expectDesired, boolean expectPanic, Reason expectReason) {
    @Override
    public String toString() {
      return what;
    }
  }

  static Stream<Row> oneDecision() {
    return Stream.of(
        new Row("steady 70 on 10 instances is on target", 10, 0, 70, 0, 70, 60, null, 10, false, Reason.STABLE),
        new Row("steady 70 on 12: shrinks to what carries 70 at 90 % of target", 12, 0, 70, 0, 70, 60, null, 12, false, Reason.STABLE),
        new Row("steady 50 on 12: shrinks to 8", 12, 0, 50, 0, 50, 60, null, 8, false, Reason.STABLE),
        new Row("steady 20 on 12: at most halves per decision", 12, 0, 20, 0, 20, 60, null, 6, false, Reason.STABLE),
        new Row("panic window at 2× target of the ready instances", 5, 0, 50, 20, 70, 6, null, 10, true, Reason.PANIC),
        new Row("just under 2×: no panic, stable average decides", 5, 0, 50, 19, 69, 6, null, 10, false, Reason.STABLE),
        new Row("burst at zero: panic on the first sample", 0, 0, 0, 100, 100, 1, null, 15, true, Reason.PANIC),
        new Row("the averages lag: never below what is in flight now", 10, 0, 100, 0, 10, 60, null, 10, false, Reason.DEMAND),
        new Row("requests queued: no scale-down", 12, 0, 120, 5, 5, 60, null, 13, false, Reason.DEMAND),
        new Row("instances starting: no scale-down", 12, 3, 10, 0, 10, 60, null, 15, false, Reason.STARTING),
        new Row("idle, within the idle timeout: one kept", 1, 0, 0, 0, 0, 60, Duration.ZERO, 1, false, Reason.KEEP_ALIVE),
        new Row("idle, within the idle timeout: the average decays the rest", 3, 0, 0, 0, 0, 60, Duration.ZERO, 1, false, Reason.STABLE),
        new Row("idle past the idle timeout: zero", 1, 0, 0, 0, 0, 60, FIVE_MIN, 0, false, Reason.SCALE_TO_ZERO),
        new Row("never called: stays at zero", 0, 0, 0, 0, 0, 60, null, 0, false, Reason.SCALE_TO_ZERO));
  }

  @ParameterizedTest
  @MethodSource
  void oneDecision(Row r) {
    FunctionSpec spec = PoolSim.spec(10, 0, 100, FIVE_MIN);
    ScalingPolicy policy = ScalingPolicy.of(spec, ScalingSettings.DEFAULTS);
    DemandHistory h = DemandHistory.EMPTY;
    for (int i = r.seconds() - 1; i >= 0; i--) {
      h = h.with(T0.minusSeconds(i), r.averageDemand(), policy.stableWindow());
    }
    List<InstanceLoad> loads = IntStream.range(0, r.ready())
        .mapToObj(i -> new InstanceLoad("f-" + i, 0, T0.minusSeconds(3600), false)).toList();
    PoolSnapshot s = new PoolSnapshot(spec, r.ready(), r.starting(), r.inFlight(), r.queued(), loads);
    IdleTimeTracker tracker = new IdleTimeTracker();
    if (r.idleFor() != null) {
      tracker.busy(spec.name(), T0.minus(r.idleFor()).minusSeconds(1));
      tracker.idle(spec.name(), T0.minus(r.idleFor()));
    }
    ScalingDecider decider = new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED));
    ScalingDecision d = decider.decide(s, h, policy, ScalingState.INITIAL, T0);
    assertThat(d.desired()).as("desired").isEqualTo(r.expectDesired());
    assertThat(d.panicking()).as("panicking").isEqualTo(r.expectPanic());
    assertThat(d.reason()).as("reason").isEqualTo(r.expectReason());
    assertThat(d.prewarms()).as("prewarms: every start here is for demand").isZero();
  }

  // ---- closed-loop scenarios --------------------------------------------------------------------

  @Test
  void aBurstFromZeroPanicsHoldsThroughTheBurstAndDecaysAfterThePanicEnds() {
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN, NO_DELAY));
    assertThat(sim.run(0, 5).desired()).isZero();
    ScalingDecision first = sim.step(100);
    assertThat(first.desired()).isEqualTo(15);
    assertThat(first.panicking()).isTrue();
    assertThat(sim.run(100, 9).desired()).isEqualTo(15);

    // The burst ends. Until a stable window has passed since the burst was detected, nothing shrinks.
    ScalingDecision quiet = sim.run(0, 50);
    assertThat(quiet.panicking()).isTrue();
    assertThat(quiet.desired()).isEqualTo(15);
    assertThat(sim.decisions).allMatch(d -> d.desired() <= 15);
    // Then the panic ends and the count decays, at most by half per tick, to the one kept warm.
    ScalingDecision afterPanic = sim.step(0);
    assertThat(afterPanic.panicking()).isFalse();
    assertThat(afterPanic.desired()).isEqualTo(7);
    assertThat(sim.step(0).desired()).isEqualTo(3);
    assertThat(sim.run(0, 10).desired()).isEqualTo(1);
    assertThat(sim.run(0, 100).desired()).isEqualTo(1);
    assertThat(sim.reversals(6)).isZero();
  }

  @Test
  void sustainedLoadLeavesPanicAndSettlesWithoutFlapping() {
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN));
    Random noise = new Random(42);
    sim.step(0);
    for (int t = 0; t < 600; t++) {
      sim.step(95 + noise.nextInt(11) - 5); // 90..100 requests in flight, every second
    }
    ScalingDecision end = sim.decisions.getLast();
    assertThat(end.panicking()).isFalse();
    assertThat(end.desired()).isBetween(14, 15);
    // after the first stable window, the count moves at most once (no oscillation)
    assertThat(sim.reversals(70)).isZero();
    long changes = IntStream.range(71, sim.decisions.size())
        .filter(i -> sim.decisions.get(i).desired() != sim.decisions.get(i - 1).desired()).count();
    assertThat(changes).isLessThanOrEqualTo(1);
  }

  @Test
  void anAverageAtARoundingBoundaryDoesNotFlap() {
    // 98 requests / 7 per instance = 14.0: the ceil flips between 14 and 15 as the average wobbles
    // around it; the scale-down margin keeps the count where it is.
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN));
    Random noise = new Random(7);
    for (int t = 0; t < 600; t++) {
      sim.step(98 + noise.nextInt(5) - 2);
    }
    assertThat(sim.reversals(70)).isZero();
  }

  @Test
  void onOffTrafficEverySecondIsCarriedByItsAverageNotChased() {
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN));
    for (int t = 0; t < 300; t++) {
      sim.step(t % 2 == 0 ? 40 : 0);
    }
    // the demand floor holds 4 in the busy seconds; the stable average (20) asks for 3: never fewer than 4 then
    assertThat(sim.decisions.subList(120, 300)).allMatch(d -> d.desired() >= 3 && d.desired() <= 6);
    assertThat(sim.reversals(120)).isZero();
  }

  @Test
  void aBiggerBurstDuringPanicRaisesTheCountAndNothingShrinksUntilThePanicEnds() {
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN, NO_DELAY));
    sim.run(100, 3);
    sim.run(0, 10);
    assertThat(sim.ready).isEqualTo(15);
    sim.run(300, 3);
    assertThat(sim.ready).isEqualTo(30); // what 300 in flight need at full concurrency, at once
    ScalingDecision quiet = sim.run(0, 44);
    assertThat(quiet.panicking()).isTrue();
    assertThat(quiet.desired()).isEqualTo(30);
    ScalingDecision over = sim.step(0);
    assertThat(over.panicking()).isFalse();
    assertThat(over.desired()).isEqualTo(15);
  }

  @Test
  void scalesToZeroExactlyAtTheIdleTimeout() {
    PoolSim sim = new PoolSim(PoolSim.spec(1, 0, 10, Duration.ofSeconds(30)));
    sim.step(1);
    assertThat(sim.ready).isEqualTo(1); // concurrency 1: the target is one request, not 0.7
    assertThat(sim.run(0, 29).desired()).isEqualTo(1);
    ScalingDecision last = sim.step(0);
    assertThat(last.desired()).isZero();
    assertThat(last.reason()).isEqualTo(Reason.SCALE_TO_ZERO);
    assertThat(sim.run(0, 100).desired()).isZero();
  }

  @Test
  void aFunctionBackAtZeroForgetsThePastBurst() {
    // A burst, scale to zero, then a smaller steady load: sized for the load, not for the memory of the burst.
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, Duration.ofSeconds(10)));
    sim.run(100, 20);
    assertThat(sim.run(0, 10).reason()).isEqualTo(Reason.SCALE_TO_ZERO);
    assertThat(sim.ready).isZero();
    for (int t = 0; t < 120; t++) { // at once: no tick sees the pool empty in between
      sim.step(30);
    }
    int from = sim.decisions.size() - 120;
    assertThat(sim.decisions.subList(from, sim.decisions.size())).allMatch(d -> d.desired() == 5);
  }

  @Test
  void anIdleTimeoutOfZeroStopsAtTheFirstIdleTick() {
    PoolSim sim = new PoolSim(PoolSim.spec(1, 0, 10, Duration.ZERO));
    sim.step(1);
    assertThat(sim.step(0).desired()).isZero();
  }

  @Test
  void idleTimeoutShorterThanThePanicStillScalesToZero() {
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, Duration.ofSeconds(5)));
    sim.run(100, 5);
    ScalingDecision d = sim.run(0, 5);
    assertThat(d.desired()).isZero();
    assertThat(d.panicking()).isFalse();
    // and a new burst panics again from a clean state
    assertThat(sim.step(100).panicking()).isTrue();
  }

  @Test
  void minAndMaxBoundEverything() {
    PoolSim min = new PoolSim(PoolSim.spec(10, 2, 100, Duration.ZERO));
    assertThat(min.run(0, 10).desired()).isEqualTo(2);
    assertThat(min.decisions.getLast().reason()).isEqualTo(Reason.MIN_INSTANCES);

    PoolSim max = new PoolSim(PoolSim.spec(10, 0, 5, FIVE_MIN));
    ScalingDecision d = max.step(1000);
    assertThat(d.desired()).isEqualTo(5);
    assertThat(d.reason()).isEqualTo(Reason.MAX_INSTANCES);
    assertThat(max.run(1000, 100).desired()).isEqualTo(5);
  }

  /** The panic and decay tests look at the windows alone. */
  static final ScalingSettings NO_DELAY = new ScalingSettings(null, null, null, null, null, null, null, null, Duration.ZERO);

  @Test
  void theScaleDownDelayKeepsWhatTheBusiestTickOfTheDelayNeeded() {
    FunctionSpec spec = PoolSim.spec(1, 0, 10, FIVE_MIN);
    List<InstanceLoad> loads = IntStream.range(0, 3)
        .mapToObj(i -> new InstanceLoad("f-" + i, i == 0 ? 1 : 0, T0.minusSeconds(50), false)).toList();
    PoolSnapshot s = new PoolSnapshot(spec, 3, 0, 1, 0, loads);
    for (int busyAgo : new int[] {50, 59, 61}) {
      DemandHistory h = DemandHistory.EMPTY;
      for (int i = 89; i >= 0; i--) {
        h = h.with(T0.minusSeconds(i), i == busyAgo ? 3 : 1, Duration.ofSeconds(90));
      }
      ScalingState calm = ScalingState.INITIAL;
      ScalingDecision withDelay = new ScalingDecider().decide(s, h, ScalingPolicy.of(spec, ScalingSettings.DEFAULTS), calm, T0);
      ScalingDecision without = new ScalingDecider().decide(s, h, ScalingPolicy.of(spec, NO_DELAY.over(ScalingSettings.DEFAULTS)), calm, T0);
      // one tick at 3 within the last 60 s keeps the 3 instances; without the delay the 60 s average (~1.03) wants 2
      assertThat(without.desired()).as("no delay, busy %d s ago", busyAgo).isEqualTo(2);
      if (busyAgo < 60) {
        assertThat(withDelay.desired()).as("busy %d s ago", busyAgo).isEqualTo(3);
        assertThat(withDelay.reason()).isEqualTo(Reason.DELAY);
      } else {
        assertThat(withDelay.desired()).as("busy %d s ago", busyAgo).isEqualTo(2);
      }
    }
  }

  /** An idle policy that keeps nothing at the first level but expects a burst of {@code expected}. */
  static IdlePolicy expecting(int keep, int expected) {
    return new IdlePolicy() {
      @Override
      public int instancesWhileIdle(PoolSnapshot snapshot, Instant now) {
        return keep;
      }

      @Override
      public int instancesExpected(PoolSnapshot snapshot, Instant now) {
        return expected;
      }
    };
  }

  static ScalingDecision idleDecision(IdlePolicy idle, int min, int max, int ready) {
    FunctionSpec spec = PoolSim.spec(1, min, max, FIVE_MIN);
    List<InstanceLoad> loads = IntStream.range(0, ready)
        .mapToObj(i -> new InstanceLoad("f-" + i, 0, T0.minusSeconds(30), false)).toList();
    PoolSnapshot s = new PoolSnapshot(spec, ready, 0, 0, 0, loads);
    return new ScalingDecider(idle).decide(s, DemandHistory.EMPTY, ScalingPolicy.of(spec, ScalingSettings.DEFAULTS),
        ScalingState.INITIAL, T0);
  }

  @Test
  void anExpectedBurstSetsAFloorOnlyWhileTheFunctionIsNotScalingToZero() {
    // the first level keeps one: the burst's three are wanted, as pre-warms
    assertThat(idleDecision(expecting(1, 3), 0, 10, 1)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(3, 2, Reason.EXPECTED_BURST);
    // the first level's window is closed: instances up for the burst stay, none is started at zero
    assertThat(idleDecision(expecting(0, 3), 0, 10, 3).desired()).isEqualTo(3);
    assertThat(idleDecision(expecting(0, 3), 0, 10, 0)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(0, 0, Reason.SCALE_TO_ZERO);
    // a function that never scales to zero (minInstances) gets the burst's instances too
    assertThat(idleDecision(expecting(0, 3), 1, 10, 1)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(3, 2, Reason.EXPECTED_BURST);
    // maxInstances caps them, and they stay pre-warms
    assertThat(idleDecision(expecting(1, 3), 0, 2, 1)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(2, 1, Reason.EXPECTED_BURST);
  }

  @Test
  void aKeepAliveStartAtZeroIsAPreWarmAndAKeptInstanceIsNot() {
    IdlePolicy keepOne = (s, now) -> 1;
    assertThat(idleDecision(keepOne, 0, 10, 0)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(1, 1, Reason.KEEP_ALIVE);
    assertThat(idleDecision(keepOne, 0, 10, 1)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(1, 0, Reason.KEEP_ALIVE);
    // minInstances binds instead: an ordinary start, as before the reason was typed
    assertThat(idleDecision(keepOne, 2, 10, 0)).extracting(ScalingDecision::desired, ScalingDecision::prewarms, ScalingDecision::reason)
        .containsExactly(2, 0, Reason.MIN_INSTANCES);
  }

  /** A decision for an idle function with one instance last used {@code lastUsedAgo} ago, by the fixed keep-alive over {@code tracker}. */
  static ScalingDecision fixedKeepAlive(IdleTimeTracker tracker, Duration lastUsedAgo) {
    FunctionSpec spec = PoolSim.spec(1, 0, 10, FIVE_MIN);
    PoolSnapshot s = new PoolSnapshot(spec, 1, 0, 0, 0, List.of(new InstanceLoad("f-0", 0, T0.minus(lastUsedAgo), false)));
    return new ScalingDecider(KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.FIXED))
        .decide(s, DemandHistory.EMPTY, ScalingPolicy.of(spec, ScalingSettings.DEFAULTS), ScalingState.INITIAL, T0);
  }

  @Test
  void theIdleTimeoutRunsFromTheTrackersIdleStartNotFromTheInstancesLastUse() {
    IdleTimeTracker tracker = new IdleTimeTracker();
    tracker.busy("f", T0.minus(FIVE_MIN).minusSeconds(1));
    tracker.idle("f", T0.minus(FIVE_MIN));
    // an instance started since (by hand, or as a pre-warm) looks just used: the function is still idle for 5 minutes
    assertThat(fixedKeepAlive(tracker, Duration.ZERO)).extracting(ScalingDecision::desired, ScalingDecision::reason)
        .containsExactly(0, Reason.SCALE_TO_ZERO);
    tracker.busy("f", T0.minusSeconds(61));
    tracker.idle("f", T0.minusSeconds(60));
    assertThat(fixedKeepAlive(tracker, Duration.ofHours(1))).extracting(ScalingDecision::desired, ScalingDecision::reason)
        .containsExactly(1, Reason.KEEP_ALIVE);
  }

  @Test
  void theIdleTimeoutSurvivesARestartWithTheTrackersRhythm() {
    IdleTimeTracker before = new IdleTimeTracker();
    before.busy("f", T0.minusSeconds(61));
    before.idle("f", T0.minusSeconds(60));
    IdleTimeTracker after = new IdleTimeTracker();
    after.restore("f", before.takeChanges().changed().get("f"));
    // a new daemon, a decider state from scratch: the minute already idle still counts
    assertThat(fixedKeepAlive(after, Duration.ofHours(1)).desired()).isEqualTo(1);
    assertThat(after.idleSince("f")).isEqualTo(T0.minusSeconds(60));
  }

  @Test
  void scaleUpAndDownRatesLimitEachDecision() {
    ScalingSettings slow = new ScalingSettings(null, null, null, null, 1.5, 4.0, null, null, null);
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN, slow));
    sim.ready = 4;
    sim.step(40); // needs 4 at full concurrency, wants ceil(40/7) = 6, may reach ceil(1.5 × 4) = 6
    assertThat(sim.ready).isEqualTo(6);
    sim.ready = 20;
    sim.state = ScalingState.INITIAL;
    sim.history = DemandHistory.EMPTY;
    assertThat(sim.step(1).desired()).isEqualTo(5); // at most ÷4 in one decision
  }

  @Test
  void aLongerPanicWindowAveragesTheBurstDown() {
    ScalingSettings wide = new ScalingSettings(null, Duration.ofSeconds(60), Duration.ofSeconds(60), null, null, null, null, null, null);
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, FIVE_MIN, wide));
    sim.ready = 1;
    sim.history = DemandHistory.EMPTY.with(sim.clock.instant(), 1, Duration.ofSeconds(60));
    for (int i = 0; i < 58; i++) {
      sim.history = sim.history.with(sim.clock.advance(Duration.ofSeconds(1)), 1, Duration.ofSeconds(60));
    }
    // 59 seconds at 1, then one at 20 on one instance: the 60 s average (≈1.3) is far from 2× target (14)
    ScalingDecision d = sim.step(20);
    assertThat(d.panicking()).isFalse();
    assertThat(d.desired()).isEqualTo(2); // the demand floor: 20 in flight need 2 at concurrency 10
  }

  @Test
  void aReplacementIdlePolicyDecidesScaleToZero() {
    IdlePolicy keepTwo = (s, now) -> 2;
    PoolSim sim = new PoolSim(PoolSim.spec(10, 0, 100, Duration.ZERO), tracker -> keepTwo);
    assertThat(sim.run(0, 10).desired()).isEqualTo(2);
    assertThat(sim.decisions.getLast().reason()).isEqualTo(Reason.KEEP_ALIVE);
  }

  @Test
  void instancesToStopPrefersIdleThenLeastRecentlyUsedThenLeastBusy() {
    PoolSnapshot s = new PoolSnapshot(PoolSim.spec(10, 0, 100, FIVE_MIN), 4, 0, 3, 0, List.of(
        new InstanceLoad("busy", 2, T0.minusSeconds(3600), false),
        new InstanceLoad("recent", 0, T0.minusSeconds(10), false),
        new InstanceLoad("old", 0, T0.minusSeconds(600), false),
        new InstanceLoad("light", 1, T0.minusSeconds(5), false),
        new InstanceLoad("draining", 0, T0.minusSeconds(9999), true)));
    ScalingDecider d = new ScalingDecider();
    assertThat(d.instancesToStop(s, 3)).containsExactly("old", "recent", "light");
    assertThat(d.instancesToStop(s, 0)).isEmpty();
  }
}
