package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One function's instances, their free concurrency slots, and the requests waiting for a slot.
 *
 * <p>Invariants, all under {@code this}: a waiter is in {@code queue} until it gets a lease, times
 * out, or is failed; a slot's {@code inFlight} never exceeds the function's concurrency; a draining
 * slot takes no new request and its instance is stopped once its last request is released. Every
 * instance launch and stop, and every call into the memory budget or another pool, happens outside
 * the lock. An instance's memory reservation is returned exactly once: when it is told to stop, when
 * it exits by itself, or when its launch fails.
 */
final class FunctionPool {
  static final class Slot {
    final Instance instance;
    int inFlight;
    Instant lastUsed;
    boolean draining;
    boolean served;
    /** Started by the keep-alive policy before an expected call, not for a request. */
    boolean prewarmed;
    final AtomicBoolean memoryReturned = new AtomicBoolean();

    Slot(Instance instance, Instant now) {
      this.instance = instance;
      this.lastUsed = now;
    }
  }

  private record Waiter(CompletableFuture<Lease> future, long enqueuedNanos) {}

  /** An idle instance another function's launch may stop to free memory. */
  record IdleInstance(FunctionPool pool, String id, Instant lastUsed) {}

  private final PoolContext ctx;
  private final List<Slot> slots = new ArrayList<>();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private Deployment deployment;
  private int starting;
  private int leased;
  private boolean removed;
  /** A launch for waiting requests found no memory; the activator retries when memory is returned. */
  private boolean memoryBlocked;
  private double demandSeconds;
  private Instant demandSince;
  /** The instances in-flight and waiting requests need, as last reported to {@code functionDemand}. */
  private int reportedDemand;
  private volatile int desired = -1;
  private volatile boolean panicking;

  FunctionPool(Deployment deployment, PoolContext ctx) {
    this.deployment = deployment;
    this.ctx = ctx;
    this.demandSince = ctx.clock().instant();
  }

  synchronized Deployment deployment() {
    return deployment;
  }

  /** A lease on a free slot now, or a future one; waiting is bounded in length and in time. */
  CompletableFuture<Lease> acquire() {
    Waiter waiter;
    int toStart;
    Deployment d;
    synchronized (this) {
      if (removed) {
        return CompletableFuture.failedFuture(new Failure.Unavailable("function '" + deployment.name() + "' was removed"));
      }
      account();
      Slot free = freeSlot();
      if (free != null) {
        queue.removeIf(w -> w.future.isDone()); // timed-out waiters must not hold back a free slot
      }
      if (free != null && queue.isEmpty()) {
        Lease now = lease(free, false, 0);
        demandChanged();
        return CompletableFuture.completedFuture(now);
      }
      int maxQueue = ctx.maxQueue(deployment);
      if (queue.size() >= maxQueue) {
        return CompletableFuture.failedFuture(new Failure.QueueFull("function '" + deployment.name() + "' has " + queue.size()
            + " requests waiting for an instance (its queue limit, maxQueue, is " + maxQueue + "); retry later"));
      }
      waiter = new Waiter(new CompletableFuture<>(), System.nanoTime());
      queue.addLast(waiter);
      demandChanged();
      toStart = ctx.policy().instancesToStart(snapshotLocked());
      starting += toStart;
      d = deployment;
    }
    launch(d, toStart, true);
    Duration timeout = ctx.maxWait(d);
    waiter.future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(t -> {
      synchronized (this) {
        account();
        queue.remove(waiter);
        demandChanged();
      }
      return null;
    });
    return waiter.future.handle((lease, t) -> {
      if (t instanceof java.util.concurrent.TimeoutException) {
        throw new Failure.QueueTimeout("no instance of '" + d.name() + "' became free within " + timeout.toMillis()
            + " ms (its queue wait: maxQueueWait, by default the function's timeout and at least "
            + PoolContext.MIN_WAIT.toSeconds() + " s); retry later");
      }
      if (t != null) {
        throw t instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(t);
      }
      return lease;
    });
  }

  /** The ready slot with the fewest requests in flight that has room for one more; null if none. */
  private Slot freeSlot() {
    int concurrency = deployment.spec().concurrency();
    Slot best = null;
    for (Slot s : slots) {
      if (!s.draining && s.inFlight < concurrency && (best == null || s.inFlight < best.inFlight)) {
        best = s;
      }
    }
    return best;
  }

  private Lease lease(Slot slot, boolean waited, long enqueuedNanos) {
    if (slot.inFlight == 0) {
      idleUntilNow(slot);
    }
    slot.inFlight++;
    leased++;
    boolean cold = waited && !slot.served;
    boolean prewarmHit = !waited && slot.prewarmed && !slot.served;
    slot.served = true;
    Duration w = waited ? Duration.ofNanos(System.nanoTime() - enqueuedNanos) : Duration.ZERO;
    return new Lease(this, slot, cold, w, prewarmHit);
  }

  /** Reports how long an idle slot's instance was up with nothing to do, if at all. Under the lock. */
  private void idleUntilNow(Slot slot) {
    Duration idle = Duration.between(slot.lastUsed, ctx.clock().instant());
    if (idle.isPositive()) {
      ctx.events().instanceIdle(slot.instance, idle, slot.prewarmed && !slot.served);
    }
  }

  /**
   * Reports the instances the requests in flight and waiting need, when that changed: the
   * keep-alive policy's levels (0 ends a busy spell). Under the lock, after every change.
   */
  private void demandChanged() {
    if (removed) {
      return; // the function's rhythm is forgotten; late releases must not bring it back
    }
    int concurrency = deployment.spec().concurrency();
    int needed = (leased + queue.size() + concurrency - 1) / concurrency;
    if (needed != reportedDemand) {
      reportedDemand = needed;
      ctx.events().functionDemand(deployment.name(), needed, ctx.clock().instant());
    }
  }

  /**
   * Launches {@code count} instances of {@code d}, each once its memory is reserved. A launch for
   * waiting requests ({@code forWaiters}) may stop idle instances of other functions to make room;
   * one that only adds headroom (the scaling loop) may not.
   */
  void launch(Deployment d, int count, boolean forWaiters) {
    launch(d, count, forWaiters, false);
  }

  /** @param prewarm the instances are the keep-alive policy's, started before an expected call */
  private void launch(Deployment d, int count, boolean forWaiters, boolean prewarm) {
    int mb = d.spec().memoryMb();
    for (int i = 0; i < count; i++) {
      if (!ctx.budget().tryReserve(mb) && !(forWaiters && ctx.evictor().makeRoom(this, mb))) {
        notLaunched(count - i, forWaiters, mb);
        return;
      }
      if (prewarm) {
        ctx.events().prewarmStarted(d.name()); // only once it has memory: a pre-warm that cannot start is none
      }
      CompletableFuture<Instance> f;
      try {
        f = ctx.launcher().launch(d);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((instance, error) -> {
        if (error != null) {
          ctx.budget().release(mb);
          launchFailed(error instanceof java.util.concurrent.CompletionException ? error.getCause() : error);
        } else {
          launched(instance, prewarm);
        }
      });
    }
  }

  /** Launches that found no memory: waiters stay queued if an instance will serve them, else they are told why now. */
  private void notLaunched(int count, boolean forWaiters, int mb) {
    List<Waiter> failed = new ArrayList<>();
    String name;
    synchronized (this) {
      starting -= count;
      name = deployment.name();
      if (forWaiters) {
        memoryBlocked = !queue.isEmpty(); // a headroom launch's failure leaves the waiters' retry as it was
      }
      if (forWaiters && starting == 0 && liveSlots() == 0) {
        account();
        failed.addAll(queue);
        queue.clear();
        memoryBlocked = false;
        demandChanged();
      }
    }
    if (failed.isEmpty()) {
      return;
    }
    MemoryBudget b = ctx.budget();
    Failure.NoCapacity reason = new Failure.NoCapacity(mb > b.limitMb()
        ? "function '" + name + "' needs " + mb + " MB per instance, more than the node's whole memory budget of " + b.limitMb()
            + " MB; lower its memory or raise serve --memory-budget-mb"
        : "no memory for an instance of '" + name + "' (" + mb + " MB): the node's memory budget has " + b.describe()
            + " and no idle instance of another function can be stopped; retry later, or raise serve --memory-budget-mb");
    failed.forEach(w -> w.future.completeExceptionally(reason));
  }

  private void launched(Instance instance, boolean prewarm) {
    List<Lease> leases = new ArrayList<>();
    List<Waiter> served = new ArrayList<>();
    Slot slot = null;
    synchronized (this) {
      starting--;
      if (!removed && instance.deployment().revision() == deployment.revision()) {
        account();
        slot = new Slot(instance, ctx.clock().instant());
        slot.prewarmed = prewarm;
        slots.add(slot);
        int concurrency = deployment.spec().concurrency();
        while (slot.inFlight < concurrency && !queue.isEmpty()) {
          Waiter w = queue.pollFirst();
          if (!w.future.isDone()) {
            served.add(w);
            leases.add(lease(slot, true, w.enqueuedNanos));
          }
        }
        demandChanged(); // a waiter that had given up may have left the queue
      }
    }
    if (slot == null) { // removed, or an old revision finishing its start after a redeploy
      instance.stop();
      ctx.budget().release(instance.deployment().spec().memoryMb());
      rebalance();
      return;
    }
    Slot s = slot;
    instance.exited().thenAccept(reason -> gone(s, reason));
    ctx.events().instanceReady(instance);
    complete(served, leases);
  }

  private void launchFailed(Throwable error) {
    List<Waiter> failed = new ArrayList<>();
    synchronized (this) {
      starting--;
      // With nothing else up or coming, the waiters would only time out: tell them why now.
      if (starting == 0 && liveSlots() == 0) {
        account();
        failed.addAll(queue);
        queue.clear();
        demandChanged();
      }
    }
    ctx.events().instanceFailedToStart(deployment().name(), error);
    RuntimeException e = error instanceof Failure f ? f : new Failure.InstanceFailed(String.valueOf(error.getMessage()), error);
    failed.forEach(w -> w.future.completeExceptionally(e));
  }

  private int liveSlots() {
    int n = 0;
    for (Slot s : slots) {
      if (!s.draining) {
        n++;
      }
    }
    return n;
  }

  /** Starts instances if waiters remain and nothing will serve them (also after memory was returned). */
  void rebalance() {
    int toStart;
    Deployment d;
    synchronized (this) {
      memoryBlocked = false;
      if (removed || queue.isEmpty()) {
        return;
      }
      toStart = ctx.policy().instancesToStart(snapshotLocked());
      starting += toStart;
      d = deployment;
    }
    launch(d, toStart, true);
  }

  synchronized boolean memoryBlocked() {
    return memoryBlocked;
  }

  void release(Slot slot, boolean healthy) {
    List<Lease> leases = new ArrayList<>();
    List<Waiter> served = new ArrayList<>();
    boolean stop = false;
    synchronized (this) {
      account();
      slot.inFlight--;
      leased--;
      slot.lastUsed = ctx.clock().instant();
      if (!healthy || (slot.draining && slot.inFlight == 0)) {
        slot.draining = true;
        stop = slot.inFlight == 0 || !healthy;
        if (!healthy) {
          slots.remove(slot);
        }
      } else if (slots.contains(slot)) {
        int concurrency = deployment.spec().concurrency();
        while (slot.inFlight < concurrency && !queue.isEmpty()) {
          Waiter w = queue.pollFirst();
          if (!w.future.isDone()) {
            served.add(w);
            leases.add(lease(slot, true, w.enqueuedNanos));
          }
        }
      }
      demandChanged();
    }
    if (stop) {
      retire(slot);
    }
    complete(served, leases);
    if (!healthy) {
      rebalance();
    }
  }

  private static void complete(List<Waiter> served, List<Lease> leases) {
    for (int i = 0; i < served.size(); i++) {
      if (!served.get(i).future.complete(leases.get(i))) {
        leases.get(i).release(true); // the waiter timed out in the meantime
      }
    }
  }

  /** Stops the slot's instance and returns its memory (once, whoever gets here first). */
  private void retire(Slot slot) {
    slot.instance.stop();
    returnMemory(slot);
  }

  private void returnMemory(Slot slot) {
    if (slot.memoryReturned.compareAndSet(false, true)) {
      ctx.budget().release(slot.instance.deployment().spec().memoryMb());
    }
  }

  private void gone(Slot slot, String reason) {
    synchronized (this) {
      slots.remove(slot);
      if (slot.inFlight == 0) { // up and idle since its last request (or since it was ready) until its process ended
        idleUntilNow(slot);
      }
    }
    returnMemory(slot);
    ctx.events().instanceGone(slot.instance, reason);
    rebalance();
  }

  /** Points new requests at a new revision; old instances finish their work and stop. */
  void redeploy(Deployment d) {
    List<Slot> idle = new ArrayList<>();
    synchronized (this) {
      deployment = d;
      demandChanged(); // a new concurrency changes the instances the same requests need
      for (Iterator<Slot> it = slots.iterator(); it.hasNext(); ) {
        Slot s = it.next();
        s.draining = true;
        if (s.inFlight == 0) {
          idle.add(s);
          it.remove();
        }
      }
    }
    idle.forEach(this::retire);
    rebalance();
  }

  /** Stops everything and fails waiters with {@code reason}; the pool takes no more requests. */
  List<CompletableFuture<Void>> remove(Failure reason) {
    List<Waiter> failed;
    List<Slot> all;
    synchronized (this) {
      account();
      removed = true;
      failed = new ArrayList<>(queue);
      queue.clear();
      all = new ArrayList<>(slots);
      slots.clear();
    }
    failed.forEach(w -> w.future.completeExceptionally(reason));
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Slot s : all) {
      stops.add(s.instance.stop());
      returnMemory(s);
    }
    return stops;
  }

  /** Stops every instance now, idle or not (their in-flight requests fail); waiters get new instances. */
  int stopAll() {
    List<Slot> all;
    synchronized (this) {
      all = new ArrayList<>(slots);
      slots.clear();
    }
    all.forEach(s -> {
      s.instance.stop().join();
      returnMemory(s);
    });
    rebalance();
    return all.size();
  }

  /** Stops the instance if it has nothing in flight. */
  boolean stopIfIdle(String instanceId) {
    return stopIdle(instanceId, null);
  }

  /**
   * Stops an idle instance so another function can use its memory, unless that would take this
   * function below its minInstances.
   */
  boolean evict(String instanceId, String forFunction) {
    return stopIdle(instanceId, forFunction);
  }

  /** @param evictedFor the function the memory is freed for; null for a plain idle stop */
  private boolean stopIdle(String instanceId, String evictedFor) {
    Slot victim = null;
    synchronized (this) {
      if (evictedFor != null && liveSlots() <= deployment.spec().minInstances()) {
        return false;
      }
      for (Slot s : slots) {
        if (s.instance.id().equals(instanceId) && s.inFlight == 0 && !s.draining) {
          victim = s;
          break;
        }
      }
      if (victim == null) {
        return false;
      }
      slots.remove(victim);
    }
    if (evictedFor != null) {
      ctx.events().instanceEvicted(victim.instance, evictedFor);
    }
    retire(victim);
    return true;
  }

  /**
   * Scale-down of one instance: it takes no new request; idle, it stops now, else when its last
   * request is released. Refused while requests wait (one may have come since the decision).
   */
  boolean drain(String instanceId) {
    Slot victim = null;
    boolean idle;
    synchronized (this) {
      if (!queue.isEmpty()) {
        return false;
      }
      for (Slot s : slots) {
        if (s.instance.id().equals(instanceId) && !s.draining) {
          victim = s;
          break;
        }
      }
      if (victim == null) {
        return false;
      }
      idle = victim.inFlight == 0;
      if (idle) {
        slots.remove(victim);
      } else {
        victim.draining = true;
      }
    }
    if (idle) {
      retire(victim);
    }
    return true;
  }

  /** Idle instances beyond minInstances, for another function's launch to stop (least recently used first, by the caller). */
  synchronized List<IdleInstance> idleInstances() {
    List<IdleInstance> idle = new ArrayList<>();
    if (removed || liveSlots() <= deployment.spec().minInstances()) {
      return idle;
    }
    for (Slot s : slots) {
      if (!s.draining && s.inFlight == 0) {
        idle.add(new IdleInstance(this, s.instance.id(), s.lastUsed));
      }
    }
    return idle;
  }

  /** Headroom from the scaling loop: never stops other functions' instances for memory. */
  void start(int count) {
    Deployment d;
    synchronized (this) {
      if (removed) {
        return;
      }
      starting += count;
      d = deployment;
    }
    launch(d, count, false);
  }

  /** One instance started by the keep-alive policy before an expected call; like {@link #start}, it stops no other function's. */
  void prewarm() {
    Deployment d;
    synchronized (this) {
      if (removed) {
        return;
      }
      starting++;
      d = deployment;
    }
    launch(d, 1, false, true);
  }

  void decided(int desiredInstances, boolean panic) {
    desired = desiredInstances;
    panicking = panic;
  }

  /** The autoscaler's last desired count (-1 before its first decision) and whether it is panicking. */
  ScalingStatus scalingStatus() {
    return new ScalingStatus(desired, panicking);
  }

  /** Adds (in-flight + queued) × the time since the last change to the demand integral; call before each change. */
  private void account() {
    Instant now = ctx.clock().instant();
    long nanos = Duration.between(demandSince, now).toNanos();
    if (nanos > 0) {
      demandSeconds += (leased + queue.size()) * (nanos / 1e9);
    }
    demandSince = now;
  }

  synchronized PoolSnapshot snapshot() {
    account();
    return snapshotLocked();
  }

  private PoolSnapshot snapshotLocked() {
    int ready = 0;
    int inFlight = 0;
    List<InstanceLoad> loads = new ArrayList<>(slots.size());
    for (Slot s : slots) {
      if (!s.draining) {
        ready++;
      }
      inFlight += s.inFlight;
      loads.add(new InstanceLoad(s.instance.id(), s.inFlight, s.lastUsed, s.draining));
    }
    return new PoolSnapshot(deployment.spec(), ready, starting, inFlight, queue.size(), loads, demandSeconds, demandSince);
  }

  synchronized List<Instance> instances() {
    return slots.stream().map(s -> s.instance).toList();
  }
}
