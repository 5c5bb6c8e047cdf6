package dev.pilotlight.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A rollout's decisions, step by step, on a clock the test moves. */
class RolloutTest {
  static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

  /** {@code calls} calls, {@code errors} of them failed, each taking {@code ms}. */
  static CallWindow.Snapshot calls(int calls, int errors, double ms) {
    CallWindow w = new CallWindow();
    for (int i = 0; i < calls; i++) {
      w.record(ms, i < errors);
    }
    return w.snapshot();
  }

  static Rollout.Observation healthy() {
    return new Rollout.Observation(true, null, calls(200, 0, 5), calls(20, 0, 6));
  }

  @Test
  void plansAreReadAsCodeDeploysNamesSayAndWrittenBackTheSame() {
    RolloutPlan canary = RolloutPlan.parse("canary:10%,5m");
    assertThat(canary.steps()).containsExactly(10);
    assertThat(canary.interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(canary.maxErrorIncrease()).isEqualTo(0.01);
    assertThat(RolloutPlan.parse("linear:25%,1m").steps()).containsExactly(25, 50, 75);
    assertThat(RolloutPlan.parse("linear:30%,1m").steps()).containsExactly(30, 60, 90);
    RolloutPlan tuned = RolloutPlan.parse("Linear:10%,30s,errors=5%,latency=3x");
    assertThat(RolloutPlan.parse(tuned.toString())).isEqualTo(tuned);
    for (String bad : new String[] {"", "canary", "canary:10%", "blue:10%,5m", "canary:0%,5m", "canary:100%,5m", "canary:10,5m",
        "canary:10%,soon", "canary:10%,5m,speed=2", "canary:10%,5m,latency=0.5x", "canary:10%,0s", "canary:10%,9223372036854775807s",
        "canary:10%,3000000000000h"}) {
      assertThatThrownBy(() -> RolloutPlan.parse(bad)).as(bad).isInstanceOf(Failure.InvalidInput.class).hasMessageStartingWith("rollout");
    }
  }

  @Test
  void theNewRevisionTakesNoShareUntilItHasAnInstanceThenStepsUpAndEndsAtAll() {
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("linear:50%,1m"), T0);
    assertThat(r.traffic(2)).isEqualTo(Traffic.parse("1=100 canary:2=0"));
    Rollout.Observation cold = new Rollout.Observation(false, null, CallWindow.Snapshot.EMPTY, CallWindow.Snapshot.EMPTY);
    assertThat(r.next(cold, T0.plusSeconds(3))).isSameAs(r);
    r = r.next(healthy(), T0.plusSeconds(4));
    assertThat(r.percent()).isEqualTo(50);
    assertThat(r.traffic(2)).isEqualTo(Traffic.parse("1=50 canary:2=50"));
    assertThat(r.next(healthy(), T0.plusSeconds(63))).as("its minute is not over").isSameAs(r);
    r = r.next(healthy(), T0.plusSeconds(64));
    assertThat(r.status()).isEqualTo(Rollout.Status.SUCCEEDED);
    assertThat(r.traffic(2)).isEqualTo(Traffic.LATEST);
    assertThat(r.traffic(3)).as("a newer revision deployed since").isEqualTo(Traffic.parse("2=100"));
    assertThat(r.next(healthy(), T0.plusSeconds(500))).isSameAs(r);
  }

  @Test
  void aStepWaitsUntilTheNewRevisionAnsweredEnoughCallsToJudge() {
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("canary:10%,1m"), T0).next(healthy(), T0);
    Rollout.Observation few = new Rollout.Observation(true, null, calls(90, 0, 5), calls(RolloutPlan.MIN_CALLS_PER_STEP - 1, 0, 5));
    assertThat(r.next(few, T0.plusSeconds(600))).isSameAs(r);
    assertThat(r.next(healthy(), T0.plusSeconds(600)).status()).isEqualTo(Rollout.Status.SUCCEEDED);
  }

  @Test
  void moreErrorsThanTheStableRevisionPlusTheAllowanceRollBackAtOnce() {
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("canary:10%,5m"), T0).next(healthy(), T0);
    Rollout failing = r.next(new Rollout.Observation(true, null, calls(100, 1, 5), calls(20, 10, 5)), T0.plusSeconds(5));
    assertThat(failing.status()).isEqualTo(Rollout.Status.FAILED);
    assertThat(failing.reason()).contains("revision 2 failed 10 of 20 calls (50.0 %)").contains("revision 1 1.0 %");
    assertThat(failing.traffic(2)).isEqualTo(Traffic.parse("1=100 canary:2=0"));
    assertThat(failing.endedAt()).isEqualTo(T0.plusSeconds(5));
    // within the allowance: 2 % against 1 % and one point more allowed
    Rollout ok = r.next(new Rollout.Observation(true, null, calls(100, 1, 5), calls(50, 1, 5)), T0.plusSeconds(5));
    assertThat(ok.running()).isTrue();
  }

  @Test
  void aP99BeyondTheRatioRollsBackAndSmallLatenciesHaveSlack() {
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("canary:10%,5m"), T0).next(healthy(), T0);
    Rollout slow = r.next(new Rollout.Observation(true, null, calls(100, 0, 50), calls(20, 0, 400)), T0.plusSeconds(5));
    assertThat(slow.status()).isEqualTo(Rollout.Status.FAILED);
    assertThat(slow.reason()).contains("answered with p75");
    // 2 ms against 1 ms is twice as slow, but within the slack
    assertThat(r.next(new Rollout.Observation(true, null, calls(100, 0, 1), calls(20, 0, 2)), T0.plusSeconds(5)).running()).isTrue();
  }

  @Test
  void aNewRevisionThatCannotStartFailsTheRolloutAsDoesOneNeverReady() {
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("canary:10%,5m"), T0);
    Rollout failed = r.next(new Rollout.Observation(false, "init failed: boom", CallWindow.Snapshot.EMPTY, CallWindow.Snapshot.EMPTY),
        T0.plusSeconds(2));
    assertThat(failed.status()).isEqualTo(Rollout.Status.FAILED);
    assertThat(failed.reason()).contains("did not start: init failed: boom");
    Rollout.Observation cold = new Rollout.Observation(false, null, CallWindow.Snapshot.EMPTY, CallWindow.Snapshot.EMPTY);
    assertThat(r.next(cold, T0.plus(Rollout.WARM_UP_LIMIT)).status()).isEqualTo(Rollout.Status.FAILED);
  }

  @Test
  void aCallWindowsP99IsWithinItsBucketsTenPercent() {
    CallWindow w = new CallWindow();
    for (int i = 1; i <= 1000; i++) {
      w.record(i, false);
    }
    CallWindow.Snapshot all = w.snapshot();
    assertThat(all.p99()).isBetween(990.0, 990 * 1.1);
    for (int i = 0; i < 100; i++) {
      w.record(5000, true);
    }
    CallWindow.Snapshot later = w.snapshot().minus(all);
    assertThat(later.calls()).isEqualTo(100);
    assertThat(later.errorRate()).isEqualTo(1.0);
    assertThat(later.p99()).isBetween(5000.0, 5500.0);
  }

  @Test
  void theLatencyIsJudgedAtAQuantileSeveralCallsLieAbove() {
    assertThat(Rollout.judgedQuantile(10)).isEqualTo(0.5);
    assertThat(Rollout.judgedQuantile(50)).isEqualTo(0.9);
    assertThat(Rollout.judgedQuantile(100)).isEqualTo(0.95);
    assertThat(Rollout.judgedQuantile(500)).isEqualTo(0.99);
    assertThat(Rollout.judgedQuantile(100_000)).isEqualTo(0.99);
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("canary:10%,5m"), T0).next(healthy(), T0);
    // 20 calls of the new revision, one of them (its first, say) slow: not a breach
    CallWindow stableCalls = new CallWindow();
    CallWindow canaryCalls = new CallWindow();
    for (int i = 0; i < 100; i++) {
      stableCalls.record(10, false);
    }
    for (int i = 0; i < 19; i++) {
      canaryCalls.record(11, false);
    }
    canaryCalls.record(45, false);
    assertThat(r.next(new Rollout.Observation(true, null, stableCalls.snapshot(), canaryCalls.snapshot()), T0.plusSeconds(5)).running()).isTrue();
    // ten slow ones more are (at 30 calls the p83 is judged: five lie above it)
    for (int i = 0; i < 10; i++) {
      canaryCalls.record(400, false);
    }
    Rollout slow = r.next(new Rollout.Observation(true, null, stableCalls.snapshot(), canaryCalls.snapshot()), T0.plusSeconds(6));
    assertThat(slow.status()).isEqualTo(Rollout.Status.FAILED);
    assertThat(slow.reason()).contains("revision 2 answered with p83.3");
  }

  @Test
  void atEveryWindowSizeFiveCallsLieAboveTheJudgedQuantile() {
    for (int n = RolloutPlan.MIN_CALLS_PER_STEP; n <= 600; n++) {
      CallWindow w = new CallWindow();
      for (int i = 0; i < n - 5; i++) {
        w.record(1, false);
      }
      for (int i = 0; i < 5; i++) {
        w.record(1000, false);
      }
      // the five slow calls are above it, so a quantile that took one of them would be 1000 ms
      assertThat(w.snapshot().quantile(Rollout.judgedQuantile(n))).as("%d calls", n).isLessThan(100);
    }
  }
}
