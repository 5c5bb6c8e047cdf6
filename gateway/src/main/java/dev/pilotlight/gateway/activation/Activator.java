package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.PoolSnapshot;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The front of the request path for every function: hands out leases on instance slots, queues
 * requests that find none (bounded in length and in time), and starts instances on demand.
 * A request is never dropped because its instance is still starting.
 */
public final class Activator {
  /** Default bound on requests waiting per function. */
  public static final int DEFAULT_MAX_QUEUE = 1000;

  private final Map<String, FunctionPool> pools = new ConcurrentHashMap<>();
  private final InstanceLauncher launcher;
  private final ScaleUpPolicy policy;
  private final ActivationEvents events;
  private final InstantSource clock;
  private final int maxQueue;
  private volatile boolean shuttingDown;
  private static final Failure.Unavailable SHUTTING_DOWN = new Failure.Unavailable("the daemon is shutting down; retry shortly");

  public Activator(InstanceLauncher launcher, ScaleUpPolicy policy, ActivationEvents events, InstantSource clock, int maxQueue) {
    if (maxQueue < 1) {
      throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: >= 1)");
    }
    this.launcher = launcher;
    this.policy = policy;
    this.events = events;
    this.clock = clock;
    this.maxQueue = maxQueue;
  }

  /** Registers a function or points it at a new revision. */
  public void deploy(Deployment d) {
    FunctionPool existing = pools.putIfAbsent(d.name(), new FunctionPool(d, launcher, policy, events, clock, maxQueue));
    if (existing != null) {
      existing.redeploy(d);
    }
  }

  /** Removes a function: waiters fail, instances stop. Completes when they are gone. */
  public CompletableFuture<Void> remove(String name) {
    return remove(name, new Failure.Unavailable("function '" + name + "' was removed"));
  }

  private CompletableFuture<Void> remove(String name, Failure reason) {
    FunctionPool pool = pools.remove(name);
    if (pool == null) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(pool.remove(reason).toArray(CompletableFuture[]::new));
  }

  /** A slot on an instance of {@code name}; fails with a {@link Failure} (not found, queue full, timeout, init error). */
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
    List<PoolSnapshot> all = new ArrayList<>();
    pools.values().forEach(p -> all.add(p.snapshot()));
    return all;
  }

  public void startInstances(String name, int count) {
    FunctionPool pool = pools.get(name);
    if (pool != null && count > 0) {
      pool.start(count);
    }
  }

  public boolean stopIfIdle(String name, String instanceId) {
    FunctionPool pool = pools.get(name);
    return pool != null && pool.stopIfIdle(instanceId);
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
}
