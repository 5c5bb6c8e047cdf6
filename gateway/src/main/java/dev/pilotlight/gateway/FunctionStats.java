package dev.pilotlight.gateway;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Per-function counters and recent latencies since the daemon started, for {@code status}. */
public final class FunctionStats {
  private static final int WINDOW = 1000;

  /** One function's numbers. */
  public static final class Entry {
    /** The numbers of a function that has not been called since the daemon started. */
    static final Map<String, Object> NONE = new Entry().toMap();

    final AtomicLong invocations = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong coldStarts = new AtomicLong();
    private double[] latenciesMs; // allocated at the first call: most of 10,000 deployed functions are never called
    private int count;
    private int next;
    private volatile String lastStrategy;
    private volatile double lastInitMs;

    synchronized void latency(double ms) {
      if (latenciesMs == null) {
        latenciesMs = new double[WINDOW];
      }
      latenciesMs[next] = ms;
      next = (next + 1) % WINDOW;
      count = Math.min(count + 1, WINDOW);
    }

    synchronized double percentile(double p) {
      if (count == 0) {
        return 0;
      }
      double[] copy = Arrays.copyOf(latenciesMs, count);
      Arrays.sort(copy);
      int idx = (int) Math.ceil(p * count) - 1;
      return copy[Math.max(0, Math.min(count - 1, idx))];
    }

    void coldStart(String strategy, double initMs) {
      coldStarts.incrementAndGet();
      lastStrategy = strategy;
      lastInitMs = initMs;
    }

    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("coldStarts", coldStarts.get());
      m.put("invocations", invocations.get());
      m.put("errors", errors.get());
      m.put("latencyMs", Map.of("p50", round(percentile(0.50)), "p99", round(percentile(0.99))));
      if (lastStrategy != null) {
        m.put("lastColdStart", Map.of("strategy", lastStrategy, "initMs", round(lastInitMs)));
      }
      return m;
    }

    private static double round(double v) {
      return Math.round(v * 100) / 100.0;
    }
  }

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  public Entry of(String function) {
    return entries.computeIfAbsent(function, k -> new Entry());
  }

  /** The function's numbers, or null if it has none yet (no entry is made). */
  public Entry peek(String function) {
    return entries.get(function);
  }

  public void remove(String function) {
    entries.remove(function);
  }
}
