package dev.pilotlight.server;

import dev.pilotlight.executor.WarmPool;
import dev.pilotlight.gateway.activation.MemoryBudget;
import dev.pilotlight.gateway.async.AsyncDispatcher;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.store.PackageLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the daemon is configured with; each default is documented in docs/configuration.md.
 *
 * @param host listen address (default 127.0.0.1)
 * @param port the one port (default 8080; 0 = any free port)
 * @param dataDir registry, artifacts and logs (default ~/.pilotlight)
 * @param runnerJar the Java runner jar (default: found next to the daemon's jars)
 * @param limits package size limits (default 50 MB zipped, 250 MB unpacked)
 * @param maxQueue requests that may wait per function (default 1000)
 * @param scalingTick how often idle instances are looked for (default 1 s)
 * @param pool warm pool of pre-started runtimes (Java runners, python and node bootstraps) per pool
 *     key: java and node per heap size, python one queue for all (default 1, growing to 4 under
 *     demand; 0/0 turns the pool off)
 * @param async asynchronous invocations: first retry after 1 min (then 2 min), throttled events
 *     again after 1 s, due events looked for every 100 ms, at most 64 running at once
 * @param scaling the autoscaler and queue settings of functions that set none (defaults in
 *     {@link ScalingSettings}; {@code maxQueue} is always this config's {@code maxQueue})
 * @param memoryBudgetMb the node's memory budget for instances and the warm pool, in MB (default
 *     75 % of the machine's memory)
 * @param keepAlive the keep-alive policy of functions that set none (default {@code histogram}: learned per function)
 * @param criu the snapshot rung's CRIU: a binary's path, {@code auto} (found as docs/configuration.md
 *     says) or {@code off}; default {@code off} here, {@code auto} for {@code pilotlight serve}
 */
public record DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick,
    WarmPool.Settings pool, AsyncDispatcher.Settings async, ScalingSettings scaling, long memoryBudgetMb, KeepAlive keepAlive, String criu) {
  public DaemonConfig {
    if (dataDir == null) {
      throw new IllegalArgumentException("dataDir: null (expected a directory path)");
    }
    if (runnerJar == null) {
      throw new IllegalArgumentException("runnerJar: null (expected the path of pilotlight-java-runner.jar)");
    }
    if (pool == null) {
      throw new IllegalArgumentException("pool: null (expected pool settings)");
    }
    if (maxQueue < 1) {
      throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: >= 1)");
    }
    if (async == null) {
      throw new IllegalArgumentException("async: null (expected asynchronous invocation settings)");
    }
    scaling = (scaling == null ? ScalingSettings.DEFAULTS : scaling.over(ScalingSettings.DEFAULTS)).withMaxQueue(maxQueue);
    if (memoryBudgetMb < 1) {
      throw new IllegalArgumentException("memoryBudgetMb: " + memoryBudgetMb + " (expected: >= 1)");
    }
    keepAlive = keepAlive == null ? KeepAlive.HISTOGRAM : keepAlive;
    criu = criu == null || criu.isBlank() ? "off" : criu.strip();
  }

  /** A config without the snapshot rung. */
  public DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick,
      WarmPool.Settings pool, AsyncDispatcher.Settings async, ScalingSettings scaling, long memoryBudgetMb, KeepAlive keepAlive) {
    this(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling, memoryBudgetMb, keepAlive, "off");
  }

  /** A config with the default keep-alive policy. */
  public DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick,
      WarmPool.Settings pool, AsyncDispatcher.Settings async, ScalingSettings scaling, long memoryBudgetMb) {
    this(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling, memoryBudgetMb, KeepAlive.HISTOGRAM);
  }

  /** A config with the scaling settings at their defaults and the default memory budget. */
  public DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick,
      WarmPool.Settings pool, AsyncDispatcher.Settings async) {
    this(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, ScalingSettings.DEFAULTS, defaultMemoryBudgetMb());
  }

  /** The default memory budget: {@link MemoryBudget#DEFAULT_SHARE_OF_MACHINE} of the machine's memory. */
  public static long defaultMemoryBudgetMb() {
    return MachineMemory.defaultBudgetMb(MachineMemory.totalMb(), MemoryBudget.DEFAULT_SHARE_OF_MACHINE);
  }

  /** A config with the asynchronous invocation settings at their defaults. */
  public DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick,
      WarmPool.Settings pool) {
    this(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, AsyncDispatcher.Settings.defaults());
  }

  /** Defaults for everything but where things live. */
  public static DaemonConfig defaults(Path dataDir, Path runnerJar) {
    return new DaemonConfig("127.0.0.1", 8080, dataDir, runnerJar, PackageLimits.defaults(), 1000, Duration.ofSeconds(1),
        WarmPool.Settings.defaults());
  }

  public DaemonConfig withPort(int p) {
    return new DaemonConfig(host, p, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling, memoryBudgetMb, keepAlive, criu);
  }

  public DaemonConfig withLimits(PackageLimits l) {
    return new DaemonConfig(host, port, dataDir, runnerJar, l, maxQueue, scalingTick, pool, async, scaling, memoryBudgetMb, keepAlive, criu);
  }

  public DaemonConfig withPool(WarmPool.Settings p) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, p, async, scaling, memoryBudgetMb, keepAlive, criu);
  }

  public DaemonConfig withAsync(AsyncDispatcher.Settings a) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, a, scaling, memoryBudgetMb, keepAlive, criu);
  }

  public DaemonConfig withScalingTick(Duration t) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, t, pool, async, scaling, memoryBudgetMb, keepAlive, criu);
  }

  public DaemonConfig withScaling(ScalingSettings s) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, s.maxQueue() != null ? s.maxQueue() : maxQueue, scalingTick, pool, async,
        s, memoryBudgetMb, keepAlive, criu);
  }

  public DaemonConfig withKeepAlive(KeepAlive k) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling, memoryBudgetMb, k, criu);
  }

  public DaemonConfig withCriu(String c) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling, memoryBudgetMb, keepAlive, c);
  }

  public DaemonConfig withMemoryBudgetMb(long mb) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling, mb, keepAlive, criu);
  }
}
