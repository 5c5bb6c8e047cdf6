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
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One function's pool as a state machine: its ready instances and their free concurrency slots,
 * the FIFO queue of waiting requests, the launches in flight, draining instances, and the demand
 * they add up to. Every transition takes the time as an argument and returns what must happen as {@link
 * PoolEffect}s; nothing here blocks, starts threads or reads a clock, so the daemon ({@link
 * FunctionPool}, under its lock) and {@code bench trace} (in simulated time) run the same code.
 *
 * <p>Invariants: a waiter is in the queue until it gets a {@link Grant}, a {@link Reject}, or
 * leaves ({@link #leave}); a slot's {@code inFlight} never exceeds the function's concurrency; a
 * draining slot takes no new request and its instance is stopped once its last request is released;
 * an instance's memory is returned exactly once ({@link Stop} or {@link ReturnMemory}). Every change
 * of the demand (requests in flight and queued) is reported ({@link ReportDemand}) by the
 * transition that made it, and every end of an instance's idle time ({@link ReportIdle}), so no
 * caller has to remember either. Demand is reported, not integrated here: the autoscaler's {@code
 * DemandMeter} integrates the reports, which the keep-alive rhythm needs edge by edge anyway.
 *
 * <p>Not thread-safe: its owner serialises the calls.
 */
public final class PoolState {
  /**
   * What a transition did: its effects, in order, and for transitions that may refuse ({@link
   * #drain}, {@link #stopIdle}) whether it acted.
   */
  public record Step(boolean done, List<PoolEffect> effects) {
    public Step {
      effects = List.copyOf(effects);
    }
  }

  private final String key;
  private final boolean pinned;
  private final QueueBounds bounds;
  private final ScaleUpPolicy policy;
  private final List<InstanceSlot> slots = new ArrayList<>();
  private final WaitQueue queue = new WaitQueue();
  private Deployment deployment;
  private int starting;
  private int leased;
  private boolean removed;
  /** A launch for waiting requests found no memory; the activator retries when memory is returned. */
  private boolean memoryBlocked;
  /** The requests in flight and waiting, as last reported. */
  private int reportedDemand;
  private int reportedInstances;
  /** The effects of the transition under way (transitions do not nest). */
  private final List<PoolEffect> out = new ArrayList<>();

  /** @param policy how many instances to launch when a request queues (the autoscaler's immediate decision) */
  public PoolState(Deployment deployment, QueueBounds bounds, ScaleUpPolicy policy) {
    this(deployment, false, bounds, policy);
  }

  /**
   * @param pinned the pool of one older revision ({@code NAME@N}, see {@link PoolSnapshot#pinnedPool}),
   *     which keeps its revision: a redeploy does not move it
   */
  public PoolState(Deployment deployment, boolean pinned, QueueBounds bounds, ScaleUpPolicy policy) {
    this.deployment = deployment;
    this.pinned = pinned;
    this.key = pinned ? PoolSnapshot.pinnedPool(deployment.name(), deployment.revision()) : deployment.name();
    this.bounds = bounds;
    this.policy = policy;
  }

  /** The pool's name: the function's, or {@code NAME@N} for a pinned revision. */
  public String key() {
    return key;
  }

  /** The version its instances run, as Lambda names it: {@code $LATEST}, or the pinned revision's number. */
  public String version() {
    return pinned ? Long.toString(deployment.revision()) : "$LATEST";
  }

  public Deployment deployment() {
    return deployment;
  }

  // ---- requests -----------------------------------------------------------------------------------

  /**
   * A request arrives: a {@link Grant} to {@link PoolEffect#CALLER} on the least-loaded free slot
   * if nobody waits, else {@link Queued} (with the launches it calls for) or a {@link Reject} when
   * the queue is full or the function was removed.
   */
  public List<PoolEffect> acquire(Instant now) {
    begin();
    if (removed) {
      out.add(new Reject(PoolEffect.CALLER, new Failure.Unavailable("function '" + deployment.name() + "' was removed")));
      return end();
    }
    Integer reserved = deployment.spec().reservedConcurrency();
    if (reserved != null && reserved == 0) {
      // Lambda's way to stop a function: every call is throttled at once, none waits for an instance
      out.add(new Reject(PoolEffect.CALLER, Failure.QueueFull.stopped("function '" + deployment.name()
          + "' has a reserved concurrency of 0: every call is throttled (put-function-concurrency, or delete it, to call it again)")));
      return end();
    }
    InstanceSlot free = freeSlot();
    if (free != null && queue.isEmpty()) {
      lease(free, PoolEffect.CALLER, null, now);
      return end();
    }
    int maxQueue = bounds.maxQueue(deployment);
    if (queue.size() >= maxQueue) {
      out.add(new Reject(PoolEffect.CALLER, new Failure.QueueFull("function '" + deployment.name() + "' has " + queue.size()
          + " requests waiting for an instance (its queue limit, maxQueue, is " + maxQueue + "); retry later", reserved != null)));
      return end();
    }
    out.add(new Queued(queue.add(now), bounds.maxWait(deployment)));
    demandChanged(now);
    launchForWaiters();
    return end();
  }

  /** The waiter's queue wait is over: it is told so, unless it was served or failed in the meantime. */
  public List<PoolEffect> timeout(long ticket, Instant now) {
    begin();
    if (queue.remove(ticket)) {
      Duration wait = bounds.maxWait(deployment);
      out.add(new Reject(ticket, new Failure.QueueTimeout("no instance of '" + deployment.name() + "' became free within "
          + wait.toMillis() + " ms (its queue wait: maxQueueWait, by default the function's timeout and at least "
          + QueueBounds.MIN_WAIT.toSeconds() + " s); retry later", deployment.spec().reservedConcurrency() != null)));
      demandChanged(now);
    }
    return end();
  }

  /** The waiter gave up by itself (its caller went away): it leaves the queue. */
  public List<PoolEffect> leave(long ticket, Instant now) {
    begin();
    if (queue.remove(ticket)) {
      demandChanged(now);
    }
    return end();
  }

  /**
   * A request is done with its slot. {@code healthy=false} (a timeout, a broken connection) retires
   * the instance at once and launches for the waiters if nothing else will serve them.
   */
  public List<PoolEffect> release(InstanceSlot slot, boolean healthy, Instant now) {
    begin();
    slot.inFlight--;
    leased--;
    slot.lastUsed = now;
    if (!healthy || (slot.draining && slot.inFlight == 0)) {
      slot.draining = true;
      if (!healthy) {
        slots.remove(slot);
      }
      if (slot.inFlight == 0 || !healthy) {
        retire(slot);
      }
    } else if (slots.contains(slot)) {
      serveWaiters(slot, now);
    }
    demandChanged(now);
    if (!healthy) {
      rebalanceNow();
    }
    return end();
  }

  // ---- launches -----------------------------------------------------------------------------------

  /**
   * A launched instance is ready: it joins the pool and serves the waiters it has room for; one of
   * an old revision, or of a removed function, is stopped instead.
   */
  public List<PoolEffect> launched(Instance instance, boolean prewarm, Instant now) {
    return launched(instance, prewarm, generation, now);
  }

  /**
   * The same for an instance whose launch began at {@code launchedIn} ({@link #generation()} then):
   * one begun before a {@link #recycle} is stopped too.
   */
  public List<PoolEffect> launched(Instance instance, boolean prewarm, long launchedIn, Instant now) {
    begin();
    starting--;
    if (removed || instance.deployment().revision() != deployment.revision() || launchedIn != generation) {
      out.add(new Stop(instance, instance.deployment().spec().memoryMb()));
      rebalanceNow();
      return end();
    }
    InstanceSlot slot = new InstanceSlot(instance, prewarm, now);
    slots.add(slot);
    out.add(new Ready(slot));
    serveWaiters(slot, now);
    demandChanged(now);
    return end();
  }

  /** A launch failed (its memory is the shell's to return): with nothing else up or coming, waiters are told {@code failure} now. */
  public List<PoolEffect> launchFailed(Failure failure, Instant now) {
    begin();
    starting--;
    if (starting == 0 && liveSlots() == 0) {
      failWaiters(failure, now);
    }
    return end();
  }

  /**
   * {@code count} launches found no memory. Waiters stay queued if an instance will serve them, else
   * they are told {@code noCapacity}; a launch for waiters marks the pool as waiting for memory.
   */
  public List<PoolEffect> notLaunched(int count, boolean forWaiters, Failure noCapacity, Instant now) {
    begin();
    starting -= count;
    if (forWaiters) {
      memoryBlocked = !queue.isEmpty(); // a headroom launch's failure leaves the waiters' retry as it was
      if (starting == 0 && liveSlots() == 0) {
        failWaiters(noCapacity, now);
        memoryBlocked = false;
      }
    }
    return end();
  }

  /** Launches for the waiters if nothing will serve them (also after memory was returned). */
  public List<PoolEffect> rebalance(Instant now) {
    begin();
    rebalanceNow();
    return end();
  }

  /** Headroom from the scaling loop: {@code count} more instances, never at other functions' expense. */
  public List<PoolEffect> start(int count, Instant now) {
    begin();
    if (!removed && count > 0) {
      starting += count;
      out.add(new Launch(deployment, count, false, false, 0));
    }
    return end();
  }

  /** One instance the keep-alive policy wants up before an expected call; like {@link #start}, it takes no other function's memory. */
  public List<PoolEffect> prewarm(Instant now) {
    begin();
    if (!removed) {
      starting++;
      out.add(new Launch(deployment, 1, false, true, 0));
    }
    return end();
  }

  // ---- instances leaving ----------------------------------------------------------------------------

  /** {@code slot}'s instance exited (told to stop, or by itself): its idle time ends and its memory is returned. */
  public List<PoolEffect> gone(InstanceSlot slot, Instant now) {
    begin();
    slots.remove(slot);
    if (slot.inFlight == 0) { // up and idle since its last request (or since it was ready) until its process ended
      idleUntil(slot, now);
    }
    if (!slot.memoryReturned) {
      slot.memoryReturned = true;
      out.add(new ReturnMemory(slot.memoryMb()));
    }
    rebalanceNow();
    return end();
  }

  /** Points new requests at a new revision; old instances finish their work and stop. */
  /**
   * The same revision with settings no instance sees changed ({@code FunctionSpec.differsOnlyInMetadata}):
   * the instances stay; a new reserved concurrency counts from now (launches, eviction floor).
   */
  public List<PoolEffect> amend(Deployment d, Instant now) {
    if (d.revision() != deployment.revision() || !d.spec().differsOnlyInMetadata(deployment.spec())) {
      throw new IllegalArgumentException("amend of " + key + ": revision " + d.revision() + " is not an amendment of revision "
          + deployment.revision());
    }
    begin();
    deployment = d;
    demandChanged(now);
    rebalanceNow();
    return end();
  }

  public List<PoolEffect> redeploy(Deployment d, Instant now) {
    if (pinned) {
      throw new IllegalStateException("pool " + key + " is pinned to its revision");
    }
    begin();
    deployment = d;
    demandChanged(now); // a new concurrency changes the instances the same requests need
    drainAll();
    rebalanceNow();
    return end();
  }

  /**
   * Replaces every instance without a new revision (a secret it uses was set again): each takes no
   * new request and stops once its requests are done, launches under way are stopped when they
   * are ready, and waiters and new requests get new instances, as after a {@link #redeploy}. A
   * pinned pool is recycled too.
   */
  public List<PoolEffect> recycle(Instant now) {
    begin();
    generation++;
    drainAll();
    rebalanceNow();
    return end();
  }

  /** Which recycle the pool is at: an instance is current when its launch began at this one. */
  public long generation() {
    return generation;
  }

  private long generation;

  private void drainAll() {
    for (Iterator<InstanceSlot> it = slots.iterator(); it.hasNext(); ) {
      InstanceSlot s = it.next();
      s.draining = true;
      if (s.inFlight == 0) {
        it.remove();
        retire(s);
      }
    }
  }

  /** Stops everything and fails waiters with {@code reason}; the pool takes no more requests and reports no more demand. */
  public List<PoolEffect> remove(Failure reason, Instant now) {
    begin();
    removed = true;
    for (long ticket : queue.clear()) {
      out.add(new Reject(ticket, reason));
    }
    for (InstanceSlot s : slots) {
      retire(s);
    }
    slots.clear();
    return end();
  }

  /** Stops every instance now, idle or not (their in-flight requests fail); waiters get new instances. */
  public List<PoolEffect> stopAll(Instant now) {
    begin();
    for (InstanceSlot s : slots) {
      retire(s);
    }
    slots.clear();
    return end();
  }

  /**
   * Stops the instance if it has nothing in flight. With {@code evictedFor} (the function the
   * memory is freed for), not if that would take this function below its minInstances or the
   * instances its reserved concurrency guarantees ({@link dev.pilotlight.model.FunctionSpec#guaranteedInstances}).
   */
  public Step stopIdle(String instanceId, String evictedFor, Instant now) {
    begin();
    if (evictedFor != null && liveSlots() <= deployment.spec().guaranteedInstances()) {
      return step(false);
    }
    InstanceSlot victim = find(instanceId);
    if (victim == null || victim.inFlight > 0) {
      return step(false);
    }
    slots.remove(victim);
    if (evictedFor != null) {
      out.add(new Evicted(victim.instance, evictedFor));
    }
    retire(victim);
    return step(true);
  }

  /**
   * Scale-down of one instance: it takes no new request; idle, it stops now, else when its last
   * request is released. Refused while requests wait (one may have come since the decision).
   */
  public Step drain(String instanceId, Instant now) {
    begin();
    InstanceSlot victim = queue.isEmpty() ? find(instanceId) : null;
    if (victim == null) {
      return step(false);
    }
    if (victim.inFlight == 0) {
      slots.remove(victim);
      retire(victim);
    } else {
      victim.draining = true;
    }
    return step(true);
  }

  // ---- queries ---------------------------------------------------------------------------------------

  /** What the autoscaler sees. */
  public PoolSnapshot snapshot() {
    int ready = 0;
    int inFlight = 0;
    List<InstanceLoad> loads = new ArrayList<>(slots.size());
    for (InstanceSlot s : slots) {
      if (!s.draining) {
        ready++;
      }
      inFlight += s.inFlight;
      loads.add(new InstanceLoad(s.instance.id(), s.inFlight, s.lastUsed, s.draining));
    }
    return new PoolSnapshot(key, deployment.spec(), ready, starting, inFlight, queue.size(), loads);
  }

  /**
   * Idle instances beyond minInstances and the reserved concurrency's instances, which another
   * function's launch may stop for memory.
   */
  public List<InstanceSlot> evictable() {
    List<InstanceSlot> idle = new ArrayList<>();
    if (removed || liveSlots() <= deployment.spec().guaranteedInstances()) {
      return idle;
    }
    for (InstanceSlot s : slots) {
      if (!s.draining && s.inFlight == 0) {
        idle.add(s);
      }
    }
    return idle;
  }

  /** True when no instance is up, draining or starting: a request now would wait for a start from zero. */
  public boolean atZero() {
    return slots.isEmpty() && starting == 0;
  }

  /** True when nothing is up, starting, in flight or queued. */
  public boolean quiet() {
    return atZero() && leased == 0 && queue.isEmpty();
  }

  public boolean memoryBlocked() {
    return memoryBlocked;
  }

  public List<Instance> instances() {
    return slots.stream().map(s -> s.instance).toList();
  }

  // ---- the transitions' common steps -----------------------------------------------------------------

  private void begin() {
    out.clear();
  }

  private List<PoolEffect> end() {
    return List.copyOf(out);
  }

  private Step step(boolean done) {
    return new Step(done, end());
  }

  /** The ready slot with the fewest requests in flight that has room for one more; null if none. */
  private InstanceSlot freeSlot() {
    int concurrency = deployment.spec().concurrency();
    InstanceSlot best = null;
    for (InstanceSlot s : slots) {
      if (!s.draining && s.inFlight < concurrency && (best == null || s.inFlight < best.inFlight)) {
        best = s;
      }
    }
    return best;
  }

  /** The one place waiters are served: the queue's head takes {@code slot}'s free room, first come first served. */
  private void serveWaiters(InstanceSlot slot, Instant now) {
    int concurrency = deployment.spec().concurrency();
    while (slot.inFlight < concurrency && !queue.isEmpty()) {
      WaitQueue.Waiter w = queue.pollFirst();
      lease(slot, w.ticket(), w.since(), now);
    }
  }

  /** @param since when the waiter queued; null for a request that found the slot free */
  private void lease(InstanceSlot slot, long ticket, Instant since, Instant now) {
    if (slot.inFlight == 0) {
      idleUntil(slot, now);
    }
    slot.inFlight++;
    leased++;
    boolean waited = since != null;
    boolean cold = waited && !slot.served;
    boolean prewarmHit = !waited && slot.prewarmed && !slot.served;
    slot.served = true;
    Duration w = waited && now.isAfter(since) ? Duration.between(since, now) : Duration.ZERO;
    out.add(new Grant(ticket, slot, cold, prewarmHit, w));
    if (!waited) {
      demandChanged(now);
    }
  }

  /** Reports how long an idle slot's instance was up with nothing to do, if at all. */
  private void idleUntil(InstanceSlot slot, Instant now) {
    Duration idle = Duration.between(slot.lastUsed, now);
    if (idle.isPositive()) {
      out.add(new ReportIdle(slot.instance, idle, slot.prewarmed && !slot.served));
    }
  }

  /**
   * Reports the requests in flight and waiting and the instances they need, when either changed
   * (the instances change with the concurrency, on a redeploy).
   */
  private void demandChanged(Instant now) {
    if (removed) {
      return; // the function's rhythm is forgotten; late releases must not bring it back
    }
    int requests = leased + queue.size();
    int concurrency = deployment.spec().concurrency();
    int needed = (requests + concurrency - 1) / concurrency;
    if (requests != reportedDemand || needed != reportedInstances) {
      reportedDemand = requests;
      reportedInstances = needed;
      out.add(new ReportDemand(key, requests, needed, now));
    }
  }

  private void launchForWaiters() {
    int toStart = policy.instancesToStart(snapshot());
    // With nothing up or coming, the waiters depend on the first of these alone.
    int awaited = toStart > 0 && starting == 0 && liveSlots() == 0 ? 1 : 0;
    starting += toStart;
    if (toStart > 0) {
      out.add(new Launch(deployment, toStart, true, false, awaited));
    }
  }

  private void rebalanceNow() {
    memoryBlocked = false;
    if (!removed && !queue.isEmpty()) {
      launchForWaiters();
    }
  }

  private void failWaiters(Failure failure, Instant now) {
    for (long ticket : queue.clear()) {
      out.add(new Reject(ticket, failure));
    }
    demandChanged(now);
  }

  /** Stops the slot's instance and returns its memory if that was not done yet. */
  private void retire(InstanceSlot slot) {
    int mb = slot.memoryReturned ? 0 : slot.memoryMb();
    slot.memoryReturned = true;
    out.add(new Stop(slot.instance, mb));
  }

  private InstanceSlot find(String instanceId) {
    for (InstanceSlot s : slots) {
      if (s.instance.id().equals(instanceId) && !s.draining) {
        return s;
      }
    }
    return null;
  }

  private int liveSlots() {
    int n = 0;
    for (InstanceSlot s : slots) {
      if (!s.draining) {
        n++;
      }
    }
    return n;
  }
}
