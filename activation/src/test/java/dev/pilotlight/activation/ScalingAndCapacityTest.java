package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.autoscaler.DemandMeter;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeInstance;
import dev.pilotlight.testing.FakeLauncher;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The activator's queue bounds, scale-down by draining, least-loaded dispatch, the demand integral
 * and the node's memory budget, with start-ups completed by hand.
 */
class ScalingAndCapacityTest {
  final FakeLauncher launcher = new FakeLauncher();
  final ManualClock clock = new ManualClock();

  Activator activator(int maxQueue, MemoryBudget budget) {
    return new Activator(launcher::launch, new ScalingDecider()::instancesToStart, ActivationEvents.NONE, clock,
        new Activator.Settings(maxQueue, null), budget);
  }

  static Deployment fn(String name, int concurrency, int max, ScalingSettings scaling) {
    return Deployments.of(Deployments.javaSpec(name, concurrency, max, FunctionSpec.DEFAULT_IDLE_TIMEOUT).withScaling(scaling), 1);
  }

  static Deployment fn(String name, int memoryMb) {
    FunctionSpec s = Deployments.javaSpec(name, 1, 10, FunctionSpec.DEFAULT_IDLE_TIMEOUT);
    return Deployments.of(FunctionSpec.builder().name(s.name()).runtime(s.runtime()).handler(s.handler()).memoryMb(memoryMb)
        .timeout(s.timeout()).idleTimeout(s.idleTimeout()).env(s.env()).build(), 1);
  }

  // ---- the queue's bounds -------------------------------------------------------------------------

  @Test
  void aFunctionsOwnQueueLimitWinsOverTheDaemonsAndSaysWhichLimitWasHit() {
    Activator a = activator(100, MemoryBudget.unlimited());
    a.deploy(fn("f", 1, 1, ScalingSettings.UNSET.withMaxQueue(2)));
    a.acquire("f");
    a.acquire("f");
    assertThatThrownBy(() -> a.acquire("f").join()).cause().isInstanceOf(Failure.QueueFull.class)
        .hasMessageContaining("function 'f' has 2 requests waiting").hasMessageContaining("maxQueue, is 2");
  }

  @Test
  void aRequestWaitingPastTheQueueWaitIsThrottledNotTimedOut() {
    Activator a = activator(100, MemoryBudget.unlimited());
    a.deploy(fn("f", 1, 1, ScalingSettings.UNSET.withMaxQueueWait(Duration.ofMillis(1))));
    CompletableFuture<Lease> waiting = a.acquire("f"); // the instance never becomes ready
    assertThatThrownBy(waiting::join).cause().isInstanceOf(Failure.QueueTimeout.class)
        .hasMessageContaining("no instance of 'f' became free within 1 ms");
    assertThat(a.snapshot("f").orElseThrow().queued()).isZero();
  }

  // ---- dispatch and scale-down ----------------------------------------------------------------------

  @Test
  void dispatchGoesToTheLeastLoadedInstance() {
    Activator a = activator(100, MemoryBudget.unlimited());
    a.deploy(fn("f", 4, 2, ScalingSettings.UNSET));
    a.startInstances("f", 2);
    FakeInstance one = launcher.completeNext();
    FakeInstance two = launcher.completeNext();
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      leases.add(a.acquire("f").join());
    }
    assertThat(leases).filteredOn(l -> l.instance() == one).hasSize(2);
    assertThat(leases).filteredOn(l -> l.instance() == two).hasSize(2);
  }

  @Test
  void drainingStopsAnIdleInstanceAtOnceAndABusyOneAfterItsLastRequest() {
    Activator a = activator(100, MemoryBudget.unlimited());
    a.deploy(fn("f", 2, 3, ScalingSettings.UNSET));
    a.startInstances("f", 2);
    FakeInstance one = launcher.completeNext();
    FakeInstance two = launcher.completeNext();
    Lease busy = a.acquire("f").join();
    FakeInstance busyOne = (FakeInstance) busy.instance();
    FakeInstance idleOne = busyOne == one ? two : one;

    assertThat(a.drain("f", idleOne.id())).isTrue();
    assertThat(idleOne.stopped()).isTrue();
    assertThat(a.drain("f", busyOne.id())).isTrue();
    assertThat(busyOne.stopped()).isFalse();
    // a request racing the scale-down never lands on the draining instance: it gets a new one
    CompletableFuture<Lease> racing = a.acquire("f");
    assertThat(racing).isNotDone();
    FakeInstance fresh = launcher.completeNext();
    assertThat(racing.join().instance()).isSameAs(fresh);
    busy.release(true);
    assertThat(busyOne.stopped()).isTrue();
    assertThat(a.snapshot("f").orElseThrow().ready()).isEqualTo(1);
  }

  @Test
  void drainingIsRefusedWhileRequestsWait() {
    Activator a = activator(100, MemoryBudget.unlimited());
    a.deploy(fn("f", 1, 1, ScalingSettings.UNSET));
    Lease held = null;
    CompletableFuture<Lease> first = a.acquire("f");
    FakeInstance i = launcher.completeNext();
    held = first.join();
    CompletableFuture<Lease> queued = a.acquire("f");
    assertThat(a.drain("f", i.id())).isFalse();
    held.release(true);
    assertThat(queued.join().instance()).isSameAs(i);
    assertThat(i.stopped()).isFalse();
  }

  @Test
  void demandIsIntegratedOverTimeForTheAutoscalersSamples() {
    DemandMeter meter = new DemandMeter(); // where the daemon's pools report their demand
    Activator a = new Activator(launcher::launch, new ScalingDecider()::instancesToStart, new ActivationEvents() {
      @Override
      public void functionDemand(String function, int requests, int instances, Instant now) {
        meter.demand(function, requests, instances, now);
      }
    }, clock, new Activator.Settings(100, null), MemoryBudget.unlimited());
    a.deploy(fn("f", 1, 1, ScalingSettings.UNSET));
    CompletableFuture<Lease> one = a.acquire("f");
    a.acquire("f"); // queued behind it
    clock.advance(Duration.ofMillis(500));
    launcher.completeNext();
    one.join().release(true); // the second takes the slot
    clock.advance(Duration.ofMillis(500));
    // 2 × 0.5 s waiting or running, then 1 × 0.5 s running
    assertThat(meter.read("f", clock.instant()).seconds()).isEqualTo(1.5);
  }

  @Test
  void theAutoscalersDecisionIsKeptForStatus() {
    Activator a = activator(100, MemoryBudget.unlimited());
    a.deploy(fn("f", 1, 1, ScalingSettings.UNSET));
    assertThat(a.scaling("f")).contains(new ScalingStatus(-1, false));
    a.decided("f", 4, true);
    assertThat(a.scaling("f")).contains(new ScalingStatus(4, true));
  }

  // ---- the memory budget ----------------------------------------------------------------------------

  @Test
  void aLaunchThatWouldExceedTheBudgetStopsTheLeastRecentlyUsedIdleInstanceOfAnotherFunction() {
    MemoryBudget budget = new MemoryBudget(512, () -> 0);
    List<String> evicted = new ArrayList<>();
    Activator a = new Activator(launcher::launch, new ScalingDecider()::instancesToStart, new ActivationEvents() {
      @Override
      public void instanceReady(Instance instance) {}

      @Override
      public void instanceFailedToStart(String function, Throwable error) {}

      @Override
      public void instanceGone(Instance instance, String reason) {}

      @Override
      public void instanceEvicted(Instance instance, String forFunction) {
        evicted.add(instance.id() + " for " + forFunction);
      }
    }, clock, new Activator.Settings(100, null), budget);
    a.deploy(fn("old", 256));
    a.deploy(fn("new", 256));
    a.deploy(fn("c", 256));
    CompletableFuture<Lease> l1 = a.acquire("old");
    FakeInstance old = launcher.completeNext();
    l1.join().release(true);
    clock.advance(Duration.ofSeconds(10));
    CompletableFuture<Lease> l2 = a.acquire("new");
    FakeInstance recent = launcher.completeNext();
    l2.join().release(true);
    assertThat(budget.usedMb()).isEqualTo(512);

    CompletableFuture<Lease> c = a.acquire("c");
    assertThat(old.stopped()).isTrue();
    assertThat(recent.stopped()).isFalse();
    assertThat(evicted).containsExactly(old.id() + " for c");
    launcher.completeNext();
    assertThat(c.join().instance().deployment().name()).isEqualTo("c");
    assertThat(budget.usedMb()).isEqualTo(512);
  }

  @Test
  void withNoIdleInstanceToStopARequestAtZeroIsRejectedWithTheReason() {
    MemoryBudget budget = new MemoryBudget(256, () -> 0);
    Activator a = activator(100, budget);
    a.deploy(fn("busy", 256));
    a.deploy(fn("other", 256));
    CompletableFuture<Lease> held = a.acquire("busy");
    launcher.completeNext();
    held.join(); // busy instances are never stopped for memory

    assertThatThrownBy(() -> a.acquire("other").join()).cause().isInstanceOf(Failure.NoCapacity.class)
        .hasMessageContaining("no memory for an instance of 'other' (256 MB)")
        .hasMessageContaining("256 of 256 MB in use (instances 256 MB, warm pool 0 MB)");
    assertThat(launcher.pendingCount()).isZero();

    a.deploy(fn("huge", 1024));
    assertThatThrownBy(() -> a.acquire("huge").join()).cause().isInstanceOf(Failure.NoCapacity.class)
        .hasMessageContaining("more than the node's whole memory budget of 256 MB");
  }

  @Test
  void requestsQueuedBehindABusyInstanceWaitForMemoryAndGetItWhenItIsReturned() {
    MemoryBudget budget = new MemoryBudget(512, () -> 0);
    Activator a = activator(100, budget);
    a.deploy(fn("f", 256));
    a.deploy(fn("g", 256));
    CompletableFuture<Lease> g = a.acquire("g");
    FakeInstance gInstance = launcher.completeNext();
    Lease gLease = g.join();
    CompletableFuture<Lease> f1 = a.acquire("f");
    launcher.completeNext();
    Lease fLease = f1.join();
    CompletableFuture<Lease> f2 = a.acquire("f"); // needs a second instance: no memory, but f has one
    assertThat(f2).isNotDone();
    assertThat(launcher.pendingCount()).isZero();

    gLease.release(false); // g's instance is retired: its memory comes back and f's launch goes ahead
    assertThat(gInstance.stopped()).isTrue();
    assertThat(launcher.pendingCount()).isEqualTo(1);
    launcher.completeNext();
    assertThat(f2.join().instance()).isNotSameAs(fLease.instance());
  }

  @Test
  void memoryIsReturnedWhenInstancesStopCrashOrFailToStart() {
    MemoryBudget budget = new MemoryBudget(4096, () -> 100);
    Activator a = activator(100, budget);
    a.deploy(fn("f", 256));
    CompletableFuture<Lease> l = a.acquire("f");
    assertThat(budget.instancesMb()).isEqualTo(256); // reserved while it starts
    FakeInstance i = launcher.completeNext();
    l.join().release(true);
    assertThat(budget.usedMb()).isEqualTo(356);
    i.crash(1);
    assertThat(budget.instancesMb()).isZero();

    a.acquire("f");
    launcher.failNext(new Failure.InstanceFailed("boom"));
    assertThat(budget.instancesMb()).isZero();

    a.startInstances("f", 2);
    launcher.completeNext();
    launcher.completeNext();
    assertThat(budget.instancesMb()).isEqualTo(512);
    a.stopInstances("f");
    assertThat(budget.instancesMb()).isZero();
  }

  @Test
  void headroomFromTheAutoscalerNeverEvicts() {
    MemoryBudget budget = new MemoryBudget(256, () -> 0);
    Activator a = activator(100, budget);
    a.deploy(fn("f", 256));
    a.deploy(fn("g", 256));
    CompletableFuture<Lease> g = a.acquire("g");
    FakeInstance gInstance = launcher.completeNext();
    g.join().release(true);
    a.startInstances("f", 1);
    assertThat(gInstance.stopped()).isFalse();
    assertThat(launcher.pendingCount()).isZero();
  }
}
