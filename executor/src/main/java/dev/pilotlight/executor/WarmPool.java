package dev.pilotlight.executor;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Pre-started, generic Java runners (the "pool" rung of the launch ladder), one queue per heap size,
 * since a JVM's heap limit is fixed when it starts. A cold start takes a waiting runner and hands
 * it the function ({@code PoolStandby} on the runner side) instead of starting a JVM.
 *
 * <p>A runner belongs to the one function it is given for the rest of its life; the pool only ever
 * holds runners that have never seen a function. Taking one starts its replacement in the
 * background.
 *
 * <p>Size adapts to demand: each heap size keeps {@code baseSize} runners, plus one for every
 * cold start in the last {@link #MISS_WINDOW} that found its queue empty, up to {@code maxSize}.
 */
public final class WarmPool implements AutoCloseable {
  /** How long a miss (a cold start that found no pooled runner) raises the target size. */
  static final Duration MISS_WINDOW = Duration.ofMinutes(10);
  /** A pool JVM that has not announced itself by then is killed. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /** Settings: runners kept per heap size, and the most it may grow to under demand. */
  public record Settings(int baseSize, int maxSize) {
    public Settings {
      if (baseSize < 0 || maxSize < baseSize) {
        throw new IllegalArgumentException("pool size: base " + baseSize + ", max " + maxSize + " (expected: 0 <= base <= max)");
      }
    }

    public static Settings defaults() {
      return new Settings(1, 4);
    }
  }

  private final ExecutorConfig config;
  private final Settings settings;
  private final Path workDir;
  private final InstantSource clock;
  private final Map<Integer, Queue> queues = new ConcurrentHashMap<>();
  private volatile boolean closed;

  WarmPool(ExecutorConfig config, Settings settings, Path workDir, InstantSource clock) {
    this.config = config;
    this.settings = settings;
    this.workDir = workDir;
    this.clock = clock;
  }

  /** Makes sure runners with this heap size are kept warm (called when a java function is deployed). */
  public void prepare(int memoryMb) {
    if (settings.maxSize() == 0 || closed) {
      return;
    }
    queues.computeIfAbsent(memoryMb, Queue::new).refill();
  }

  /** A waiting runner with this heap size, or null; either way the queue is topped up. */
  Process take(int memoryMb) {
    if (settings.maxSize() == 0 || closed) {
      return null;
    }
    Queue q = queues.computeIfAbsent(memoryMb, Queue::new);
    Process p = q.poll();
    q.refill();
    return p;
  }

  /** Runners waiting now, over all heap sizes. */
  public int size() {
    int n = 0;
    for (Queue q : queues.values()) {
      n += q.ready();
    }
    return n;
  }

  /** Heap reserved by waiting and starting runners, in MB (what the pool holds while idle). */
  public long reservedMemoryMb() {
    long mb = 0;
    for (Queue q : queues.values()) {
      mb += (long) q.memoryMb * (q.ready() + q.starting());
    }
    return mb;
  }

  /** Sizes per heap size, for status and metrics. */
  public Map<Integer, Integer> sizes() {
    Map<Integer, Integer> m = new HashMap<>();
    queues.forEach((mb, q) -> m.put(mb, q.ready()));
    return m;
  }

  @Override
  public void close() {
    closed = true;
    for (Queue q : queues.values()) {
      q.destroyAll();
    }
  }

  private final class Queue {
    final int memoryMb;
    private final ArrayDeque<Process> ready = new ArrayDeque<>();
    private final ArrayDeque<Instant> misses = new ArrayDeque<>();
    private final List<Process> starting = new ArrayList<>();

    Queue(int memoryMb) {
      this.memoryMb = memoryMb;
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

    void refill() {
      int missing;
      synchronized (this) {
        missing = target() - ready.size() - starting.size();
      }
      for (int i = 0; i < missing && !closed; i++) {
        Thread.ofVirtual().name("pool-start-" + memoryMb).start(this::startOne);
      }
    }

    private void startOne() {
      Process p;
      try {
        p = PoolProcesses.start(config, memoryMb, workDir);
      } catch (IOException e) {
        System.err.println("warm pool: cannot start a runner: " + e.getMessage());
        return;
      }
      synchronized (this) {
        starting.add(p);
      }
      boolean ok = awaitReady(p);
      synchronized (this) {
        starting.remove(p);
        if (ok && !closed) {
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

    synchronized void destroyAll() {
      ready.forEach(Process::destroyForcibly);
      starting.forEach(Process::destroyForcibly);
      ready.clear();
    }
  }

  /** Must match the runner's {@code PoolStandby.READY_LINE}. */
  static final String READY_LINE = "PILOTLIGHT-POOL-READY";
}
