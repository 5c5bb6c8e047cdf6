package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The 0 ↔ 1 edge on a manual clock: a function called every 10 minutes, then asked at several moments of its idle spell. */
class KeepAliveIdlePolicyTest {
  final ManualClock clock = new ManualClock();
  final IdleTimeTracker tracker = new IdleTimeTracker();
  final FunctionSpec spec = FunctionSpec.of("f", Runtime.JAVA, "a.B", null);

  /** Calls lasting 1 s every {@code every}, {@code n} times; the clock ends at the last call's end. */
  void rhythm(Duration every, int n) {
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        clock.advance(every.minusSeconds(1));
      }
      tracker.busy("f", clock.instant());
      clock.advance(Duration.ofSeconds(1));
      tracker.idle("f", clock.instant());
    }
  }

  static PoolSnapshot pool(FunctionSpec spec, int ready, Instant lastUsed) {
    List<InstanceLoad> loads = ready == 0 ? List.of() : List.of(new InstanceLoad("f-1", 0, lastUsed, false));
    return new PoolSnapshot(spec, ready, 0, 0, 0, loads);
  }

  @ParameterizedTest(name = "{0}, {1} s after the last call, {2} up → keep {3}")
  @CsvSource({
      // learned: idle 9 min 59 s each time (bin 9) → window 9 .. 10 min after the last call ended
      "histogram, 1,    1, 0",   // just served: stop it, the next call is 9 minutes away
      "histogram, 539,  0, 0",
      "histogram, 540,  0, 1",   // the window opens: pre-warm one
      "histogram, 599,  1, 1",
      "histogram, 600,  1, 0",   // the window closed with no call: stop it
      // fixed: the function's idleTimeout (5 min), never pre-warms, never restarts a stopped instance
      "fixed,     1,    1, 1",
      "fixed,     299,  1, 1",
      "fixed,     300,  1, 0",
      "fixed,     10,   0, 0",
      // off: stops at once
      "off,       0,    1, 0",
  })
  void keepsOrStartsOneInstanceOnlyInsideTheWindow(String mode, long secondsAfter, int ready, int keep) {
    rhythm(Duration.ofMinutes(10), 5);
    Instant idleSince = clock.instant();
    KeepAliveIdlePolicy p = new KeepAliveIdlePolicy(tracker, s -> KeepAlivePolicy.of(KeepAlive.parse("mode", mode)));
    Instant now = idleSince.plusSeconds(secondsAfter);
    assertThat(p.instancesWhileIdle(pool(spec, ready, idleSince), now)).isEqualTo(keep);
  }

  @Test
  void aRequestThatCameAfterTheSnapshotKeepsItsInstance() {
    // A client calling back to back: the tick's snapshot caught it between two calls (nothing in
    // flight), and by the time the policy is asked the next call is running. That is not idle.
    rhythm(Duration.ofMinutes(10), 5);
    KeepAliveIdlePolicy p = new KeepAliveIdlePolicy(tracker, s -> KeepAlivePolicy.of(KeepAlive.parse("mode", "histogram")));
    Instant between = clock.instant();
    tracker.busy("f", between.plusMillis(1));
    assertThat(p.instancesWhileIdle(pool(spec, 1, between), between.plusMillis(2))).isEqualTo(1);
  }

  @Test
  void aCallThatEndedAfterTheTicksClockWasReadEndedNow() {
    // The tick reads its clock, then a call ends (its idle time starts a moment later than "now"):
    // the policy must not take that for an idle time outside its window.
    rhythm(Duration.ofMinutes(10), 5);
    KeepAliveIdlePolicy p = new KeepAliveIdlePolicy(tracker, s -> KeepAlivePolicy.fixed());
    Instant tick = clock.instant().minusNanos(400_000);
    assertThat(p.instancesWhileIdle(pool(spec, 1, clock.instant()), tick)).isEqualTo(1);
  }

  @Test
  void aPinnedRevisionsPoolKeepsByItsOwnRhythm() {
    rhythm(Duration.ofMinutes(10), 5); // the function's own pool: called every 10 minutes
    KeepAliveIdlePolicy p = new KeepAliveIdlePolicy(tracker, s -> KeepAlivePolicy.of(KeepAlive.parse("mode", "histogram")));
    PoolSnapshot pinned = new PoolSnapshot("f@3", spec, 1, 0, 0, 0, List.of(new InstanceLoad("f-9", 0, clock.instant(), false)));
    tracker.busy("f@3", clock.instant());
    tracker.idle("f@3", clock.instant().plusSeconds(1));
    // the function's rhythm would stop an instance 1 s after a call; f@3 has no learned rhythm of its own yet
    assertThat(tracker.decision("f@3", spec, KeepAlivePolicy.of(KeepAlive.parse("mode", "histogram"))))
        .isNotEqualTo(tracker.decision("f", spec, KeepAlivePolicy.of(KeepAlive.parse("mode", "histogram"))));
    assertThat(p.instancesWhileIdle(pinned, clock.instant().plusSeconds(2))).isEqualTo(1);
  }

  @Test
  void aFunctionNeverCalledKeepsNothingAndAnInstanceUpAnywayIsIdleSinceItWasReady() {
    KeepAliveIdlePolicy p = new KeepAliveIdlePolicy(tracker, s -> KeepAlivePolicy.fixed());
    assertThat(p.instancesWhileIdle(pool(spec, 0, clock.instant()), clock.instant())).isZero();
    // a rollout's pre-warmed revision: kept for the window from when it became ready (fixed: idleTimeout, 5 min)
    Instant ready = clock.instant();
    assertThat(p.instancesWhileIdle(pool(spec, 1, ready), ready.plusSeconds(299))).isEqualTo(1);
    assertThat(p.instancesWhileIdle(pool(spec, 1, ready), ready.plusSeconds(300))).isZero();
  }

  @Test
  void whileBusyNoIdleTimeIsRecordedAndAPreWarmedInstanceDoesNotMoveTheWindow() {
    rhythm(Duration.ofMinutes(10), 5);
    assertThat(tracker.histogram("f").count(9)).isEqualTo(4); // 10 min between starts = 9 min 59 s idle
    tracker.busy("f", clock.instant());
    tracker.busy("f", clock.instant().plusSeconds(5)); // a second request while the first runs
    assertThat(tracker.histogram("f").inRange()).isEqualTo(5);
    assertThat(tracker.idleSince("f")).isNull();
  }

  @Test
  void changesAreTakenOnceAndARestoredRhythmDecidesAsBefore() {
    rhythm(Duration.ofMinutes(10), 5);
    IdleTimeTracker.Changes c = tracker.takeChanges();
    assertThat(c.changed()).containsOnlyKeys("f");
    assertThat(tracker.takeChanges().isEmpty()).isTrue();

    IdleTimeTracker restored = new IdleTimeTracker();
    restored.restore("f", c.changed().get("f"));
    assertThat(restored.idleSince("f")).isEqualTo(clock.instant());
    assertThat(restored.decision("f", spec, KeepAlivePolicy.histogram()))
        .isEqualTo(tracker.decision("f", spec, KeepAlivePolicy.histogram()));

    tracker.forget("f");
    assertThat(tracker.takeChanges().forgotten()).containsExactly("f");
    assertThat(tracker.idleSince("f")).isNull();
  }
}
