package dev.pilotlight.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Keeps one daemon in step with the others, once a {@linkplain #DEFAULT_PERIOD period}: writes its
 * heartbeat, reads who is alive, hands back what lost nodes had claimed, and tells the daemon of
 * functions another daemon changed. {@link #tick} is one step, called by the loop's thread or by a
 * test.
 */
public final class ClusterLoop implements AutoCloseable {
  /** One heartbeat a second: a lost node is noticed within {@link Membership#DEFAULT_TIMEOUT} of its last one. */
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);
  /**
   * How far back each read of the change feed looks beyond the last one: a registry change is
   * stamped inside its transaction, which may commit a little after its stamp.
   */
  static final Duration CHANGE_OVERLAP = Duration.ofSeconds(5);
  private static final System.Logger LOG = System.getLogger(ClusterLoop.class.getName());

  /** What the loop tells the daemon. */
  public interface Peers {
    /** These nodes are gone: what they had claimed (async events) goes back to be run by the others. */
    void gone(Set<String> nodes);

    /** Another daemon (or this one) changed these functions in the shared registry: bring them up to date here. */
    void changed(Set<String> functions);

    /** A step ended: what is read from the shared database each step (credentials) may be read again. */
    default void synced() {}
  }

  private final String self;
  private final Supplier<String> address;
  private final NodeTable table;
  private final Membership membership;
  private final Peers peers;
  private final IntSupplier inFlight;
  private final IntSupplier memoryPercent;
  private final BooleanSupplier draining;
  private final Map<String, Long> seen = new HashMap<>(); // function -> change count, as last read
  private Instant readUpTo; // the database's time of the last read of the change feed; null before the first
  private volatile Membership.View view;
  private volatile boolean healthy;
  private ScheduledExecutorService thread;

  /**
   * @param address where the others reach this daemon ({@code host:port}), asked at each heartbeat
   *     (known once the daemon listens)
   */
  public ClusterLoop(String self, Supplier<String> address, NodeTable table, Membership membership, Peers peers, IntSupplier inFlight,
      IntSupplier memoryPercent, BooleanSupplier draining) {
    this.self = self;
    this.address = address;
    this.table = table;
    this.membership = membership;
    this.peers = peers;
    this.inFlight = inFlight;
    this.memoryPercent = memoryPercent;
    this.draining = draining;
    this.view = new Membership.View(List.of(), Set.of(), Set.of());
  }

  /**
   * Notes the changes made so far, without reporting them: call just before the daemon reads the
   * registry at start, so that the first step reports exactly what changed after that read.
   */
  public synchronized void seed() {
    Instant now = table.now();
    seen.putAll(table.changedSince(Instant.EPOCH));
    readUpTo = now;
  }

  /**
   * One step: heartbeat, membership, lost nodes' claims, changed functions. Without a
   * {@link #seed} first, the first step only notes the changes already made.
   */
  public synchronized void tick() {
    NodeTable.Beat beat = table.beat(self, address.get(), draining.getAsBoolean(), inFlight.getAsInt(),
        Math.clamp(memoryPercent.getAsInt(), 0, 100));
    Membership.View v = membership.view(beat.table(), beat.now());
    view = v;
    healthy = true;
    Set<String> gone = new TreeSet<>(v.gone());
    gone.remove(self);
    if (!gone.isEmpty()) {
      peers.gone(gone);
    }
    if (!v.forget().isEmpty()) {
      table.forget(v.forget());
    }
    Instant since = readUpTo == null ? Instant.EPOCH : readUpTo.minus(CHANGE_OVERLAP);
    Map<String, Long> changes = table.changedSince(since);
    Set<String> changed = new TreeSet<>();
    for (var e : changes.entrySet()) {
      Long before = seen.put(e.getKey(), e.getValue());
      if (readUpTo != null && !e.getValue().equals(before)) {
        changed.add(e.getKey());
      }
    }
    readUpTo = beat.now();
    if (!changed.isEmpty()) {
      peers.changed(changed);
    }
    peers.synced();
    for (Runnable r : afterStep) {
      r.run();
    }
  }

  private final java.util.List<Runnable> afterStep = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Runs {@code r} after every step (e.g. to act on the new view). */
  public void afterStep(Runnable r) {
    afterStep.add(r);
  }

  /** The cluster as of the last step (empty before the first). */
  public Membership.View view() {
    return view;
  }

  /** False after a step failed (the database unreachable) until one succeeds again. */
  public boolean healthy() {
    return healthy;
  }

  /** This daemon's node id. */
  public String self() {
    return self;
  }

  /** Runs a step now and then every {@code period}, on a thread of its own. */
  public synchronized void start(Duration period) {
    tickLogged();
    thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("cluster-" + self).factory());
    thread.scheduleWithFixedDelay(this::tickLogged, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tickLogged() {
    try {
      tick();
    } catch (RuntimeException e) {
      if (healthy) {
        LOG.log(System.Logger.Level.WARNING, "cluster: node " + self + ": " + e.getMessage());
      }
      healthy = false;
    }
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.shutdownNow();
      thread = null;
    }
  }
}
