package dev.pilotlight.server;

import dev.pilotlight.activation.MemoryBudget;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.autoscaler.IdleTimeHistogram;
import dev.pilotlight.autoscaler.KeepAlivePolicy;
import dev.pilotlight.executor.WarmPool;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.store.PackageLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

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
 * @param keepAliveBudget the learned keep-alive spends at most the idle memory of a fixed keep-alive
 *     this long, and keeps an instance this long while it knows nothing yet (default 10 min)
 * @param criu the snapshot rung's CRIU: a binary's path, {@code auto} (found as docs/configuration.md
 *     says) or {@code off}; default {@code off} here, {@code auto} for {@code pilotlight serve}
 * @param secretsKey the file holding the key secrets are encrypted under (made on first use); null
 *     for {@code <dataDir>/keys/secrets.key} ({@link #secretsKeyFile()})
 * @param metricsHistory keep each function's per-minute history for the console and {@code GET …/metrics} in
 *     {@code metrics.db} (default true; {@code serve --metrics-history off} to measure what it costs)
 * @param shared the PostgreSQL database this daemon shares with others and its name among them; null
 *     (the default) for the SQLite files of one machine
 */
public record DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick,
    WarmPool.Settings pool, AsyncDispatcher.Settings async, ScalingSettings scaling, long memoryBudgetMb, KeepAlive keepAlive, String criu,
    Security security, int keepRevisions, Duration keepAliveBudget, Path secretsKey, boolean metricsHistory, Shared shared) {
  /** Revisions kept per function by default: the live one and the two before it. */
  public static final int DEFAULT_KEEP_REVISIONS = 3;

  /**
   * Who may use the daemon and how it is reached.
   *
   * @param authRequired false only with {@code serve --insecure-no-auth}: no credentials asked anywhere
   * @param allowedHosts host names the APIs answer besides {@code localhost} and IP literals ({@code --allowed-host})
   * @param allowedOrigins browser origins allowed to call the APIs ({@code --allowed-origin})
   * @param tlsCert PEM certificate chain for HTTPS, or null for plain HTTP
   * @param tlsKey PEM private key (PKCS#8) for HTTPS, or null
   * @param requireSandbox {@code serve --require-sandbox}: refuse to start unless every instance
   *     gets its sandbox and its cgroup limits
   */
  public record Security(boolean authRequired, Set<String> allowedHosts, Set<String> allowedOrigins, Path tlsCert, Path tlsKey,
      boolean requireSandbox) {
    public static final Security DEFAULTS = new Security(true, Set.of(), Set.of(), null, null, false);

    public Security(boolean authRequired, Set<String> allowedHosts, Set<String> allowedOrigins, Path tlsCert, Path tlsKey) {
      this(authRequired, allowedHosts, allowedOrigins, tlsCert, tlsKey, false);
    }

    public Security {
      allowedHosts = Set.copyOf(allowedHosts);
      allowedOrigins = Set.copyOf(allowedOrigins);
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
      }
    }

    public boolean tls() {
      return tlsCert != null;
    }
  }

  /**
   * The state several daemons share ({@code serve --database}).
   *
   * @param database {@code postgresql://USER:PASSWORD@HOST:PORT/DATABASE}
   * @param nodeId this daemon's name among them, written on what it claims (async events); unique per daemon
   * @param advertise {@code host:port} where the other daemons reach this one; null: this machine's
   *     address (its host name's) and the daemon's port
   */
  public record Shared(String database, String nodeId, String advertise) {
    public Shared(String database, String nodeId) {
      this(database, nodeId, null);
    }

    /** Node ids: what a host name or a Kubernetes pod name may be. */
    private static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public Shared {
      if (database == null || database.isBlank()) {
        throw new IllegalArgumentException("database: empty (expected: postgresql://USER:PASSWORD@HOST:PORT/DATABASE)");
      }
      if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
        throw new IllegalArgumentException("--node-id: '" + nodeId + "' (expected: 1 to 63 letters, digits, dots, hyphens or "
            + "underscores, starting with a letter or digit; unique per daemon)");
      }
      if (advertise != null && !advertise.matches("[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}")) {
        throw new IllegalArgumentException("--advertise: '" + advertise + "' (expected: HOST:PORT where the other daemons reach this one)");
      }
    }

    @Override
    public String toString() {
      return "Shared[node " + nodeId + "]"; // the URL may hold a password
    }
  }

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
    keepAliveBudget = keepAliveBudget == null ? KeepAlivePolicy.defaultBudget() : keepAliveBudget;
    if (keepAliveBudget.isNegative() || keepAliveBudget.compareTo(IdleTimeHistogram.RANGE) > 0) {
      throw new IllegalArgumentException("keepAliveBudget: " + keepAliveBudget + " (expected: 0 to " + IdleTimeHistogram.RANGE + ")");
    }
    criu = criu == null || criu.isBlank() ? "off" : criu.strip();
    security = security == null ? Security.DEFAULTS : security;
    if (keepRevisions < 1) {
      throw new IllegalArgumentException("keepRevisions: " + keepRevisions + " (expected: >= 1, the live revision)");
    }
  }

  /** Where the secrets' key is: {@code secretsKey}, else {@code <dataDir>/keys/secrets.key}. */
  public Path secretsKeyFile() {
    return secretsKey != null ? secretsKey : dataDir.resolve("keys").resolve("secrets.key");
  }

  public DaemonConfig withSecretsKey(Path file) {
    return toBuilder().secretsKey(file).build();
  }

  /** The default memory budget: {@link MemoryBudget#DEFAULT_SHARE_OF_MACHINE} of the machine's memory. */
  public static long defaultMemoryBudgetMb() {
    return MachineMemory.defaultBudgetMb(MachineMemory.totalMb(), MemoryBudget.DEFAULT_SHARE_OF_MACHINE);
  }

  /** A builder with every setting at its default but where things live. */
  public static Builder builder(Path dataDir, Path runnerJar) {
    return new Builder(dataDir, runnerJar);
  }

  /** Defaults for everything but where things live. */
  public static DaemonConfig defaults(Path dataDir, Path runnerJar) {
    return builder(dataDir, runnerJar).build();
  }

  /** A builder holding this config. */
  public Builder toBuilder() {
    return new Builder(dataDir, runnerJar).host(host).port(port).limits(limits).maxQueue(maxQueue).scalingTick(scalingTick).pool(pool)
        .async(async).scaling(scaling).memoryBudgetMb(memoryBudgetMb).keepAlive(keepAlive).criu(criu).security(security).keepRevisions(keepRevisions).keepAliveBudget(keepAliveBudget).secretsKey(secretsKey)
        .metricsHistory(metricsHistory).shared(shared);
  }

  public DaemonConfig withKeepRevisions(int n) {
    return toBuilder().keepRevisions(n).build();
  }

  public DaemonConfig withSecurity(Security s) {
    return toBuilder().security(s).build();
  }

  public DaemonConfig withPort(int p) {
    return toBuilder().port(p).build();
  }

  public DaemonConfig withLimits(PackageLimits l) {
    return toBuilder().limits(l).build();
  }

  public DaemonConfig withPool(WarmPool.Settings p) {
    return toBuilder().pool(p).build();
  }

  public DaemonConfig withAsync(AsyncDispatcher.Settings a) {
    return toBuilder().async(a).build();
  }

  public DaemonConfig withScalingTick(Duration t) {
    return toBuilder().scalingTick(t).build();
  }

  /** These scaling settings; their {@code maxQueue}, when set, becomes the config's. */
  public DaemonConfig withScaling(ScalingSettings s) {
    return toBuilder().scaling(s).maxQueue(s.maxQueue() != null ? s.maxQueue() : maxQueue).build();
  }

  public DaemonConfig withKeepAlive(KeepAlive k) {
    return toBuilder().keepAlive(k).build();
  }

  public DaemonConfig withKeepAliveBudget(Duration d) {
    return toBuilder().keepAliveBudget(d).build();
  }

  public DaemonConfig withCriu(String c) {
    return toBuilder().criu(c).build();
  }

  public DaemonConfig withMemoryBudgetMb(long mb) {
    return toBuilder().memoryBudgetMb(mb).build();
  }

  /** Builds a config; {@link #build()} validates it. */
  public static final class Builder {
    private final Path dataDir;
    private final Path runnerJar;
    private String host = "127.0.0.1";
    private int port = 8080;
    private PackageLimits limits = PackageLimits.defaults();
    private int maxQueue = ScalingSettings.DEFAULT_MAX_QUEUE;
    private Duration scalingTick = Duration.ofSeconds(1);
    private WarmPool.Settings pool = WarmPool.Settings.defaults();
    private AsyncDispatcher.Settings async = AsyncDispatcher.Settings.defaults();
    private ScalingSettings scaling = ScalingSettings.DEFAULTS;
    private Long memoryBudgetMb; // null: the machine's default, read only when needed
    private KeepAlive keepAlive = KeepAlive.HISTOGRAM;
    private Duration keepAliveBudget = KeepAlivePolicy.defaultBudget();
    private String criu = "off";
    private Security security = Security.DEFAULTS;
    private int keepRevisions = DEFAULT_KEEP_REVISIONS;
    private Path secretsKey;
    private boolean metricsHistory = true;
    private Shared shared;

    public Builder shared(Shared s) {
      shared = s;
      return this;
    }

    public Builder metricsHistory(boolean on) {
      metricsHistory = on;
      return this;
    }

    public Builder secretsKey(Path file) {
      secretsKey = file;
      return this;
    }

    private Builder(Path dataDir, Path runnerJar) {
      this.dataDir = dataDir;
      this.runnerJar = runnerJar;
    }

    public Builder keepRevisions(int n) {
      keepRevisions = n;
      return this;
    }

    public Builder security(Security s) {
      security = s;
      return this;
    }

    public Builder host(String h) {
      host = h;
      return this;
    }

    public Builder port(int p) {
      port = p;
      return this;
    }

    public Builder limits(PackageLimits l) {
      limits = l;
      return this;
    }

    public Builder maxQueue(int n) {
      maxQueue = n;
      return this;
    }

    public Builder scalingTick(Duration t) {
      scalingTick = t;
      return this;
    }

    public Builder pool(WarmPool.Settings p) {
      pool = p;
      return this;
    }

    public Builder async(AsyncDispatcher.Settings a) {
      async = a;
      return this;
    }

    /** The scaling settings of functions that set none; {@code maxQueue} is always {@link #maxQueue}'s. */
    public Builder scaling(ScalingSettings s) {
      scaling = s;
      return this;
    }

    public Builder memoryBudgetMb(long mb) {
      memoryBudgetMb = mb;
      return this;
    }

    public Builder keepAlive(KeepAlive k) {
      keepAlive = k;
      return this;
    }

    public Builder keepAliveBudget(Duration d) {
      keepAliveBudget = d;
      return this;
    }

    public Builder criu(String c) {
      criu = c;
      return this;
    }

    public DaemonConfig build() {
      return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, scalingTick, pool, async, scaling,
          memoryBudgetMb != null ? memoryBudgetMb : defaultMemoryBudgetMb(), keepAlive, criu, security, keepRevisions,
          keepAliveBudget, secretsKey, metricsHistory, shared);
    }
  }
}
