package dev.pilotlight.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.ScalingSettings;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The front of the request path for every function: hands out leases on instance slots, queues
 * requests that find none (bounded in length and in time), starts instances on demand within the
 * node's memory budget, stopping idle instances of other functions (least recently used first)
 * when a launch for waiting requests needs their memory. A request is never dropped because its
 * instance is still starting.
 */
public final class Activator {
  /** Default bound on requests waiting per function. */
  public static final int DEFAULT_MAX_QUEUE = ScalingSettings.DEFAULT_MAX_QUEUE;

  /**
   * The daemon's queue defaults, for functions that set none.
   *
   * @param maxQueue requests that may wait per function (default 1000)
   * @param maxQueueWait how long one may wait; null (the default): the function's timeout, at least 10 s
   */
  public record Settings(int maxQueue, Duration maxQueueWait) {
    public Settings {
      if (maxQueue < 1) {
        throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: >= 1)");
      }
      if (maxQueueWait != null && (maxQueueWait.isNegative() || maxQueueWait.isZero())) {
        throw new IllegalArgumentException("maxQueueWait: " + maxQueueWait + " (expected: > 0)");
      }
    }
  }

  private final Map<String, FunctionPool> pools = new ConcurrentHashMap<>();
  private final PoolContext ctx;
  private final MemoryBudget budget;
  private final AtomicInteger retries = new AtomicInteger();
  private volatile boolean shuttingDown;
  private static final Failure.Unavailable SHUTTING_DOWN = new Failure.Unavailable("the daemon is shutting down; retry shortly");

  /** An activator with no memory budget and no daemon-wide queue wait. */
  public Activator(InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock, int maxQueue) {
    this(launcher, policy, events, clock, new Settings(maxQueue, null), MemoryBudget.unlimited());
  }

  public Activator(InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock, Settings settings,
      MemoryBudget budget) {
    this(launcher, policy, events, clock, settings, budget, Activator::afterRealTime);
  }

  /** @param timer ends queue waits (tests end them by hand) */
  Activator(InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock, Settings settings,
      MemoryBudget budget, PoolContext.Timer timer) {
    this.budget = budget;
    this.ctx = new PoolContext(launcher, policy, events, clock, timer, new QueueBounds(settings.maxQueue(), settings.maxQueueWait()),
        budget, this::makeRoom);
    budget.onRelease(this::memoryReturned);
  }

  /**
   * Queue waits end in real time, whatever the clock: a test's manual clock only moves what the
   * pools report. One timer thread for every pool; a served request's wait is taken out of its queue
   * at once (under load nearly every wait ends that way, and thousands of dead timers would pile up).
   */
  private static Runnable afterRealTime(Duration delay, Runnable task) {
    var f = QueueWaitTimer.TIMER.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  private static final class QueueWaitTimer {
    static final ScheduledThreadPoolExecutor TIMER = timer();

    private static ScheduledThreadPoolExecutor timer() {
      var t = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("queue-wait-timer").factory());
      t.setRemoveOnCancelPolicy(true);
      return t;
    }
  }

  /**
   * Gives the pools serving revision {@code d.revision()} of the function its amended settings
   * (FunctionSpec#differsOnlyInMetadata): their instances keep serving, and a new reserved
   * concurrency applies at once.
   */
  public void amend(Deployment d) {
    budget.reserveFor(d.name(), d.spec().reservedMemoryMb());
    for (String key : List.of(d.name(), PoolSnapshot.pinnedPool(d.name(), d.revision()))) {
      FunctionPool pool = pools.get(key);
      if (pool != null && pool.deployment().revision() == d.revision()) {
        pool.amend(d);
      }
    }
  }

  /** Registers a function or points it at a new revision. */
  public void deploy(Deployment d) {
    budget.reserveFor(d.name(), d.spec().reservedMemoryMb());
    FunctionPool existing = pools.putIfAbsent(d.name(), new FunctionPool(d, false, ctx));
    if (existing != null) {
      existing.redeploy(d);
    }
  }

  /**
   * Replaces the instances of {@code name}'s pools whose revision {@code uses} (its own and its
   * pinned revisions'), as a redeploy would but keeping their revisions: for a secret set again,
   * which instances read when they start. No request is lost: instances drain. Returns how many
   * pools were recycled.
   */
  public int recycle(String name, java.util.function.Predicate<Deployment> uses) {
    int recycled = 0;
    List<String> keys = new ArrayList<>(List.of(name));
    for (long r : pinnedRevisions(name)) {
      keys.add(PoolSnapshot.pinnedPool(name, r));
    }
    for (String key : keys) {
      FunctionPool pool = pools.get(key);
      if (pool != null && uses.test(pool.deployment())) {
        pool.recycle();
        recycled++;
      }
    }
    return recycled;
  }

  /**
   * The pool of an older revision of a function, {@code NAME@N} ({@link PoolSnapshot#pinnedPool}),
   * made the first time a call needs it: it keeps that revision, scales on its own and to zero like
   * any pool, and ends with {@link #removePinned} or the function's {@link #remove}.
   *
   * @return the pool's name, for {@link #acquire}
   */
  public String pinned(Deployment d) {
    String key = PoolSnapshot.pinnedPool(d.name(), d.revision());
    if (!pools.containsKey(key)) {
      pools.computeIfAbsent(key, k -> new FunctionPool(d, true, ctx));
    }
    return key;
  }

  /** The name of the pool that serves revision {@code revision} of {@code name} while it is not the latest. */
  public static String pinnedPool(String name, long revision) {
    return PoolSnapshot.pinnedPool(name, revision);
  }

  /** Ends the pinned pool of revision {@code revision} of {@code name}, if there is one (its waiters fail, its instances stop). */
  public CompletableFuture<Void> removePinned(String name, long revision) {
    return remove(PoolSnapshot.pinnedPool(name, revision), new Failure.Unavailable("revision " + revision + " of '" + name + "' was removed"));
  }

  /** Why the last launch of pool {@code pool} failed, if none became ready since. */
  public Optional<String> launchFailure(String pool) {
    FunctionPool p = pools.get(pool);
    return p == null ? Optional.empty() : Optional.ofNullable(p.launchFailure());
  }

  /** The revisions of {@code name} that have a pinned pool now. */
  public List<Long> pinnedRevisions(String name) {
    List<Long> out = new ArrayList<>();
    String prefix = name + "@";
    for (String key : pools.keySet()) {
      if (key.startsWith(prefix)) {
        out.add(Long.parseLong(key.substring(prefix.length())));
      }
    }
    out.sort(null);
    return out;
  }

  /** Removes a function and its pinned revisions' pools: waiters fail, instances stop. Completes when they are gone. */
  public CompletableFuture<Void> remove(String name) {
    Failure reason = new Failure.Unavailable("function '" + name + "' was removed");
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (long r : pinnedRevisions(name)) {
      all.add(remove(PoolSnapshot.pinnedPool(name, r), reason));
    }
    all.add(remove(name, reason));
    budget.reserveFor(name, 0);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> remove(String name, Failure reason) {
    FunctionPool pool = pools.remove(name);
    if (pool == null) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(pool.remove(reason).toArray(CompletableFuture[]::new));
  }

  /**
   * A slot on an instance of {@code name}; fails with a {@link Failure}: not found, queue full,
   * queue wait over, no memory for an instance, init error, shutdown.
   */
  public CompletableFuture<Lease> acquire(String name) {
    if (shuttingDown) {
      return CompletableFuture.failedFuture(SHUTTING_DOWN);
    }
    FunctionPool pool = pools.get(name);
    if (pool == null) {
      return CompletableFuture.failedFuture(new Failure.FunctionNotFound(name));
    }
    return pool.acquire();
  }

  public Optional<Deployment> deployment(String name) {
    FunctionPool pool = pools.get(name);
    return pool == null ? Optional.empty() : Optional.of(pool.deployment());
  }

  public Optional<PoolSnapshot> snapshot(String name) {
    FunctionPool pool = pools.get(name);
    return pool == null ? Optional.empty() : Optional.of(pool.snapshot());
  }

  public List<PoolSnapshot> snapshots() {
    List<PoolSnapshot> all = new ArrayList<>(pools.size() + 8); // once a second over every function: no regrowth
    pools.values().forEach(p -> all.add(p.snapshot()));
    return all;
  }

  /** Launches instances for the autoscaler (headroom, minInstances): within free memory only. */
  public void startInstances(String name, int count) {
    FunctionPool pool = pools.get(name);
    if (pool != null && count > 0) {
      pool.start(count);
    }
  }

  /** Starts one instance the keep-alive policy wants up before an expected call (within free memory only). */
  public void prewarm(String name) {
    FunctionPool pool = pools.get(name);
    if (pool != null) {
      pool.prewarm();
    }
  }

  /** Scales one instance down: it takes no new request and stops when its requests are done; false if refused. */
  public boolean drain(String name, String instanceId) {
    FunctionPool pool = pools.get(name);
    return pool != null && pool.drain(instanceId);
  }

  public boolean stopIfIdle(String name, String instanceId) {
    FunctionPool pool = pools.get(name);
    return pool != null && pool.stopIfIdle(instanceId);
  }

  /** Records the autoscaler's decision for {@code name} (status and metrics). */
  public void decided(String name, int desired, boolean panicking) {
    FunctionPool pool = pools.get(name);
    if (pool != null) {
      pool.decided(desired, panicking);
    }
  }

  public Optional<ScalingStatus> scaling(String name) {
    FunctionPool pool = pools.get(name);
    return pool == null ? Optional.empty() : Optional.of(pool.scalingStatus());
  }

  public MemoryBudget memory() {
    return budget;
  }

  /** Stops every instance of {@code name} now; returns how many were stopped. */
  public int stopInstances(String name) {
    FunctionPool pool = pools.get(name);
    if (pool == null) {
      throw new Failure.FunctionNotFound(name);
    }
    return pool.stopAll();
  }

  public List<Instance> instances(String name) {
    FunctionPool pool = pools.get(name);
    return pool == null ? List.of() : pool.instances();
  }

  /** Stops every instance of every function (daemon shutdown). */
  public void shutdown() {
    shuttingDown = true;
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (String name : List.copyOf(pools.keySet())) {
      stops.add(remove(name, SHUTTING_DOWN));
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Makes room for one instance of {@code requester} ({@code mb}) by stopping idle instances of
   * other functions, least recently used first, never below their minInstances; true once the
   * memory is reserved. Busy instances are never stopped for memory.
   */
  private boolean makeRoom(FunctionPool requester, int mb) {
    if (mb > budget.limitMb()) {
      return false;
    }
    List<FunctionPool.IdleInstance> idle = new ArrayList<>();
    for (FunctionPool p : pools.values()) {
      if (p != requester) {
        idle.addAll(p.idleInstances());
      }
    }
    idle.sort(Comparator.comparing(FunctionPool.IdleInstance::lastUsed));
    String forFunction = requester.deployment().name();
    for (FunctionPool.IdleInstance victim : idle) {
      victim.pool().evict(victim.id(), forFunction);
      if (budget.tryReserve(forFunction, mb)) {
        return true;
      }
    }
    return budget.tryReserve(forFunction, mb);
  }

  /**
   * Memory was returned: pools whose waiting requests found none get another try. Runs one pass
   * at a time; returns that arrive during a pass cause one more pass instead of nesting.
   */
  private void memoryReturned() {
    if (retries.getAndIncrement() > 0) {
      return;
    }
    int missed = 1;
    do {
      for (FunctionPool p : pools.values()) {
        if (p.memoryBlocked()) {
          p.rebalance();
        }
      }
      missed = retries.addAndGet(-missed);
    } while (missed != 0);
  }
}
