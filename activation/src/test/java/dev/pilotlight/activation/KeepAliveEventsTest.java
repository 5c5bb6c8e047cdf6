package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.model.Instance;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeLauncher;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the pool tells the keep-alive rhythm and the usage meter: busy and idle spells, idle instance time, pre-warms. */
class KeepAliveEventsTest {
  final FakeLauncher launcher = new FakeLauncher();
  final ManualClock clock = new ManualClock();
  final List<String> events = new ArrayList<>();
  final Instant t0 = clock.instant();

  final ActivationEvents recorder = new ActivationEvents() {
    @Override
    public void instanceReady(Instance instance) {}

    @Override
    public void instanceFailedToStart(String function, Throwable error) {}

    @Override
    public void instanceGone(Instance instance, String reason) {}

    @Override
    public void functionDemand(String function, int requests, int instances, Instant now) {
      events.add("demand " + instances + "@" + Duration.between(t0, now).toSeconds());
    }

    @Override
    public void instanceIdle(Instance instance, Duration idle, boolean prewarm) {
      events.add((prewarm ? "prewarm-idle " : "idle-instance ") + idle.toSeconds() + "s");
    }

    @Override
    public void prewarmStarted(String function) {
      events.add("prewarm");
    }
  };

  Activator activator() {
    Activator a = new Activator(launcher::launch, new ScalingDecider()::instancesToStart, ActivationEvents.all(recorder), clock, 100);
    a.deploy(Deployments.java("f", 1, 5));
    return a;
  }

  @Test
  void everyChangeOfTheInstancesTheDemandNeedsIsReportedOnce() {
    Activator a = activator();
    CompletableFuture<Lease> first = a.acquire("f");
    CompletableFuture<Lease> second = a.acquire("f"); // arrives while the first waits: two instances needed
    launcher.completeNext();
    launcher.completeNext();
    clock.advance(Duration.ofSeconds(2));
    first.join().release(true);
    clock.advance(Duration.ofSeconds(3));
    second.join().release(true); // the last one: idle from now
    clock.advance(Duration.ofSeconds(60));
    a.acquire("f").join().release(true);
    // the third request takes the first instance (idle since 2 s); the second stays idle
    assertThat(events).containsExactly("demand 1@0", "demand 2@0", "demand 1@2", "demand 0@5", "idle-instance 63s", "demand 1@65",
        "demand 0@65");
  }

  @Test
  void aPreWarmedInstanceCountsItsWaitAsPreWarmIdleAndItsFirstRequestAsAHit() {
    Activator a = activator();
    a.prewarm("f");
    assertThat(events).containsExactly("prewarm");
    launcher.completeNext();
    clock.advance(Duration.ofSeconds(30));
    Lease lease = a.acquire("f").join();
    assertThat(lease.prewarmHit()).isTrue();
    assertThat(lease.cold()).isFalse();
    assertThat(events).contains("prewarm-idle 30s");
    lease.release(true);
    Lease next = a.acquire("f").join();
    assertThat(next.prewarmHit()).isFalse();
  }

  @Test
  void aPreWarmWithoutMemoryIsNeitherLoggedNorCounted() {
    Activator a = new Activator(launcher::launch, new ScalingDecider()::instancesToStart, ActivationEvents.all(recorder), clock,
        new Activator.Settings(100, null), new MemoryBudget(64, () -> 0)); // the function wants 128 MB
    a.deploy(Deployments.java("f", 1, 5));
    a.prewarm("f");
    assertThat(events).doesNotContain("prewarm");
  }

  @Test
  void aRemovedFunctionsLastReleaseReportsNothing() {
    Activator a = activator();
    CompletableFuture<Lease> f = a.acquire("f");
    launcher.completeNext();
    Lease lease = f.join();
    a.remove("f");
    events.clear();
    lease.release(true);
    assertThat(events).noneMatch(e -> e.startsWith("demand"));
  }

  @Test
  void aRequestThatWaitsForAPreWarmStillStartingIsColdNotAHit() {
    Activator a = activator();
    a.prewarm("f");
    CompletableFuture<Lease> f = a.acquire("f");
    launcher.completeNext();
    assertThat(f.join().cold()).isTrue();
    assertThat(f.join().prewarmHit()).isFalse();
  }

  @Test
  void anIdleInstanceThatExitsReportsItsIdleTimeUntilThen() {
    Activator a = activator();
    CompletableFuture<Lease> f = a.acquire("f");
    launcher.completeNext();
    f.join().release(true);
    clock.advance(Duration.ofSeconds(42));
    a.stopInstances("f");
    assertThat(events).contains("idle-instance 42s");
  }
}
