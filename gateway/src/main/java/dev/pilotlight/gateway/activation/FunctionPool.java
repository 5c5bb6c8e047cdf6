package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One function's instances, their free concurrency slots, and the requests waiting for a slot.
 *
 * <p>Invariants, all under {@code this}: a waiter is in {@code queue} until it gets a lease, times
 * out, or is failed; a slot's {@code inFlight} never exceeds the function's concurrency; a draining
 * slot takes no new request and its instance is stopped once its last request is released. Every
 * instance launch and stop happens outside the lock.
 */
final class FunctionPool {
  static final class Slot {
    final Instance instance;
    int inFlight;
    Instant lastUsed;
    boolean draining;
    boolean served;

    Slot(Instance instance, Instant now) {
      this.instance = instance;
      this.lastUsed = now;
    }
  }

  private record Waiter(CompletableFuture<Lease> future, long enqueuedNanos) {}

  private final InstanceLauncher launcher;
  private final ScaleUpPolicy policy;
  private final ActivationEvents events;
  private final InstantSource clock;
  private final int maxQueue;
  private final List<Slot> slots = new ArrayList<>();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private Deployment deployment;
  private int starting;
  private boolean removed;

  FunctionPool(Deployment deployment, InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock, int maxQueue) {
    this.deployment = deployment;
    this.launcher = launcher;
    this.policy = policy;
    this.events = events;
    this.clock = clock;
    this.maxQueue = maxQueue;
  }

  synchronized Deployment deployment() {
    return deployment;
  }

  /** A lease on a free slot now, or a future one; waiting is bounded by the function's timeout. */
  CompletableFuture<Lease> acquire() {
    Waiter waiter;
    int toStart;
    Deployment d;
    synchronized (this) {
      if (removed) {
        return CompletableFuture.failedFuture(new Failure.Unavailable("function '" + deployment.name() + "' was removed"));
      }
      Slot free = freeSlot();
      if (free != null) {
        queue.removeIf(w -> w.future.isDone()); // timed-out waiters must not hold back a free slot
      }
      if (free != null && queue.isEmpty()) {
        return CompletableFuture.completedFuture(lease(free, false, 0));
      }
      if (queue.size() >= maxQueue) {
        return CompletableFuture.failedFuture(new Failure.QueueFull(
            "function '" + deployment.name() + "' has " + queue.size() + " requests waiting (limit " + maxQueue + "); retry later"));
      }
      waiter = new Waiter(new CompletableFuture<>(), System.nanoTime());
      queue.addLast(waiter);
      toStart = policy.instancesToStart(snapshot());
      starting += toStart;
      d = deployment;
    }
    launch(d, toStart);
    Duration timeout = maxWait(d);
    waiter.future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(t -> {
      synchronized (this) {
        queue.remove(waiter);
      }
      return null;
    });
    return waiter.future.handle((lease, t) -> {
      if (t instanceof java.util.concurrent.TimeoutException) {
        throw new Failure.FunctionTimeout("no instance of '" + d.name() + "' became free within " + timeout.toMillis()
            + " ms (the function's timeout, and at least the " + MIN_WAIT.toSeconds() + " s allowed for an instance to start)");
      }
      if (t != null) {
        throw t instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(t);
      }
      return lease;
    });
  }

  /**
   * How long a request may wait for a slot: the function's timeout, but at least the time an
   * instance is given to initialise (as Lambda does not count init against the timeout), so a
   * function with a short timeout and a slow start is not failed by its own cold start.
   */
  static Duration maxWait(Deployment d) {
    Duration t = d.spec().timeout();
    return t.compareTo(MIN_WAIT) >= 0 ? t : MIN_WAIT;
  }

  /** Matches the executor's minimum init allowance (Lambda's 10 s init phase). */
  static final Duration MIN_WAIT = Duration.ofSeconds(10);

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
    slot.inFlight++;
    boolean cold = waited && !slot.served;
    slot.served = true;
    Duration w = waited ? Duration.ofNanos(System.nanoTime() - enqueuedNanos) : Duration.ZERO;
    return new Lease(this, slot, cold, w);
  }

  void launch(Deployment d, int count) {
    for (int i = 0; i < count; i++) {
      CompletableFuture<Instance> f;
      try {
        f = launcher.launch(d);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((instance, error) -> {
        if (error != null) {
          launchFailed(error instanceof java.util.concurrent.CompletionException ? error.getCause() : error);
        } else {
          launched(instance);
        }
      });
    }
  }

  private void launched(Instance instance) {
    List<Lease> leases = new ArrayList<>();
    List<Waiter> served = new ArrayList<>();
    boolean stale;
    synchronized (this) {
      starting--;
      stale = removed || instance.deployment().revision() != deployment.revision();
      if (!stale) {
        Slot slot = new Slot(instance, clock.instant());
        slots.add(slot);
        instance.exited().thenAccept(reason -> gone(slot, reason));
        int concurrency = deployment.spec().concurrency();
        while (slot.inFlight < concurrency && !queue.isEmpty()) {
          Waiter w = queue.pollFirst();
          if (!w.future.isDone()) {
            served.add(w);
            leases.add(lease(slot, true, w.enqueuedNanos));
          }
        }
      }
    }
    if (stale) {
      instance.stop();
      rebalance();
      return;
    }
    events.instanceReady(instance);
    for (int i = 0; i < served.size(); i++) {
      if (!served.get(i).future.complete(leases.get(i))) {
        leases.get(i).release(true); // the waiter timed out in the meantime
      }
    }
  }

  private void launchFailed(Throwable error) {
    List<Waiter> failed = new ArrayList<>();
    synchronized (this) {
      starting--;
      // With nothing else up or coming, the waiters would only time out: tell them why now.
      if (starting == 0 && freeOrBusySlots() == 0) {
        failed.addAll(queue);
        queue.clear();
      }
    }
    events.instanceFailedToStart(deployment().name(), error);
    RuntimeException e = error instanceof Failure f ? f : new Failure.InstanceFailed(String.valueOf(error.getMessage()), error);
    failed.forEach(w -> w.future.completeExceptionally(e));
  }

  private int freeOrBusySlots() {
    int n = 0;
    for (Slot s : slots) {
      if (!s.draining) {
        n++;
      }
    }
    return n;
  }

  /** Starts instances if waiters remain and nothing will serve them. */
  private void rebalance() {
    int toStart;
    Deployment d;
    synchronized (this) {
      if (removed || queue.isEmpty()) {
        return;
      }
      toStart = policy.instancesToStart(snapshot());
      starting += toStart;
      d = deployment;
    }
    launch(d, toStart);
  }

  void release(Slot slot, boolean healthy) {
    List<Lease> leases = new ArrayList<>();
    List<Waiter> served = new ArrayList<>();
    boolean stop = false;
    synchronized (this) {
      slot.inFlight--;
      slot.lastUsed = clock.instant();
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
    }
    if (stop) {
      slot.instance.stop();
    }
    for (int i = 0; i < served.size(); i++) {
      if (!served.get(i).future.complete(leases.get(i))) {
        leases.get(i).release(true);
      }
    }
    if (!healthy) {
      rebalance();
    }
  }

  private void gone(Slot slot, String reason) {
    synchronized (this) {
      slots.remove(slot);
    }
    events.instanceGone(slot.instance, reason);
    rebalance();
  }

  /** Points new requests at a new revision; old instances finish their work and stop. */
  void redeploy(Deployment d) {
    List<Slot> idle = new ArrayList<>();
    synchronized (this) {
      deployment = d;
      for (Iterator<Slot> it = slots.iterator(); it.hasNext(); ) {
        Slot s = it.next();
        s.draining = true;
        if (s.inFlight == 0) {
          idle.add(s);
          it.remove();
        }
      }
    }
    idle.forEach(s -> s.instance.stop());
    rebalance();
  }

  /** Stops everything and fails waiters with {@code reason}; the pool takes no more requests. */
  List<CompletableFuture<Void>> remove(Failure reason) {
    List<Waiter> failed;
    List<Slot> all;
    synchronized (this) {
      removed = true;
      failed = new ArrayList<>(queue);
      queue.clear();
      all = new ArrayList<>(slots);
      slots.clear();
    }
    failed.forEach(w -> w.future.completeExceptionally(reason));
    return all.stream().map(s -> s.instance.stop()).toList();
  }

  /** Stops every instance now, idle or not (their in-flight requests fail); waiters get new instances. */
  int stopAll() {
    List<Slot> all;
    synchronized (this) {
      all = new ArrayList<>(slots);
      slots.clear();
    }
    all.forEach(s -> s.instance.stop().join());
    rebalance();
    return all.size();
  }

  boolean stopIfIdle(String instanceId) {
    Slot victim = null;
    synchronized (this) {
      for (Slot s : slots) {
        if (s.instance.id().equals(instanceId) && s.inFlight == 0) {
          victim = s;
          break;
        }
      }
      if (victim == null) {
        return false;
      }
      slots.remove(victim);
    }
    victim.instance.stop();
    return true;
  }

  void start(int count) {
    Deployment d;
    synchronized (this) {
      if (removed) {
        return;
      }
      starting += count;
      d = deployment;
    }
    launch(d, count);
  }

  synchronized PoolSnapshot snapshot() {
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
    return new PoolSnapshot(deployment.spec(), ready, starting, inFlight, queue.size(), loads);
  }

  synchronized List<Instance> instances() {
    return slots.stream().map(s -> s.instance).toList();
  }
}
