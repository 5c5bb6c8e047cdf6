package dev.pilotlight.activation;

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
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The shell around one function's {@link PoolState}: it runs each transition under {@code this}
 * with the clock's time, hands the transition's reports to the listeners in order under the lock,
 * and applies every other effect after releasing it: completing the waiters' futures, reserving
 * memory and launching, stopping instances, returning memory. It owns what the state must not: the
 * futures, the queue-wait timers (through the context's timer) and the calls into the memory budget
 * and into other pools.
 */
final class FunctionPool {
  /** An idle instance another function's launch may stop to free memory. */
  record IdleInstance(FunctionPool pool, String id, Instant lastUsed) {}

  private final PoolContext ctx;
  private final PoolState state;
  /** The futures of queued requests, by ticket; under {@code this}. */
  private final Map<Long, CompletableFuture<Lease>> waiters = new HashMap<>();
  private volatile int desired = -1;
  private volatile boolean panicking;
  /** Why the last launch failed, until an instance is ready again; null when none failed since. */
  private volatile String launchFailure;

  FunctionPool(Deployment deployment, boolean pinned, PoolContext ctx) {
    this.ctx = ctx;
    this.function = deployment.name();
    this.state = new PoolState(deployment, pinned, ctx.bounds(), ctx.policy());
  }

  /** The function's name (a pinned pool's too): its instances' memory counts toward its reservation. */
  private final String function;

  String key() {
    return state.key();
  }

  synchronized Deployment deployment() {
    return state.deployment();
  }

  /** A lease on a free slot now, or a future one; waiting is bounded in length and in time. */
  CompletableFuture<Lease> acquire() {
    List<PoolEffect> effects;
    CompletableFuture<Lease> mine = null;
    synchronized (this) {
      effects = transition(state::acquire);
      for (PoolEffect e : effects) {
        if (e instanceof Queued q) {
          mine = new CompletableFuture<>();
          waiters.put(q.waiter(), mine);
        }
      }
    }
    CompletableFuture<Lease> result = apply(effects);
    return result != null ? result : mine;
  }

  void release(InstanceSlot slot, boolean healthy) {
    apply(locked(now -> state.release(slot, healthy, now)));
  }

  /** Starts instances if waiters remain and nothing will serve them (also after memory was returned). */
  void rebalance() {
    apply(locked(state::rebalance));
  }

  synchronized boolean memoryBlocked() {
    return state.memoryBlocked();
  }

  /** The same revision with amended settings: the instances stay. */
  void amend(Deployment d) {
    apply(locked(now -> state.amend(d, now)));
  }

  /** Points new requests at a new revision; old instances finish their work and stop. */
  void redeploy(Deployment d) {
    apply(locked(now -> state.redeploy(d, now)));
  }

  /** Replaces every instance, as a redeploy of the same revision: new requests go to new instances, old ones finish and stop. */
  void recycle() {
    apply(locked(state::recycle));
  }

  /** Stops everything and fails waiters with {@code reason}; the pool takes no more requests. */
  List<CompletableFuture<Void>> remove(Failure reason) {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (PoolEffect e : locked(now -> state.remove(reason, now))) {
      if (e instanceof Stop s) {
        stops.add(s.instance().stop());
        returnMemory(s.memoryMb());
      } else {
        apply(List.of(e));
      }
    }
    return stops;
  }

  /** Stops every instance now, idle or not (their in-flight requests fail); waiters get new instances. */
  int stopAll() {
    int stopped = 0;
    for (PoolEffect e : locked(state::stopAll)) {
      if (e instanceof Stop s) {
        s.instance().stop().join();
        returnMemory(s.memoryMb());
        stopped++;
      }
    }
    rebalance();
    return stopped;
  }

  /** Stops the instance if it has nothing in flight. */
  boolean stopIfIdle(String instanceId) {
    return applyStep(now -> state.stopIdle(instanceId, null, now));
  }

  /**
   * Stops an idle instance so another function can use its memory, unless that would take this
   * function below its minInstances.
   */
  boolean evict(String instanceId, String forFunction) {
    return applyStep(now -> state.stopIdle(instanceId, forFunction, now));
  }

  /**
   * Scale-down of one instance: it takes no new request; idle, it stops now, else when its last
   * request is released. Refused while requests wait (one may have come since the decision).
   */
  boolean drain(String instanceId) {
    return applyStep(now -> state.drain(instanceId, now));
  }

  /** Idle instances beyond minInstances, for another function's launch to stop (least recently used first, by the caller). */
  synchronized List<IdleInstance> idleInstances() {
    return state.evictable().stream().map(s -> new IdleInstance(this, s.instance.id(), s.lastUsed)).toList();
  }

  /** Headroom from the scaling loop: never stops other functions' instances for memory. */
  void start(int count) {
    apply(locked(now -> state.start(count, now)));
  }

  /** One instance started by the keep-alive policy before an expected call; like {@link #start}, it stops no other function's. */
  void prewarm() {
    apply(locked(state::prewarm));
  }

  void decided(int desiredInstances, boolean panic) {
    desired = desiredInstances;
    panicking = panic;
  }

  /** The autoscaler's last desired count (-1 before its first decision) and whether it is panicking. */
  ScalingStatus scalingStatus() {
    return new ScalingStatus(desired, panicking);
  }

  synchronized PoolSnapshot snapshot() {
    return state.snapshot();
  }

  synchronized List<Instance> instances() {
    return state.instances();
  }

  // ---- the shell ---------------------------------------------------------------------------------

  /** Runs a transition under the lock at the clock's time and reports its facts, in order, before the lock is released. */
  private List<PoolEffect> locked(Function<Instant, List<PoolEffect>> transition) {
    synchronized (this) {
      return transition(transition);
    }
  }

  /** Under the lock. */
  private List<PoolEffect> transition(Function<Instant, List<PoolEffect>> t) {
    return report(t.apply(ctx.clock().instant()));
  }

  private boolean applyStep(Function<Instant, PoolState.Step> transition) {
    PoolState.Step step;
    synchronized (this) {
      step = transition.apply(ctx.clock().instant());
      report(step.effects());
    }
    apply(step.effects());
    return step.done();
  }

  /**
   * Tells the listeners the transition's facts. Under the lock: the autoscaler must hear a
   * function's demand changes in the order they happened, which two threads applying effects after
   * the lock could swap.
   */
  private List<PoolEffect> report(List<PoolEffect> effects) {
    for (PoolEffect e : effects) {
      switch (e) {
        case ReportDemand d -> ctx.events().functionDemand(d.function(), d.requests(), d.instances(), d.at());
        case ReportIdle i -> ctx.events().instanceIdle(i.instance(), i.idle(), i.prewarm());
        default -> {}
      }
    }
    return effects;
  }

  /**
   * Applies the effects other than reports, outside the lock, in order. Returns the caller's own
   * future when a {@link PoolState#acquire} was answered at once (granted or rejected), else null.
   */
  private CompletableFuture<Lease> apply(List<PoolEffect> effects) {
    CompletableFuture<Lease> mine = null;
    for (PoolEffect e : effects) {
      switch (e) {
        case Grant g when g.waiter() == PoolEffect.CALLER -> mine = CompletableFuture.completedFuture(lease(g));
        case Grant g -> grant(g);
        case Reject r when r.waiter() == PoolEffect.CALLER -> mine = CompletableFuture.failedFuture(r.failure());
        case Reject r -> {
          CompletableFuture<Lease> f = takeWaiter(r.waiter());
          if (f != null) {
            f.completeExceptionally(r.failure());
          }
        }
        case Queued q -> watch(q);
        case Launch l -> launch(l);
        case Ready r -> {
          r.slot().instance.exited().thenAccept(reason -> gone(r.slot(), reason));
          ctx.events().instanceReady(r.slot().instance);
        }
        case Stop s -> {
          s.instance().stop();
          returnMemory(s.memoryMb());
        }
        case ReturnMemory m -> returnMemory(m.memoryMb());
        case Evicted v -> ctx.events().instanceEvicted(v.instance(), v.forFunction());
        case PoolEffect.Report r -> {} // told under the lock
      }
    }
    return mine;
  }

  private Lease lease(Grant g) {
    return new Lease(this, g.slot(), g.cold(), g.waited(), g.prewarmHit());
  }

  private void grant(Grant g) {
    CompletableFuture<Lease> f = takeWaiter(g.waiter());
    Lease lease = lease(g);
    if (f == null || !f.complete(lease)) {
      lease.release(true); // the waiter gave up in the meantime
    }
  }

  private synchronized CompletableFuture<Lease> takeWaiter(long ticket) {
    return waiters.remove(ticket);
  }

  /** Ends the wait after its bound, and takes a waiter whose caller gave up out of the queue. */
  private void watch(Queued q) {
    CompletableFuture<Lease> f;
    synchronized (this) {
      f = waiters.get(q.waiter());
    }
    if (f == null) {
      return;
    }
    Runnable cancel = ctx.timer().schedule(q.maxWait(), () -> apply(locked(now -> state.timeout(q.waiter(), now))));
    f.whenComplete((lease, error) -> {
      cancel.run();
      if (error != null) {
        apply(locked(now -> {
          waiters.remove(q.waiter());
          return state.leave(q.waiter(), now);
        }));
      }
    });
  }

  private void returnMemory(int mb) {
    if (mb > 0) {
      ctx.budget().release(function, mb);
    }
  }

  /**
   * Launches the instances, each once its memory is reserved. A launch for waiting requests may stop
   * idle instances of other functions to make room; one that only adds headroom may not.
   */
  private void launch(Launch l) {
    Deployment d = l.deployment();
    int mb = d.spec().memoryMb();
    for (int i = 0; i < l.count(); i++) {
      if (!ctx.budget().tryReserve(d.name(), mb) && !(l.forWaiters() && ctx.evictor().makeRoom(this, mb))) {
        int left = l.count() - i;
        Failure reason = noCapacity(d.name(), mb);
        apply(locked(now -> state.notLaunched(left, l.forWaiters(), reason, now)));
        return;
      }
      if (l.prewarm()) {
        ctx.events().prewarmStarted(d.name()); // only once it has memory: a pre-warm that cannot start is none
      }
      // Taken before the launch reads anything (secrets): a recycle from now on makes this instance stale.
      long generation = generation();
      CompletableFuture<Instance> f;
      try {
        f = ctx.launcher().launch(d, i >= l.awaited(), state.version());
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((instance, error) -> {
        if (error != null) {
          ctx.budget().release(d.name(), mb);
          launchFailed(error instanceof CompletionException ? error.getCause() : error);
        } else {
          launchFailure = null;
          apply(locked(now -> state.launched(instance, l.prewarm(), generation, now)));
        }
      });
    }
  }

  private synchronized long generation() {
    return state.generation();
  }

  private Failure.NoCapacity noCapacity(String name, int mb) {
    MemoryBudget b = ctx.budget();
    return new Failure.NoCapacity(mb > b.limitMb()
        ? "function '" + name + "' needs " + mb + " MB per instance, more than the node's whole memory budget of " + b.limitMb()
            + " MB; lower its memory or raise serve --memory-budget-mb"
        : "no memory for an instance of '" + name + "' (" + mb + " MB): the node's memory budget has " + b.describe()
            + " and no idle instance of another function can be stopped; retry later, or raise serve --memory-budget-mb");
  }

  /** Why the last launch failed, if no instance became ready since. */
  String launchFailure() {
    return launchFailure;
  }

  private void launchFailed(Throwable error) {
    Failure failure = error instanceof Failure f ? f : new Failure.InstanceFailed(String.valueOf(error.getMessage()), error);
    launchFailure = failure.getMessage();
    List<PoolEffect> effects = locked(now -> state.launchFailed(failure, now));
    ctx.events().instanceFailedToStart(deployment().name(), error);
    apply(effects);
  }

  private void gone(InstanceSlot slot, String reason) {
    List<PoolEffect> effects = locked(now -> state.gone(slot, now));
    ctx.events().instanceGone(slot.instance, reason);
    apply(effects);
  }
}
