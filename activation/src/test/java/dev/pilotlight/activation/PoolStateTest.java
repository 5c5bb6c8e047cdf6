package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.activation.PoolEffect.Evicted;
import dev.pilotlight.activation.PoolEffect.Grant;
import dev.pilotlight.activation.PoolEffect.Launch;
import dev.pilotlight.activation.PoolEffect.Queued;
import dev.pilotlight.activation.PoolEffect.Ready;
import dev.pilotlight.activation.PoolEffect.Reject;
import dev.pilotlight.activation.PoolEffect.ReportDemand;
import dev.pilotlight.activation.PoolEffect.ReportIdle;
import dev.pilotlight.activation.PoolEffect.ReturnMemory;
import dev.pilotlight.activation.PoolEffect.Stop;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeInstance;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pool's transitions on a manual clock: each one's effects, in order, with no threads and no shell. */
class PoolStateTest {
  final ManualClock clock = new ManualClock();
  final QueueBounds bounds = new QueueBounds(100, null);
  int launched;

  static Deployment fn(int concurrency, int maxInstances, int minInstances, ScalingSettings scaling) {
    FunctionSpec s = Deployments.javaSpec("f", concurrency, maxInstances, FunctionSpec.DEFAULT_IDLE_TIMEOUT);
    return Deployments.of(s.toBuilder().concurrency(concurrency).minInstances(minInstances).maxInstances(maxInstances).scaling(scaling).build(), 1);
  }

  PoolState pool(Deployment d) {
    return new PoolState(d, bounds, new ScalingDecider()::instancesToStart);
  }

  PoolState pool(int concurrency) {
    return pool(fn(concurrency, 10, 0, ScalingSettings.UNSET));
  }

  Instant now() {
    return clock.instant();
  }

  FakeInstance instance(PoolState p) {
    return new FakeInstance("f-" + (++launched), p.deployment());
  }

  /** An instance launched for the pool and ready, with nothing in flight. */
  InstanceSlot ready(PoolState p) {
    p.start(1, now());
    return slotOf(p.launched(instance(p), false, now()));
  }

  static InstanceSlot slotOf(List<PoolEffect> effects) {
    return effects.stream().filter(Ready.class::isInstance).map(e -> ((Ready) e).slot()).findFirst().orElseThrow();
  }

  static <T extends PoolEffect> List<T> only(List<PoolEffect> effects, Class<T> type) {
    return effects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static long ticket(List<PoolEffect> effects) {
    return only(effects, Queued.class).getFirst().waiter();
  }

  // ---- acquiring ---------------------------------------------------------------------------------------

  @Test
  void aRequestWithNoInstanceQueuesReportsItsDemandAndLaunchesOne() {
    PoolState p = pool(1);
    List<PoolEffect> effects = p.acquire(now());
    assertThat(effects).containsExactly(new Queued(1, Duration.ofSeconds(30)), new ReportDemand("f", 1, 1, now()),
        new Launch(p.deployment(), 1, true, false, 1));
    assertThat(p.snapshot().starting()).isEqualTo(1);
    assertThat(p.snapshot().queued()).isEqualTo(1);
  }

  @Test
  void onlyTheFirstLaunchFromZeroIsAwaitedTheRestOfABurstAndLaunchesBesideAServingInstanceAreNot() {
    PoolState p = pool(1);
    assertThat(only(p.acquire(now()), Launch.class)).containsExactly(new Launch(p.deployment(), 1, true, false, 1));
    // The burst's next requests find that launch under way: theirs add capacity beside it.
    assertThat(only(p.acquire(now()), Launch.class)).containsExactly(new Launch(p.deployment(), 1, true, false, 0));
    p.launched(instance(p), false, now()); // serves the first waiter
    p.launchFailed(new Failure.InstanceFailed("boot failed"), now());
    assertThat(only(p.acquire(now()), Launch.class)).containsExactly(new Launch(p.deployment(), 2, true, false, 0));
  }

  @Test
  void aLaunchFromZeroAfterEveryInstanceFailedIsAwaitedAgain() {
    PoolState p = pool(1);
    p.acquire(now());
    assertThat(only(p.launchFailed(new Failure.InstanceFailed("boot failed"), now()), Reject.class)).hasSize(1);
    assertThat(only(p.acquire(now()), Launch.class)).containsExactly(new Launch(p.deployment(), 1, true, false, 1));
  }

  @Test
  void aRequestThatFindsAFreeSlotIsGrantedAtOnceAndIsNotCold() {
    PoolState p = pool(1);
    InstanceSlot slot = ready(p);
    List<PoolEffect> effects = p.acquire(now());
    assertThat(effects).containsExactly(new Grant(PoolEffect.CALLER, slot, false, false, Duration.ZERO), new ReportDemand("f", 1, 1, now()));
  }

  @Test
  void requestsGoToTheLeastLoadedInstance() {
    PoolState p = pool(4);
    InstanceSlot a = ready(p);
    InstanceSlot b = ready(p);
    p.acquire(now());
    p.acquire(now());
    p.acquire(now());
    assertThat(List.of(a.inFlight, b.inFlight)).containsExactly(2, 1);
  }

  @Test
  void aFullQueueRejectsTheCallerAndSaysWhichLimitWasHit() {
    PoolState p = pool(fn(1, 1, 0, ScalingSettings.UNSET.withMaxQueue(2)));
    p.acquire(now());
    p.acquire(now());
    Reject r = only(p.acquire(now()), Reject.class).getFirst();
    assertThat(r.waiter()).isEqualTo(PoolEffect.CALLER);
    assertThat(r.failure()).isInstanceOf(Failure.QueueFull.class).hasMessageContaining("has 2 requests waiting")
        .hasMessageContaining("maxQueue, is 2");
  }

  @Test
  void aRemovedPoolRejectsEveryRequest() {
    PoolState p = pool(1);
    p.remove(new Failure.Unavailable("gone"), now());
    assertThat(only(p.acquire(now()), Reject.class).getFirst().failure()).isInstanceOf(Failure.Unavailable.class)
        .hasMessageContaining("was removed");
  }

  @ParameterizedTest(name = "function wait {0}, daemon wait {1}, timeout {2} → {3}")
  @CsvSource(nullValues = "-", value = {
      "PT2S, PT5S, PT30S, PT2S",   // the function's own wins
      "-,    PT5S, PT30S, PT5S",   // then the daemon's
      "-,    -,    PT30S, PT30S",  // then the function's timeout...
      "-,    -,    PT3S,  PT10S",  // ...but at least the init allowance
  })
  void theQueueWaitComesFromTheFunctionTheDaemonOrTheTimeout(Duration own, Duration daemon, Duration timeout, Duration expected) {
    FunctionSpec s = Deployments.javaSpec("f", 1, 1, FunctionSpec.DEFAULT_IDLE_TIMEOUT);
    FunctionSpec spec = s.toBuilder().timeout(timeout).concurrency(1).minInstances(0).maxInstances(1)
        .scaling(ScalingSettings.UNSET.withMaxQueueWait(own)).build();
    PoolState p = new PoolState(Deployments.of(spec, 1), new QueueBounds(100, daemon), new ScalingDecider()::instancesToStart);
    assertThat(only(p.acquire(now()), Queued.class).getFirst().maxWait()).isEqualTo(expected);
  }

  @Test
  void queueBoundsCheckThemselves() {
    assertThatThrownBy(() -> new QueueBounds(0, null)).hasMessage("maxQueue: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new QueueBounds(1, Duration.ZERO)).hasMessage("maxQueueWait: PT0S (expected: > 0)");
  }

  // ---- serving waiters ---------------------------------------------------------------------------------

  @Test
  void aReadyInstanceServesTheWaitersItHasRoomForFirstComeFirstServedAndOnlyItsFirstIsCold() {
    PoolState p = pool(fn(2, 1, 0, ScalingSettings.UNSET));
    long first = ticket(p.acquire(now()));
    long second = ticket(p.acquire(now()));
    long third = ticket(p.acquire(now()));
    clock.advanceMillis(300);
    List<PoolEffect> effects = p.launched(instance(p), false, now());
    InstanceSlot slot = slotOf(effects);
    assertThat(only(effects, Grant.class)).containsExactly(new Grant(first, slot, true, false, Duration.ofMillis(300)),
        new Grant(second, slot, false, false, Duration.ofMillis(300))); // an instance's cold start is counted once
    assertThat(p.snapshot().queued()).isEqualTo(1);
    clock.advanceMillis(100);
    // the third is served by the release, on an instance that has served: it waited, but not for a cold start
    assertThat(only(p.release(slot, true, now()), Grant.class)).containsExactly(new Grant(third, slot, false, false, Duration.ofMillis(400)));
  }

  @ParameterizedTest(name = "pre-warmed {0}, request waited {1} → cold {2}, pre-warm hit {3}")
  @CsvSource({
      "false, false, false, false",
      "false, true,  true,  false",
      "true,  false, false, true",
      "true,  true,  true,  false", // it waited for the pre-warm to finish starting: a cold start after all
  })
  void aFirstRequestIsColdWhenItWaitedForTheInstanceAndAHitWhenItFoundAPreWarmReady(boolean prewarmed, boolean waited, boolean cold,
      boolean hit) {
    PoolState p = pool(1);
    if (prewarmed) {
      p.prewarm(now());
    } else {
      p.start(1, now());
    }
    List<PoolEffect> effects;
    if (waited) {
      p.acquire(now());
      effects = p.launched(instance(p), prewarmed, now());
    } else {
      p.launched(instance(p), prewarmed, now());
      effects = p.acquire(now());
    }
    Grant g = only(effects, Grant.class).getFirst();
    assertThat(List.of(g.cold(), g.prewarmHit())).containsExactly(cold, hit);
  }

  @Test
  void aWaiterWhoseWaitIsOverIsRejectedOnceAndLeavesTheQueue() {
    PoolState p = pool(1);
    long t = ticket(p.acquire(now()));
    clock.advance(Duration.ofSeconds(30));
    List<PoolEffect> effects = p.timeout(t, now());
    assertThat(only(effects, Reject.class).getFirst().failure()).isInstanceOf(Failure.QueueTimeout.class)
        .hasMessageContaining("no instance of 'f' became free within 30000 ms");
    assertThat(only(effects, ReportDemand.class)).containsExactly(new ReportDemand("f", 0, 0, now()));
    assertThat(p.timeout(t, now())).isEmpty();
    assertThat(p.snapshot().queued()).isZero();
  }

  @Test
  void aServedWaitersTimeoutDoesNothing() {
    PoolState p = pool(1);
    long t = ticket(p.acquire(now()));
    p.launched(instance(p), false, now());
    assertThat(p.timeout(t, now())).isEmpty();
  }

  @Test
  void aWaiterThatLeavesIsNotRejectedAndItsDemandEnds() {
    PoolState p = pool(1);
    long t = ticket(p.acquire(now()));
    assertThat(p.leave(t, now())).containsExactly(new ReportDemand("f", 0, 0, now()));
    assertThat(p.leave(t, now())).isEmpty();
  }

  // ---- launches that fail or find no memory ----------------------------------------------------------------

  @Test
  void aFailedLaunchWithNothingElseComingFailsTheWaitersNow() {
    PoolState p = pool(1);
    long a = ticket(p.acquire(now()));
    long b = ticket(p.acquire(now()));
    assertThat(p.launchFailed(new Failure.InstanceFailed("boom", null), now())).isEmpty(); // the second launch may still serve both
    Failure failure = new Failure.InstanceFailed("boom again", null);
    assertThat(p.launchFailed(failure, now())).containsExactly(new Reject(a, failure), new Reject(b, failure), new ReportDemand("f", 0, 0, now()));
  }

  @Test
  void launchesWithoutMemoryFailTheWaitersOnlyWhenNothingWillServeThem() {
    PoolState p = pool(1);
    Failure noCapacity = new Failure.NoCapacity("no memory");
    long t = ticket(p.acquire(now()));
    assertThat(p.notLaunched(1, true, noCapacity, now())).containsExactly(new Reject(t, noCapacity), new ReportDemand("f", 0, 0, now()));
    assertThat(p.memoryBlocked()).isFalse();
  }

  @Test
  void aWaiterBehindABusyInstanceWaitsForMemoryAndARebalanceTriesAgain() {
    PoolState p = pool(fn(1, 2, 0, ScalingSettings.UNSET));
    ready(p);
    p.acquire(now()); // takes the instance
    p.acquire(now()); // waits; a launch is asked for
    assertThat(p.notLaunched(1, true, new Failure.NoCapacity("no memory"), now())).isEmpty();
    assertThat(p.memoryBlocked()).isTrue();
    assertThat(p.rebalance(now())).containsExactly(new Launch(p.deployment(), 1, true, false, 0));
    assertThat(p.memoryBlocked()).isFalse();
  }

  @Test
  void aHeadroomLaunchWithoutMemoryLeavesTheWaitersRetryAsItWas() {
    PoolState p = pool(1);
    p.start(1, now());
    assertThat(p.notLaunched(1, false, new Failure.NoCapacity("no memory"), now())).isEmpty();
    assertThat(p.memoryBlocked()).isFalse();
    assertThat(p.atZero()).isTrue();
  }

  // ---- instances leaving ----------------------------------------------------------------------------------

  @Test
  void anUnhealthyReleaseStopsTheInstanceAndLaunchesForTheWaiters() {
    PoolState p = pool(fn(1, 2, 0, ScalingSettings.UNSET));
    InstanceSlot slot = ready(p);
    p.acquire(now());
    p.acquire(now()); // a launch for it is asked for
    p.notLaunched(1, true, new Failure.NoCapacity("no memory"), now());
    List<PoolEffect> effects = p.release(slot, false, now());
    assertThat(effects).containsExactly(new Stop(slot.instance(), 256), new ReportDemand("f", 1, 1, now()),
        new Launch(p.deployment(), 1, true, false, 1));
  }

  @Test
  void drainingStopsAnIdleInstanceNowAndABusyOneAfterItsLastRequest() {
    PoolState p = pool(1);
    InstanceSlot idle = ready(p);
    InstanceSlot busy = ready(p);
    p.acquire(now());
    p.acquire(now());
    p.release(idle, true, now());
    PoolState.Step stopped = p.drain(idle.instance().id(), now());
    assertThat(stopped.done()).isTrue();
    assertThat(only(stopped.effects(), Stop.class)).containsExactly(new Stop(idle.instance(), 256));
    PoolState.Step later = p.drain(busy.instance().id(), now());
    assertThat(later.done()).isTrue();
    assertThat(later.effects()).isEmpty();
    assertThat(p.snapshot().ready()).isZero();
    assertThat(only(p.release(busy, true, now()), Stop.class)).containsExactly(new Stop(busy.instance(), busy.memoryMb()));
  }

  @Test
  void drainingIsRefusedWhileRequestsWaitAndForUnknownInstances() {
    PoolState p = pool(fn(1, 1, 0, ScalingSettings.UNSET));
    InstanceSlot slot = ready(p);
    p.acquire(now());
    p.acquire(now());
    assertThat(p.drain(slot.instance().id(), now()).done()).isFalse();
    assertThat(p.drain("nope", now()).done()).isFalse();
  }

  @Test
  void evictionNeverTakesAFunctionBelowItsMinInstancesNorABusyInstance() {
    PoolState p = pool(fn(1, 5, 1, ScalingSettings.UNSET));
    InstanceSlot first = ready(p);
    assertThat(p.stopIdle(first.instance().id(), "g", now()).done()).isFalse();
    assertThat(p.evictable()).isEmpty();
    InstanceSlot second = ready(p);
    p.acquire(now()); // takes the first (fewest in flight, first in line)
    assertThat(p.evictable()).containsExactly(second);
    assertThat(p.stopIdle(first.instance().id(), "g", now()).done()).isFalse();
    PoolState.Step evicted = p.stopIdle(second.instance().id(), "g", now());
    assertThat(evicted.effects()).containsExactly(new Evicted(second.instance(), "g"), new Stop(second.instance(), 256));
  }

  @Test
  void aReservedConcurrencysInstancesAreNeverEvictedForAnotherFunction() {
    Deployment d = fn(1, 5, 0, ScalingSettings.UNSET);
    PoolState p = pool(Deployments.of(d.spec().toBuilder().reservedConcurrency(2).build(), 1));
    InstanceSlot first = ready(p);
    InstanceSlot second = ready(p);
    assertThat(p.evictable()).isEmpty();
    assertThat(p.stopIdle(first.instance().id(), "g", now()).done()).isFalse();
    assertThat(p.stopIdle(second.instance().id(), "g", now()).done()).isFalse();
    assertThat(p.stopIdle(second.instance().id(), null, now()).done()).as("its own idle stop still happens").isTrue();
  }

  @Test
  void aReservedConcurrencyCapsTheInstancesLaunchedForWaiters() {
    Deployment d = fn(1, 10, 0, ScalingSettings.UNSET);
    PoolState p = pool(Deployments.of(d.spec().toBuilder().reservedConcurrency(2).build(), 1));
    for (int i = 0; i < 5; i++) {
      p.acquire(now());
    }
    assertThat(p.snapshot().starting()).isEqualTo(2);
  }

  @Test
  void aReservedConcurrencyOfZeroThrottlesEveryCallAtOnce() {
    Deployment d = fn(1, 10, 0, ScalingSettings.UNSET);
    PoolState p = pool(Deployments.of(d.spec().toBuilder().reservedConcurrency(0).build(), 1));
    Reject r = only(p.acquire(now()), Reject.class).getFirst();
    assertThat(r.failure()).isInstanceOf(Failure.QueueFull.class).hasMessageContaining("reserved concurrency of 0");
    assertThat(((Failure.QueueFull) r.failure()).reserved()).isTrue();
    assertThat(((Failure.QueueFull) r.failure()).retryLater()).as("a retry in a second meets the same").isFalse();
    assertThat(r.failure().code()).isEqualTo("Throttled");
    assertThat(p.snapshot().starting()).as("nothing launched, nothing queued").isZero();
    assertThat(p.snapshot().queued()).isZero();
  }

  @Test
  void anInstanceReturnsItsMemoryExactlyOnce() {
    PoolState p = pool(1);
    InstanceSlot slot = ready(p);
    assertThat(only(p.stopIdle(slot.instance().id(), null, now()).effects(), Stop.class).getFirst().memoryMb()).isEqualTo(256);
    assertThat(only(p.gone(slot, now()), ReturnMemory.class)).isEmpty(); // its exit after the stop
    InstanceSlot crashed = ready(p);
    assertThat(only(p.gone(crashed, now()), ReturnMemory.class)).containsExactly(new ReturnMemory(256));
    assertThat(only(p.gone(crashed, now()), ReturnMemory.class)).isEmpty();
  }

  @Test
  void anIdleInstanceReportsItsIdleTimeWhenItIsNextUsedOrWhenItExits() {
    PoolState p = pool(1);
    InstanceSlot slot = ready(p);
    clock.advance(Duration.ofSeconds(5));
    List<PoolEffect> effects = p.acquire(now());
    assertThat(effects.getFirst()).isEqualTo(new ReportIdle(slot.instance(), Duration.ofSeconds(5), false));
    clock.advance(Duration.ofSeconds(1));
    p.release(slot, true, now());
    clock.advance(Duration.ofSeconds(7));
    assertThat(only(p.gone(slot, now()), ReportIdle.class)).containsExactly(new ReportIdle(slot.instance(), Duration.ofSeconds(7), false));
  }

  @Test
  void aPreWarmedInstancesWaitIsPreWarmIdleTime() {
    PoolState p = pool(1);
    assertThat(p.prewarm(now())).containsExactly(new Launch(p.deployment(), 1, false, true, 0));
    InstanceSlot slot = slotOf(p.launched(instance(p), true, now()));
    clock.advance(Duration.ofSeconds(30));
    assertThat(only(p.acquire(now()), ReportIdle.class)).containsExactly(new ReportIdle(slot.instance(), Duration.ofSeconds(30), true));
  }

  @Test
  void aRedeployStopsIdleOldInstancesDrainsBusyOnesAndStopsOldLaunchesThatFinishLate() {
    PoolState p = pool(1);
    InstanceSlot idle = ready(p);
    InstanceSlot busy = ready(p);
    p.acquire(now());
    p.acquire(now()); // one request on each
    p.release(idle, true, now());
    p.start(1, now()); // an old-revision launch still under way
    FakeInstance late = instance(p);
    Deployment next = Deployments.of(p.deployment().spec(), 2);
    List<PoolEffect> effects = p.redeploy(next, now());
    assertThat(only(effects, Stop.class)).containsExactly(new Stop(idle.instance(), 256));
    assertThat(p.snapshot().ready()).isZero();
    assertThat(p.launched(late, false, now())).containsExactly(new Stop(late, 256));
    assertThat(only(p.release(busy, true, now()), Stop.class)).containsExactly(new Stop(busy.instance(), 256));
  }

  @Test
  void aRecycleReplacesEveryInstanceOfTheSameRevisionAsARedeployWouldAndNoRequestIsLost() {
    PoolState p = pool(1);
    InstanceSlot idle = ready(p);
    InstanceSlot busy = ready(p);
    p.acquire(now());
    p.acquire(now()); // one request on each
    p.release(idle, true, now());
    p.start(1, now());
    long before = p.generation();
    FakeInstance late = instance(p); // launched before the recycle: it may hold the old value
    List<PoolEffect> effects = p.recycle(now());
    assertThat(p.generation()).isEqualTo(before + 1);
    assertThat(p.deployment().revision()).as("the revision stays").isEqualTo(1);
    assertThat(only(effects, Stop.class)).containsExactly(new Stop(idle.instance(), 256));
    assertThat(p.snapshot().ready()).isZero();
    // a new request waits for a new instance rather than going to the draining one
    List<PoolEffect> waiting = p.acquire(now());
    assertThat(only(waiting, Launch.class)).hasSize(1);
    long t = ticket(waiting);
    assertThat(p.launched(late, false, before, now())).contains(new Stop(late, 256));
    FakeInstance fresh = instance(p);
    List<PoolEffect> served = p.launched(fresh, false, p.generation(), now());
    assertThat(only(served, PoolEffect.Grant.class)).extracting(PoolEffect.Grant::waiter).containsExactly(t);
    // the busy one finishes its request, then stops
    assertThat(only(p.release(busy, true, now()), Stop.class)).containsExactly(new Stop(busy.instance(), 256));
  }

  @Test
  void aPinnedPoolIsRecycledToo() {
    PoolState p = new PoolState(fn(1, 2, 0, ScalingSettings.UNSET), true, bounds, new ScalingDecider()::instancesToStart);
    InstanceSlot idle = ready(p);
    assertThat(only(p.recycle(now()), Stop.class)).containsExactly(new Stop(idle.instance(), 256));
    assertThat(p.generation()).isEqualTo(1);
  }

  @Test
  void removingFailsTheWaitersStopsEveryInstanceAndReportsNoMoreDemand() {
    PoolState p = pool(fn(1, 1, 0, ScalingSettings.UNSET));
    InstanceSlot slot = ready(p);
    p.acquire(now());
    long t = ticket(p.acquire(now()));
    Failure reason = new Failure.Unavailable("removed");
    assertThat(p.remove(reason, now())).containsExactly(new Reject(t, reason), new Stop(slot.instance(), 256));
    assertThat(p.release(slot, true, now())).isEmpty();
    assertThat(p.start(1, now())).isEmpty();
    assertThat(p.prewarm(now())).isEmpty();
  }

  @Test
  void stoppingAllStopsBusyAndIdleInstancesAndTheWaitersGetNewOnesOnRebalance() {
    PoolState p = pool(fn(1, 2, 0, ScalingSettings.UNSET));
    InstanceSlot a = ready(p);
    InstanceSlot b = ready(p);
    p.acquire(now());
    assertThat(only(p.stopAll(now()), Stop.class)).containsExactly(new Stop(a.instance(), 256), new Stop(b.instance(), 256));
    assertThat(p.atZero()).isTrue();
    assertThat(p.rebalance(now())).isEmpty(); // no waiter
  }

  // ---- demand ---------------------------------------------------------------------------------------------

  @Test
  void everyChangeOfTheDemandIsReportedByTheTransitionThatMadeItWithItsTime() {
    PoolState p = pool(1);
    List<ReportDemand> reports = new ArrayList<>();
    reports.addAll(only(p.acquire(now()), ReportDemand.class));
    reports.addAll(only(p.acquire(now()), ReportDemand.class));
    clock.advanceMillis(500);
    List<PoolEffect> ready = p.launched(instance(p), false, now());
    reports.addAll(only(ready, ReportDemand.class)); // a waiter taking a slot changes nothing
    InstanceSlot slot = slotOf(ready);
    reports.addAll(only(p.release(slot, true, now()), ReportDemand.class)); // the second takes the slot
    clock.advanceMillis(500);
    reports.addAll(only(p.release(slot, true, now()), ReportDemand.class));
    Instant t0 = ManualClock.DEFAULT_START;
    assertThat(reports).containsExactly(new ReportDemand("f", 1, 1, t0), new ReportDemand("f", 2, 2, t0),
        new ReportDemand("f", 1, 1, t0.plusMillis(500)), new ReportDemand("f", 0, 0, t0.plusMillis(1000)));
  }

  @Test
  void demandIsReportedInRequestsAndInTheInstancesTheyNeedAtTheFunctionsConcurrency() {
    PoolState p = pool(fn(2, 5, 0, ScalingSettings.UNSET));
    InstanceSlot slot = ready(p);
    assertThat(only(p.acquire(now()), ReportDemand.class)).containsExactly(new ReportDemand("f", 1, 1, now()));
    assertThat(only(p.acquire(now()), ReportDemand.class)).containsExactly(new ReportDemand("f", 2, 1, now())); // still 1 instance
    assertThat(only(p.acquire(now()), ReportDemand.class)).containsExactly(new ReportDemand("f", 3, 2, now()));
    // at concurrency 1 the same three requests need three instances
    assertThat(only(p.redeploy(Deployments.of(fn(1, 5, 0, ScalingSettings.UNSET).spec(), 2), now()), ReportDemand.class))
        .containsExactly(new ReportDemand("f", 3, 3, now()));
    assertThat(slot.inFlight).isEqualTo(2);
  }

  @Test
  void effectListsAreImmutable() {
    List<PoolEffect> effects = pool(1).acquire(now());
    assertThatThrownBy(() -> effects.add(new ReturnMemory(1))).isInstanceOf(UnsupportedOperationException.class);
  }
}
