package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.testing.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracker's levels on a manual clock: what each level records, what it expects, what survives a restart. */
class IdleTimeTrackerTest {
  final ManualClock clock = new ManualClock();
  final IdleTimeTracker tracker = new IdleTimeTracker();
  final FunctionSpec spec = FunctionSpec.of("f", Runtime.JAVA, "a.B", null);

  /** {@code n} bursts, every {@code every}: one request for a second, then 3 at once for 20 s, then one for a second. */
  Instant bursts(Duration every, int n) {
    Instant start = clock.instant();
    for (int i = 0; i < n; i++) {
      clock.set(start.plus(every.multipliedBy(i)));
      tracker.demand("f", 1, clock.instant());
      clock.advance(Duration.ofSeconds(1));
      tracker.demand("f", 3, clock.instant());
      clock.advance(Duration.ofSeconds(20));
      tracker.demand("f", 1, clock.instant());
      clock.advance(Duration.ofSeconds(1));
      tracker.demand("f", 0, clock.instant());
    }
    return clock.instant();
  }

  @Test
  void eachLevelRecordsTheGapsBetweenTheSpellsThatReachedIt() {
    bursts(Duration.ofMinutes(10), 4);
    assertThat(tracker.levels("f")).isEqualTo(3);
    // level 1: idle 22 s after each start → next start: 9 min 38 s → bin 9
    assertThat(tracker.histogram("f", 1).count(9)).isEqualTo(3);
    // levels 2 and 3: from the end of one 20 s spell to the start of the next: 9 min 40 s
    assertThat(tracker.histogram("f", 2).count(9)).isEqualTo(3);
    assertThat(tracker.histogram("f", 3).count(9)).isEqualTo(3);
    assertThat(tracker.histogram("f", 4).total()).isZero();
    assertThat(tracker.idleTimes("f")).isEqualTo(3);
  }

  @Test
  void aBurstThatRecursIsExpectedAndItsInstancesPreWarmedJustBeforeIt() {
    Instant end = bursts(Duration.ofMinutes(10), 5);
    KeepAlivePolicy histogram = KeepAlivePolicy.histogram();
    // level 3 went idle 21 s before the end; its gaps (9 min 40 s) are in bin 9: the window is 9 … 10 min after that
    Instant levelIdle = end.minusSeconds(1);
    assertThat(tracker.expectedInstances("f", spec, histogram, 0, levelIdle.plusSeconds(60))).isEqualTo(1);
    assertThat(tracker.expectedInstances("f", spec, histogram, 0, levelIdle.plus(Duration.ofMinutes(9)))).isEqualTo(3);
    assertThat(tracker.expectedInstances("f", spec, histogram, 0, levelIdle.plus(Duration.ofMinutes(12)))).isEqualTo(1);
    // fixed and off never keep or pre-warm above one instance
    assertThat(tracker.expectedInstances("f", spec, KeepAlivePolicy.fixed(), 0, levelIdle.plus(Duration.ofMinutes(9)))).isEqualTo(1);
    assertThat(tracker.expectedInstances("f", spec, KeepAlivePolicy.off(), 0, levelIdle.plus(Duration.ofMinutes(9)))).isEqualTo(1);
    // while the level is busy, nothing is expected of it
    tracker.demand("f", 3, levelIdle.plus(Duration.ofMinutes(9)));
    assertThat(tracker.expectedInstances("f", spec, histogram, 3, levelIdle.plus(Duration.ofMinutes(9)))).isEqualTo(1);
  }

  @Test
  void demandBeyondTheLastLevelCountsAsTheLastLevel() {
    tracker.demand("f", 10_000, clock.instant());
    assertThat(tracker.levels("f")).isEqualTo(IdleTimeTracker.MAX_LEVELS);
    tracker.demand("f", 0, clock.advance(Duration.ofSeconds(1)));
    tracker.demand("f", IdleTimeTracker.MAX_LEVELS + 1, clock.advance(Duration.ofMinutes(5)));
    assertThat(tracker.histogram("f", IdleTimeTracker.MAX_LEVELS).count(5)).isEqualTo(1);
  }

  @Test
  void everyLevelSurvivesARestartAndOneLevelKeepsTheOldFormat() {
    bursts(Duration.ofMinutes(10), 4);
    IdleTimeTracker.Saved saved = tracker.takeChanges().changed().get("f");
    IdleTimeTracker restored = new IdleTimeTracker();
    restored.restore("f", saved);
    assertThat(restored.levels("f")).isEqualTo(3);
    for (int k = 1; k <= 3; k++) {
      assertThat(restored.histogram("f", k).toBytes()).isEqualTo(tracker.histogram("f", k).toBytes());
    }
    assertThat(restored.idleSince("f")).isEqualTo(clock.instant());
    // the levels' idle spells too: the restored tracker expects the burst when the original does
    Instant inWindow = clock.instant().plus(Duration.ofMinutes(9));
    assertThat(restored.expectedInstances("f", spec, KeepAlivePolicy.histogram(), 0, inWindow))
        .isEqualTo(tracker.expectedInstances("f", spec, KeepAlivePolicy.histogram(), 0, inWindow)).isEqualTo(3);

    // a function that never needed two instances is saved as before levels existed: one histogram's bytes
    IdleTimeTracker single = new IdleTimeTracker();
    single.demand("g", 1, clock.instant());
    single.demand("g", 0, clock.advance(Duration.ofSeconds(1)));
    single.demand("g", 1, clock.advance(Duration.ofMinutes(3)));
    single.demand("g", 0, clock.advance(Duration.ofSeconds(1)));
    byte[] bytes = single.takeChanges().changed().get("g").histogram();
    assertThat(IdleTimeHistogram.fromBytes(bytes).count(3)).isEqualTo(1);
  }

  @Test
  void anEndReportedForAForgottenFunctionDoesNotBringItBack() {
    tracker.demand("f", 1, clock.instant());
    tracker.forget("f");
    tracker.demand("f", 0, clock.advance(Duration.ofSeconds(1)));
    assertThat(tracker.levels("f")).isZero();
    assertThat(tracker.takeChanges().forgotten()).containsExactly("f");
  }

  @Test
  void askingAboutAFunctionThatNeverRanRecordsNothingAndDecidesAsAnEmptyHistogramWould() {
    KeepAlivePolicy fixed = KeepAlivePolicy.fixed();
    for (KeepAlivePolicy policy : List.of(fixed, KeepAlivePolicy.histogram(), KeepAlivePolicy.paper())) {
      assertThat(tracker.decision("g", spec, policy)).as(policy.toString()).isEqualTo(policy.decide(spec, new IdleTimeHistogram()));
    }
    assertThat(tracker.levels("g")).isZero();
    assertThat(tracker.takeChanges().changed()).isEmpty();

    // a view of a function just removed does not bring it back (its saved rhythm is still deleted)
    tracker.demand("f", 1, clock.instant());
    tracker.demand("f", 0, clock.advance(Duration.ofSeconds(1)));
    tracker.forget("f");
    tracker.decision("f", spec, fixed);
    assertThat(tracker.levels("f")).isZero();
    assertThat(tracker.takeChanges().forgotten()).containsExactly("f");
  }

  @Test
  void anIdleTimeLongerThanTheClockCanSayIsCappedNotOverflowed() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    for (int i = 0; i < 3; i++) {
      h.record(Duration.ofSeconds(Long.MAX_VALUE / 2));
    }
    assertThat(h.lastOutOfRange()).isEqualTo(Duration.ofSeconds(Integer.MAX_VALUE));
    assertThat(KeepAlivePolicy.paper().decide(spec, h).basis()).isEqualTo("out-of-range");
    assertThat(KeepAlivePolicy.paper().decideScaleOut(spec, h).basis()).isEqualTo("out-of-range");
    // the default predicts nothing past the range: stopped at once, nothing started
    assertThat(KeepAlivePolicy.histogram().decide(spec, h)).isEqualTo(new KeepAliveDecision(Duration.ZERO, Duration.ZERO, "learned"));
    assertThat(KeepAlivePolicy.histogram().decideScaleOut(spec, h)).isEqualTo(KeepAliveDecision.NONE);
  }

  @Test
  void damagedBytesAreRefusedWhenRestored() {
    // what the codec refuses (RhythmCodecTest) the tracker refuses too, and the daemon drops the rhythm
    bursts(Duration.ofMinutes(10), 2);
    byte[] bytes = tracker.takeChanges().changed().get("f").histogram();
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> new IdleTimeTracker().restore("f", new IdleTimeTracker.Saved(truncated, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    IdleTimeTracker untouched = new IdleTimeTracker();
    byte[] farFuture = bytes.clone();
    ByteBuffer.wrap(farFuture).putLong(2, Long.MAX_VALUE); // level 1's idle start
    assertThatThrownBy(() -> untouched.restore("f", new IdleTimeTracker.Saved(farFuture, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle start");
    assertThat(untouched.levels("f")).isZero();
  }
}
