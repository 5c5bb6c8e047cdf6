package dev.pilotlight.executor;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Pre-started, generic runtimes (the "pool" rung of the launch ladder): Java runners and the
 * python and node bootstraps, waiting for a function. A cold start takes a waiting one and hands
 * it the function ({@code PoolStandby} in the Java runner, the standby mode of the bootstraps)
 * instead of starting a process.
 *
 * <p>One queue per {@link Key}: the runtime and whatever is fixed when its process starts, so any
 * process of a queue can become any function of that key. For java and node that is the heap
 * limit ({@code -Xmx}, {@code --max-old-space-size}), so there is a queue per memory size; python
 * has no memory-dependent flag, so all python functions share one queue. A java function with a
 * library layer gets a queue of its own while few do (at most {@code maxLayers} in the last ten
 * minutes): its runners are started for its revision, with its libraries and its own code loaded
 * ahead (PoolRunners.Preload). With more, the runners of a layer are shared by the functions using
 * it and carry no function's code. Layered queues are kept for the {@code maxLayers} most recently used.
 *
 * <p>A runner belongs to the one function it is given for the rest of its life; the pool only ever
 * holds runners that have never seen a function. Taking one starts its replacement in the
 * background.
 *
 * <p>Size adapts to demand: each key keeps {@code baseSize} runners, plus one for every cold start
 * in the last {@link #MISS_WINDOW} that found its queue empty, up to {@code maxSize}.
 *
 * <p>Memory: a waiting runner is reserved at the memory size of the instance it will become
 * (see {@link #reservedMemoryMb}), so the budget never admits more than it could hold once the
 * runners are taken. For a python runner that is the largest memory size of the python functions
 * prepared or launched so far, since it may become any of them.
 */
public final class WarmPool implements PoolRunners, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());

  /** How long a miss (a cold start that found no pooled runner) raises the target size. */
  static final Duration MISS_WINDOW = Duration.ofMinutes(10);
  /** How long a function counts as a user of the layered pool (see codeFor). */
  static final Duration SHARED_WINDOW = MISS_WINDOW;
  /** How long a taken runner's replacement waits before it starts (see Queue.refillLater). */
  static final Duration REFILL_DELAY = Duration.ofMillis(250);
  /** A pool JVM that has not announced itself by then is killed. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Settings.
   *
   * @param baseSize runners kept per key (runtime, heap size, library layer) (default 1)
   * @param maxSize the most a key grows to under demand (default 4)
   * @param maxLayers how many layered queues (one per java function revision with a library layer,
   *     or per layer when more functions use them, see codeFor) are kept warm at once, most recently
   *     used first (default 4); functions whose queue is not warm use a plain pool runner of their heap size
   */
  public record Settings(int baseSize, int maxSize, int maxLayers) {
    public Settings {
      if (baseSize < 0 || maxSize < baseSize) {
        throw new IllegalArgumentException("pool size: base " + baseSize + ", max " + maxSize + " (expected: 0 <= base <= max)");
      }
      if (maxLayers < 0) {
        throw new IllegalArgumentException("maxLayers: " + maxLayers + " (expected: >= 0)");
      }
    }

    public Settings(int baseSize, int maxSize) {
      this(baseSize, maxSize, 4);
    }

    public static Settings defaults() {
      return new Settings(1, 4, 4);
    }
  }

  /**
   * What a pool runner is for: a runtime, the heap size fixed at its start (0 for python, whose
   * start does not depend on memory), and a library layer or none (java only); with a layer, the
   * one function revision whose code it loads ahead (PoolRunners.Preload).
   */
  record Key(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code) {
    /** The key of a function of {@code runtime} and {@code memoryMb} with {@code layer}: what its process shares with others. */
    static Key of(Runtime runtime, int memoryMb, LibraryLayers.Layer layer) {
      return of(runtime, memoryMb, layer, Preload.NONE);
    }

    /** The same for the function revision {@code code} (kept for a java function with a layer only). */
    static Key of(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code) {
      boolean layered = runtime == Runtime.JAVA && !layer.isNone();
      return new Key(runtime, LambdaCommands.memoryFixedAtStart(runtime) ? memoryMb : 0,
          layered ? layer : LibraryLayers.Layer.NONE, layered ? code : Preload.NONE);
    }

    /**
     * For status and metrics: {@code 256} and {@code 256/<layer id prefix>} (java; with {@code
     * /<code directory name prefix>} when started for one function revision), {@code node/256}, {@code python}.
     */
    String label() {
      String size = memoryMb == 0 ? "" : Integer.toString(memoryMb);
      String name = runtime == Runtime.JAVA ? size : runtime.id() + (size.isEmpty() ? "" : "/" + size);
      if (layer.isNone()) {
        return name;
      }
      name = name + "/" + layer.id().substring(0, 12);
      if (code.isNone()) {
        return name;
      }
      String dir = code.codeDir().getFileName() == null ? "" : code.codeDir().getFileName().toString();
      return name + "/" + dir.substring(0, Math.min(12, dir.length()));
    }
  }

  private final ExecutorConfig config;
  private final Settings settings;
  private final Path workDir;
  private final InstantSource clock;
  private final Supplier<Path> aotCache;
  private final IntPredicate mayStart;
  private final Map<Key, Queue> queues = new ConcurrentHashMap<>();
  /** The java functions with a library layer that used the pool (prepared or took a runner), and when: see codeFor. */
  private final Map<String, Instant> layeredUsers = new HashMap<>();
  private final Cgroups cgroups;
  private final Sandbox sandbox;
  /** Where each sandboxed runner's JVM logs its class initialisations, by pid, until it is taken. */
  private final Map<Long, Path> logDirs = new ConcurrentHashMap<>();
  private final AtomicLong runners = new AtomicLong();
  /** Runners being started (Queue.startOne), which close waits for. */
  private final AtomicInteger startsInFlight = new AtomicInteger();
  private volatile boolean closed;

  WarmPool(ExecutorConfig config, Settings settings, Path workDir, InstantSource clock, Supplier<Path> aotCache) {
    this(config, settings, workDir, clock, aotCache, mb -> true);
  }

  /** @param mayStart whether a runner of that many MB may start now (the node's memory budget); a refused one is not started */
  WarmPool(ExecutorConfig config, Settings settings, Path workDir, InstantSource clock, Supplier<Path> aotCache,
      IntPredicate mayStart) {
    this(config, settings, workDir, clock, aotCache, mayStart, Cgroups.NONE);
  }

  /** @param cgroups where each runner gets its group, with its memory size until a function takes it */
  WarmPool(ExecutorConfig config, Settings settings, Path workDir, InstantSource clock, Supplier<Path> aotCache,
      IntPredicate mayStart, Cgroups cgroups) {
    this(config, settings, workDir, clock, aotCache, mayStart, cgroups, Sandbox.NONE);
  }

  /** @param sandbox where each runner is sandboxed from its start, its task root empty until a function takes it */
  WarmPool(ExecutorConfig config, Settings settings, Path workDir, InstantSource clock, Supplier<Path> aotCache,
      IntPredicate mayStart, Cgroups cgroups, Sandbox sandbox) {
    this.cgroups = cgroups;
    this.sandbox = sandbox;
    this.config = config;
    this.settings = settings;
    this.workDir = workDir;
    this.clock = clock;
    this.aotCache = aotCache;
    this.mayStart = mayStart;
    PoolProcesses.deleteStaleLogs(workDir);
  }

  /** See PoolProcesses.claimClassInitLog: the class initialisation log of a layered runner just taken, or null. */
  @Override
  public Path claimClassInitLog(Process taken) {
    Path logDir = logDirs.remove(taken.pid());
    return PoolProcesses.claimClassInitLog(logDir == null ? workDir : logDir, workDir, taken.pid());
  }

  @Override
  public boolean fits(int ephemeralStorageMb) {
    return !sandbox.enabled() || ephemeralStorageMb == FunctionSpec.DEFAULT_EPHEMERAL_STORAGE_MB;
  }

  /**
   * Keeps runners warm for functions of this runtime, memory size and library layer (called when
   * a function that may use the pool is deployed).
   */
  @Override
  public void prepare(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code) {
    if (settings.maxSize() == 0 || closed) {
      return;
    }
    queue(Key.of(runtime, memoryMb, layerOrNone(layer), codeFor(layer, code)), memoryMb).refill();
  }

  /**
   * A waiting runner pre-loaded with exactly {@code layer} for a function of this runtime and
   * memory size; empty when none is waiting or the layer is not kept. Its queue is topped up either way.
   */
  @Override
  public Optional<Process> takeLayered(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code) {
    if (settings.maxSize() == 0 || closed || !keepsLayer(layer)) {
      return Optional.empty();
    }
    Queue exact = queue(Key.of(runtime, memoryMb, layer, codeFor(layer, code)), memoryMb);
    Process p = exact.poll();
    exact.refillLater();
    return Optional.ofNullable(p);
  }

  /**
   * A waiting runner without libraries for a function of this runtime and memory size whose layer
   * is {@code layer}; empty when none is waiting. Its queue is topped up either way. A function
   * whose layer is kept asked its layered queue first: the plain queue is then only looked at, not
   * created or marked used on its behalf (it keeps the runners of the functions without a layer).
   */
  @Override
  public Optional<Process> takeGeneric(Runtime runtime, int memoryMb, LibraryLayers.Layer layer) {
    if (settings.maxSize() == 0 || closed) {
      return Optional.empty();
    }
    Queue generic = keepsLayer(layer)
        ? queues.get(Key.of(runtime, memoryMb, LibraryLayers.Layer.NONE))
        : queue(Key.of(runtime, memoryMb, LibraryLayers.Layer.NONE), memoryMb);
    if (generic == null) {
      return Optional.empty();
    }
    Process p = generic.poll();
    generic.refillLater();
    return Optional.ofNullable(p);
  }

  /**
   * What a layered runner for {@code code}'s function loads of its own: its code while at most
   * {@code maxLayers} java functions with a library layer used the pool in the last {@link
   * #SHARED_WINDOW} (each then has a queue of its own, as many as layered queues are kept);
   * beyond that nothing, and a layer's runners serve every function using it, as they can be shared.
   * Switching drops the queues of the other kind. A new revision of a function counts as the same function.
   */
  Preload codeFor(LibraryLayers.Layer layer, Preload code) {
    if (code.isNone() || layer.isNone()) {
      return Preload.NONE;
    }
    Instant now = clock.instant();
    boolean shared;
    synchronized (layeredUsers) {
      boolean wasShared = layeredUsers.size() > settings.maxLayers();
      layeredUsers.put(code.function(), now);
      layeredUsers.values().removeIf(t -> t.isBefore(now.minus(SHARED_WINDOW)));
      shared = layeredUsers.size() > settings.maxLayers();
      if (shared != wasShared) {
        for (Queue q : queues.values()) {
          if (!q.key.layer().isNone() && q.key.code().isNone() != shared && queues.remove(q.key, q)) {
            q.destroyAll();
          }
        }
      }
    }
    return shared ? Preload.NONE : code;
  }

  /** Whether runners pre-loaded with {@code layer} are kept: a real layer, and {@code maxLayers} above 0. */
  @Override
  public boolean keepsLayer(LibraryLayers.Layer layer) {
    return !layerOrNone(layer).isNone();
  }

  /** A layer stays warm only while it is among the {@code maxLayers} most recently used. */
  private LibraryLayers.Layer layerOrNone(LibraryLayers.Layer layer) {
    if (layer.isNone() || settings.maxLayers() == 0) {
      return LibraryLayers.Layer.NONE;
    }
    return layer;
  }

  /** The queue of {@code key}, marked used by a function of {@code functionMemoryMb}. */
  private Queue queue(Key key, int functionMemoryMb) {
    Queue q = queues.computeIfAbsent(key, Queue::new);
    q.touch(functionMemoryMb);
    if (!key.layer().isNone()) {
      evictLayers();
    }
    return q;
  }

  /** Drops the least recently used layered queues beyond {@code maxLayers}. */
  private void evictLayers() {
    List<Queue> layered = new ArrayList<>();
    for (Queue q : queues.values()) {
      if (!q.key.layer().isNone()) {
        layered.add(q);
      }
    }
    if (layered.size() <= settings.maxLayers()) {
      return;
    }
    layered.sort((a, b) -> b.lastUsed().compareTo(a.lastUsed()));
    for (Queue q : layered.subList(settings.maxLayers(), layered.size())) {
      if (queues.remove(q.key, q)) {
        q.destroyAll();
      }
    }
  }

  /**
   * Replaces the waiting runners of {@code layer} with new ones (its initialisation list grew, so
   * new runners start further ahead); runners already taken are not affected.
   */
  @Override
  public void renew(LibraryLayers.Layer layer) {
    for (Queue q : queues.values()) {
      if (q.key.layer().equals(layer)) {
        q.destroyReady();
        q.refill();
      }
    }
  }

  /** Runners waiting now, over all keys. */
  public int size() {
    int n = 0;
    for (Queue q : queues.values()) {
      n += q.ready();
    }
    return n;
  }

  /**
   * Memory reserved by waiting and starting runners, in MB (what the pool holds while idle): each
   * counts as the memory size of the instance it will become, as the instance will once taken. For
   * java and node that is the key's heap size; for python, whose one queue serves every memory
   * size, the largest size of the python functions that used the queue.
   */
  public long reservedMemoryMb() {
    long mb = 0;
    for (Queue q : queues.values()) {
      mb += (long) q.accountMb() * (q.ready() + q.starting());
    }
    return mb;
  }

  /** Runners waiting per key ({@link Key#label()}), for status and metrics. */
  public Map<String, Integer> sizes() {
    Map<String, Integer> m = new HashMap<>();
    queues.forEach((k, q) -> m.put(k.label(), q.ready()));
    return m;
  }

  @Override
  public void close() {
    closed = true;
    for (Queue q : queues.values()) {
      q.destroyAll();
    }
    // A runner being started now (its box filled, its directories made) is stopped by its own thread,
    // which sees closed; waiting for those threads means nothing of the pool writes after close.
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    synchronized (startsInFlight) {
      while (startsInFlight.get() > 0 && System.nanoTime() < deadline) {
        try {
          startsInFlight.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** How long close waits for runners being started to be stopped. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final class Queue {
    final Key key;
    private final ArrayDeque<Process> ready = new ArrayDeque<>();
    private final ArrayDeque<Instant> misses = new ArrayDeque<>();
    private final List<Process> starting = new ArrayList<>();
    private volatile Instant lastUsed = Instant.MIN;
    private volatile int accountMb;

    Queue(Key key) {
      this.key = key;
      this.accountMb = key.memoryMb();
    }

    synchronized void touch(int functionMemoryMb) {
      lastUsed = clock.instant();
      accountMb = Math.max(accountMb, functionMemoryMb);
    }

    /** What each runner of this queue counts against the memory budget (see reservedMemoryMb). */
    int accountMb() {
      return accountMb;
    }

    Instant lastUsed() {
      return lastUsed;
    }

    synchronized Process poll() {
      Process p;
      while ((p = ready.pollFirst()) != null) {
        if (p.isAlive()) {
          return p;
        }
      }
      misses.addLast(clock.instant());
      return null;
    }

    synchronized int ready() {
      return ready.size();
    }

    synchronized int starting() {
      return starting.size();
    }

    /** Target size: the base plus recent misses, capped. */
    synchronized int target() {
      Instant horizon = clock.instant().minus(MISS_WINDOW);
      while (!misses.isEmpty() && misses.peekFirst().isBefore(horizon)) {
        misses.pollFirst();
      }
      return Math.min(settings.maxSize(), settings.baseSize() + misses.size());
    }

    /**
     * Refills after {@link #REFILL_DELAY}: a replacement JVM booting at once would take CPU from
     * the cold start that just took a runner (on a 2-core machine, that costs the cold start
     * milliseconds it is trying to save).
     */
    void refillLater() {
      Thread.ofVirtual().name("pool-refill").start(() -> {
        try {
          Thread.sleep(REFILL_DELAY);
        } catch (InterruptedException e) {
          return;
        }
        refill();
      });
    }

    void refill() {
      int missing;
      synchronized (this) {
        missing = target() - ready.size() - starting.size();
      }
      // Each runner counts against the node's memory budget from the moment it starts (reservedMemoryMb).
      for (int i = 0; i < missing && !closed && mayStart.test(accountMb); i++) {
        // A platform thread: it reads the runner's pipe until the ready line (see PipeThreads).
        PipeThreads.start("pool-start-" + key.label(), this::startOne);
      }
    }

    private void startOne() {
      startsInFlight.incrementAndGet();
      try {
        if (!closed) {
          startOneNow();
        }
      } finally {
        synchronized (startsInFlight) {
          if (startsInFlight.decrementAndGet() == 0) {
            startsInFlight.notifyAll();
          }
        }
      }
    }

    private void startOneNow() {
      Process p;
      Cgroups.Group group = Cgroups.Group.NONE;
      Sandbox.Box box = Sandbox.Box.NONE;
      try {
        // Until a function takes it, a runner is held to its pool's memory size (a python runner's key
        // has none: the default function size then).
        // A refill is never awaited: it boots at the lowest CPU weight, and its function's limits give it its own.
        group = cgroups.create("pool-" + runners.incrementAndGet(), accountMb > 0 ? accountMb : FunctionSpec.DEFAULT_MEMORY_MB,
            BootGate.YIELD);
        box = sandbox.open(FunctionSpec.DEFAULT_EPHEMERAL_STORAGE_MB);
        p = PoolProcesses.start(config, key.runtime(), key.memoryMb(), key.layer(), workDir,
            key.runtime() == Runtime.JAVA ? aotCache.get() : null, group, box, key.code());
      } catch (IOException | RuntimeException e) { // RuntimeException: e.g. Failure.InstanceFailed, no interpreter
        group.remove();
        box.close();
        LOG.log(System.Logger.Level.WARNING, "warm pool: cannot start a " + key.runtime().id() + " runner: " + e.getMessage());
        return;
      }
      cgroups.track(p.pid(), group);
      sandbox.track(p.pid(), box);
      if (!box.isNone() && key.layer().hasJars()) {
        try {
          logDirs.put(p.pid(), box.writableDir(workDir));
        } catch (IOException e) {
          // no log to learn from
        }
      }
      Cgroups.Group runnerGroup = group;
      Sandbox.Box runnerBox = box;
      // A runner that goes without being taken takes its group and box along; a taken one's are its instance's.
      p.onExit().thenRun(() -> {
        logDirs.remove(p.pid());
        if (cgroups.groupOf(p.pid()) == runnerGroup) {
          runnerGroup.killAll();
          runnerGroup.remove();
        }
        if (sandbox.boxOf(p.pid()) == runnerBox) {
          runnerBox.close();
        }
      });
      synchronized (this) {
        starting.add(p);
      }
      if (closed) {
        p.destroyForcibly(); // closed while it was being started: it would not be waited for
        p.onExit().completeOnTimeout(p, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
      }
      boolean ok = !closed && awaitReady(p);
      synchronized (this) {
        starting.remove(p);
        if (ok && !closed && queues.get(key) == this) {
          ready.addLast(p);
          p.onExit().thenRun(() -> {
            synchronized (this) {
              ready.remove(p);
            }
          });
          return;
        }
      }
      p.destroyForcibly();
    }

    /** Waits for the runner's ready line on stdout, reading byte by byte so nothing else is consumed. */
    private boolean awaitReady(Process p) {
      var timer = p.onExit().copy().orTimeout(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(t -> {
            p.destroyForcibly();
            return p;
          });
      try {
        InputStream out = p.getInputStream();
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = out.read()) != -1) {
          if (b == '\n') {
            if (line.toString().strip().equals(READY_LINE)) {
              timer.cancel(false);
              return true;
            }
            line.setLength(0);
          } else {
            line.append((char) b);
          }
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    }

    synchronized void destroyReady() {
      ready.forEach(Process::destroyForcibly);
      ready.clear();
    }

    synchronized void destroyAll() {
      ready.forEach(Process::destroyForcibly);
      starting.forEach(Process::destroyForcibly);
      ready.clear();
    }
  }

  /** Must match the runner's {@code PoolStandby.READY_LINE} and the bootstraps' {@code READY_LINE}. */
  static final String READY_LINE = "PILOTLIGHT-POOL-READY";
}
