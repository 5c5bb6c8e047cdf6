package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeInstance;
import dev.pilotlight.testing.FakeLauncher;
import dev.pilotlight.testing.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Queueing and on-demand launch, with start-ups completed by hand instead of waited for. */
class ActivatorTest {
  final FakeLauncher launcher = new FakeLauncher();
  final ManualClock clock = new ManualClock();

  Activator activator(int maxQueue) {
    return new Activator(launcher::launch, new ScalingDecider()::instancesToStart, ActivationEvents.NONE, clock, maxQueue);
  }

  @Test
  void aRequestAtZeroWaitsForTheInstanceItStartsAndIsMarkedCold() {
    Activator a = activator(10);
    a.deploy(Deployments.java("f", 1, 5));
    CompletableFuture<Lease> first = a.acquire("f");
    assertThat(first).isNotDone();
    assertThat(launcher.pendingCount()).isEqualTo(1);
    FakeInstance i = launcher.completeNext();
    Lease lease = first.join();
    assertThat(lease.instance()).isSameAs(i);
    assertThat(lease.cold()).isTrue();
    lease.release(true);
    Lease warm = a.acquire("f").join();
    assertThat(warm.cold()).isFalse();
    assertThat(launcher.launchCount()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsStartMoreInstancesUpToMax() {
    Activator a = activator(100);
    a.deploy(Deployments.java("f", 1, 3));
    List<CompletableFuture<Lease>> leases = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      leases.add(a.acquire("f"));
    }
    assertThat(launcher.pendingCount()).isEqualTo(3);
    // The first is the one the waiters depend on; the others boot in the background.
    assertThat(launcher.background()).containsExactly(false, true, true);
    launcher.completeNext();
    launcher.completeNext();
    launcher.completeNext();
    assertThat(leases.stream().filter(CompletableFuture::isDone).count()).isEqualTo(3);
    // releasing hands the slot to the next waiter, in arrival order
    leases.get(0).join().release(true);
    assertThat(leases.get(3)).isDone();
    assertThat(leases.get(4)).isNotDone();
    assertThat(a.snapshot("f").orElseThrow().queued()).isEqualTo(2);
  }

  @Test
  void concurrencyPerInstanceFillsSlotsBeforeStartingMore() {
    Activator a = activator(100);
    a.deploy(Deployments.java("f", 3, 5));
    List<CompletableFuture<Lease>> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      leases.add(a.acquire("f"));
    }
    assertThat(launcher.pendingCount()).isEqualTo(1);
    launcher.completeNext();
    assertThat(leases).allMatch(CompletableFuture::isDone);
    assertThat(a.snapshot("f").orElseThrow().inFlight()).isEqualTo(3);
  }

  @Test
  void aFullQueueIsRejectedWithQueueFull() {
    Activator a = activator(2);
    a.deploy(Deployments.java("f", 1, 1));
    a.acquire("f");
    a.acquire("f");
    assertThatThrownBy(() -> a.acquire("f").join()).hasCauseInstanceOf(Failure.QueueFull.class);
  }

  @Test
  void aFailedStartFailsTheWaitersWithTheInitError() {
    Activator a = activator(10);
    a.deploy(Deployments.java("f", 1, 1));
    CompletableFuture<Lease> w1 = a.acquire("f");
    CompletableFuture<Lease> w2 = a.acquire("f");
    launcher.failNext(new Failure.InstanceFailed("function init failed: boom"));
    assertThatThrownBy(w1::join).hasMessageContaining("boom");
    assertThatThrownBy(w2::join).hasMessageContaining("boom");
    // the next request tries again
    a.acquire("f");
    assertThat(launcher.pendingCount()).isEqualTo(1);
  }

  @Test
  void unknownFunctionIsNotFound() {
    assertThatThrownBy(() -> activator(1).acquire("nope").join()).hasCauseInstanceOf(Failure.FunctionNotFound.class);
  }

  @Test
  void anUnhealthyReleaseRetiresTheInstanceAndACrashRemovesIt() {
    Activator a = activator(10);
    a.deploy(Deployments.java("f", 1, 2));
    CompletableFuture<Lease> l = a.acquire("f");
    FakeInstance first = launcher.completeNext();
    l.join().release(false);
    assertThat(first.stopped()).isTrue();
    assertThat(a.snapshot("f").orElseThrow().ready()).isZero();

    CompletableFuture<Lease> l2 = a.acquire("f");
    FakeInstance second = launcher.completeNext();
    l2.join().release(true);
    second.crash(7);
    assertThat(a.snapshot("f").orElseThrow().ready()).isZero();
    a.acquire("f");
    assertThat(launcher.pendingCount()).isEqualTo(1);
  }

  @Test
  void redeployDrainsOldInstancesAndServesNewOnesFromTheNewRevision() {
    Activator a = activator(10);
    Deployment v1 = Deployments.java("f", 1, 3);
    a.deploy(v1);
    CompletableFuture<Lease> busy = a.acquire("f");
    FakeInstance old = launcher.completeNext();
    Deployment v2 = Deployments.of(v1.spec(), 2);
    a.deploy(v2);
    CompletableFuture<Lease> next = a.acquire("f");
    assertThat(next).isNotDone();
    FakeInstance fresh = launcher.completeNext();
    assertThat(next.join().instance()).isSameAs(fresh);
    assertThat(fresh.deployment().revision()).isEqualTo(2);
    assertThat(old.stopped()).isFalse();
    busy.join().release(true);
    assertThat(old.stopped()).isTrue();
  }

  @Test
  void stopIfIdleLeavesBusyInstancesAlone() {
    Activator a = activator(10);
    a.deploy(Deployments.java("f", 1, 3));
    CompletableFuture<Lease> l = a.acquire("f");
    FakeInstance i = launcher.completeNext();
    assertThat(a.stopIfIdle("f", i.id())).isFalse();
    l.join().release(true);
    assertThat(a.stopIfIdle("f", i.id())).isTrue();
    assertThat(i.stopped()).isTrue();
  }

  @Test
  void removeFailsWaitersAndStopsInstances() {
    Activator a = activator(10);
    a.deploy(Deployments.java("f", 1, 1));
    CompletableFuture<Lease> l = a.acquire("f");
    FakeInstance i = launcher.completeNext();
    CompletableFuture<Lease> waiting = a.acquire("f");
    a.remove("f").join();
    assertThat(i.stopped()).isTrue();
    assertThatThrownBy(waiting::join).hasCauseInstanceOf(Failure.Unavailable.class);
    l.join().release(true);
  }
}
