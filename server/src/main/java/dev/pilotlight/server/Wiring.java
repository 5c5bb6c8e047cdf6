package dev.pilotlight.server;

import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.MemoryBudget;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.activation.async.Scheduler;
import dev.pilotlight.activation.history.MetricsHistory;
import dev.pilotlight.activation.usage.UsageLedger;
import dev.pilotlight.activation.usage.UsageMeter;
import dev.pilotlight.autoscaler.DemandMeter;
import dev.pilotlight.autoscaler.IdleTimeHistogram;
import dev.pilotlight.autoscaler.IdleTimeTracker;
import dev.pilotlight.autoscaler.KeepAliveDecision;
import dev.pilotlight.autoscaler.KeepAliveIdlePolicy;
import dev.pilotlight.autoscaler.KeepAlivePrice;
import dev.pilotlight.autoscaler.ScaleTarget;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.autoscaler.ScalingDecision;
import dev.pilotlight.autoscaler.ScalingLoop;
import dev.pilotlight.cluster.ClusterLoop;
import dev.pilotlight.cluster.Membership;
import dev.pilotlight.cluster.Node;
import dev.pilotlight.cluster.NodeTable;
import dev.pilotlight.cluster.Placement;
import dev.pilotlight.executor.ExecutorConfig;
import dev.pilotlight.executor.ProcessExecutor;
import dev.pilotlight.gateway.ActivatorMeters;
import dev.pilotlight.gateway.AsyncDestinations;
import dev.pilotlight.gateway.ControlApi;
import dev.pilotlight.gateway.ErrorResponses;
import dev.pilotlight.gateway.Forwarding;
import dev.pilotlight.gateway.FunctionInvoker;
import dev.pilotlight.gateway.FunctionStats;
import dev.pilotlight.gateway.GatewayConfig;
import dev.pilotlight.gateway.GatewayHandler;
import dev.pilotlight.gateway.GatewayServer;
import dev.pilotlight.gateway.InstanceMeters;
import dev.pilotlight.gateway.InvokerEventRunner;
import dev.pilotlight.gateway.KeepAliveView;
import dev.pilotlight.gateway.LambdaApi;
import dev.pilotlight.gateway.Routing;
import dev.pilotlight.gateway.SourceMeters;
import dev.pilotlight.gateway.auth.BrowserGuard;
import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.gateway.auth.Gatekeeper;
import dev.pilotlight.gateway.auth.SigV4Verifier;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.NodeConcurrency;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Usage;
import dev.pilotlight.model.auth.CredentialStore;
import dev.pilotlight.model.auth.UrlAuth;
import dev.pilotlight.model.io.IoThreads;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import dev.pilotlight.sources.EventInvoker;
import dev.pilotlight.sources.EventSources;
import dev.pilotlight.sources.RabbitPublisher;
import dev.pilotlight.store.ArtifactStore;
import dev.pilotlight.store.AsyncQueue;
import dev.pilotlight.store.ClusterTables;
import dev.pilotlight.store.LogStore;
import dev.pilotlight.store.MetricsStore;
import dev.pilotlight.store.PostgresDatabase;
import dev.pilotlight.store.Registry;
import dev.pilotlight.store.SecretStore;
import dev.pilotlight.store.SqlCredentialStore;
import dev.pilotlight.store.UsageStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/** Builds the daemon's object graph in plain sight. No decisions live here. */
public final class Wiring {
  private static final System.Logger LOG = System.getLogger(Wiring.class.getName());

  /** Platform threads for the APIs' blocking work; idle ones end after 30 s. */
  private static final int MANAGEMENT_THREADS = 16;
  /** Requests waiting for one of those threads before further ones get 503. */
  private static final int MANAGEMENT_QUEUE = 1024;
  /** How far a SigV4 request's date may be from the daemon's clock, as on AWS. */
  private static final Duration SIGNATURE_SKEW = Duration.ofMinutes(15);

  private Wiring() {}

  public static Daemon start(DaemonConfig config) {
    InstantSource clock = InstantSource.system();
    // A bad setting stops the start before anything is opened.
    boolean warmUp = DataPathWarmUp.enabled(System.getenv("PILOTLIGHT_WARM_UP"));
    Path data = config.dataDir();
    try {
      Files.createDirectories(data);
      // Only the daemon's user may enter it: it holds every function's code and environment and the credentials.
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data dir " + data, e);
    }

    // What daemons share: the SQLite files of this machine, or one PostgreSQL database (serve --database).
    PostgresDatabase shared = config.shared() == null ? null : PostgresDatabase.open(config.shared().database());
    Registry registry;
    AsyncQueue events;
    ArtifactStore artifacts;
    UsageStore usageStore;
    CredentialStore credentialStore;
    SecretStore secretStore;
    try {
      if (shared == null) {
        registry = Registry.open(data.resolve("registry.db"));
        events = AsyncQueue.open(data.resolve("events.db"));
        artifacts = ArtifactStore.open(data.resolve("artifacts"), config.limits());
        usageStore = UsageStore.open(data.resolve("usage.db"));
        credentialStore = SqlCredentialStore.open(data.resolve("credentials.db"));
        // Secrets: sealed in secrets.db under a key kept in a file of its own (keys/secrets.key unless configured elsewhere).
        secretStore = SecretStore.open(data.resolve("secrets.db"), config.secretsKeyFile());
      } else {
        // Packages are kept in the database and unpacked into this daemon's own data dir as needed,
        // so a revision's code is wherever this daemon unpacks its SHA-256.
        artifacts = ArtifactStore.open(data.resolve("artifacts"), config.limits(), shared, clock);
        registry = Registry.open(shared, artifacts::codeDir);
        events = AsyncQueue.open(shared, config.shared().nodeId());
        usageStore = UsageStore.open(shared);
        credentialStore = SqlCredentialStore.open(shared);
        // every daemon needs the same key file: none is made here
        secretStore = SecretStore.open(shared, config.secretsKeyFile());
      }
    } catch (RuntimeException e) {
      if (shared != null) {
        shared.close();
      }
      throw e;
    }
    LogStore logs = LogStore.open(data.resolve("logs"));
    // The console's per-minute history, in a file of its own (none when it is off); per daemon, also with a shared database.
    MetricsStore metricsStore = config.metricsHistory() ? MetricsStore.open(data.resolve("metrics.db")) : null;
    Credentials credentials = new Credentials(credentialStore, clock);
    AdminToken.ensure(data.resolve(AdminToken.FILE), credentials);

    // One group accepts and serves (an accepted connection stays on the loop that took it).
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(IoThreads.fromEnvironment(), NioIoHandler.newFactory());
    // Management work (SQLite through JNI, unzipping, fsync) runs on platform threads: a virtual
    // thread blocked in native code holds its carrier, and a few of them starve every other
    // virtual thread. Bounded: past the threads and the queue a request gets 503 (BlockingWork).
    ThreadPoolExecutor blocking = new ThreadPoolExecutor(MANAGEMENT_THREADS, MANAGEMENT_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(MANAGEMENT_QUEUE), Thread.ofPlatform().daemon().name("management-", 0).factory());
    blocking.allowCoreThreadTimeOut(true);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    // What a start that fails from here on closes (with whatever it built after).
    Runnable closeStores = () -> {
      events.close();
      registry.close();
      usageStore.close();
      if (metricsStore != null) {
        metricsStore.close();
      }
      credentialStore.close();
      secretStore.close();
      if (shared != null) {
        shared.close();
      }
      logs.close();
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    };
    RuntimeApiServer runtimeApi = RuntimeApiServer.create(workers);
    Path javaHome = Path.of(System.getProperty("java.home"));
    // One owner of the node's memory, built first: the pool asks it before starting a runner and
    // is counted by it once the executor that holds the pool exists.
    MemoryBudget capacity = new MemoryBudget(config.memoryBudgetMb());
    ProcessExecutor executor = ProcessExecutor.create(ExecutorConfig.defaults(javaHome, config.runnerJar()), runtimeApi, logs::append,
        config.pool(), data, clock, capacity::fits, config.criu());
    if (config.security().requireSandbox() && !executor.sandboxed()) {
      executor.close();
      runtimeApi.close();
      closeStores.run();
      throw new IllegalArgumentException("--require-sandbox: instances here would not get every protection (sandbox: "
          + executor.isolation() + "; limits: " + executor.limits() + "); see docs/security.md");
    }
    capacity.countPool(executor.pool()::reservedMemoryMb);
    // Each function's own key and the daemon's endpoint in its instances' environment (the endpoint once it listens).
    FunctionKeys functionKeys = new FunctionKeys(credentials, config.security().authRequired(), blocking);
    executor.credentials(functionKeys);

    metrics.gauge("pilotlight.pool.runners", executor.pool(), p -> p.size());
    metrics.gauge("pilotlight.pool.reserved.memory.mb", executor.pool(), p -> p.reservedMemoryMb());
    HttpProxy proxy = new HttpProxy(workers);
    // Keep-alive: each function's idle-time rhythm, learned across restarts, decides the scale-to-zero edge.
    IdleTimeTracker rhythms = new IdleTimeTracker();
    usageStore.rhythms().forEach((name, r) -> restoreRhythm(rhythms, name, r));
    KeepAliveIdlePolicy keepAlive = KeepAliveIdlePolicy.withDefault(rhythms, config.keepAlive(), config.keepAliveBudget());
    // One price of a cold start for every function in histogram mode, recomputed by the scaling loop once a minute.
    metrics.gauge("pilotlight.keepalive.coldstart.price.gb.seconds", keepAlive.price(),
        p -> p.unlimited() ? Double.POSITIVE_INFINITY : p.gbSeconds());
    // Its account: idle memory held less (+) or more (-) than the fixed keep-alive of the budget would have.
    metrics.gauge("pilotlight.keepalive.balance.gb.seconds", keepAlive.price(), KeepAlivePrice::balanceGbSeconds);
    // Demand reaches the autoscaler one way: the pools report it here, for the loop's samples and the rhythms.
    DemandMeter demand = new DemandMeter(rhythms);
    UsageMeter usage = new UsageMeter(new UsageOnStore(usageStore), clock);
    MetricsHistory history = new MetricsHistory(metricsStore != null ? new HistoryOnStore(metricsStore) : MetricsHistory.Ledger.NONE, clock,
        metricsStore != null);
    ScalingDecider decider = new ScalingDecider(keepAlive);
    Activator activator = new Activator(executor::launch, decider::instancesToStart,
        ActivationEvents.all(new LifecycleLog(logs, proxy), new InstanceMeters(metrics), new RhythmAndUsage(demand, usage, logs),
            new HistoryEvents(history)), clock,
        new Activator.Settings(config.maxQueue(), config.scaling().maxQueueWait()), capacity);

    ScalingLoop scaling = new ScalingLoop(new ScaleTarget() {
      @Override
      public List<PoolSnapshot> snapshots() {
        List<PoolSnapshot> pools = activator.snapshots();
        sampleInstances(history, pools);
        return pools;
      }

      @Override
      public void startInstances(String function, int count) {
        activator.startInstances(function, count);
      }

      @Override
      public boolean drain(String function, String instanceId) {
        return activator.drain(function, instanceId);
      }

      @Override
      public void prewarm(String function) {
        activator.prewarm(function);
      }

      @Override
      public void decided(String function, ScalingDecision decision) {
        activator.decided(function, decision.desired(), decision.panicking());
      }
    }, decider, clock, config.scaling(), demand);

    FunctionStats stats = new FunctionStats();
    ControlPlaneService control = new ControlPlaneService(new ControlPlaneService.Stores(registry, artifacts, logs, events), activator,
        executor::prepare, clock, usage, spec -> keepAliveView(spec, config.keepAlive(), keepAlive, rhythms), name -> {
          rhythms.forget(name);
          history.forget(name);
          executor.forgetPreparation(name);
          functionKeys.revoke(name);
        }, stats,
        config.keepRevisions());
    control.onDeploy(d -> functionKeys.ensure(d.name()));
    SecretsService secrets = new SecretsService(secretStore, control, activator, logs, clock);
    control.secretsExist(secrets::exists);
    executor.secrets(secrets);
    control.reservations(new NodeConcurrency(capacity.limitMb()));
    // Several daemons sharing the database: the change feed is noted before the registry is read.
    AtomicReference<String> advertised = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean drainingNow = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicReference<Runnable> requeued = new AtomicReference<>(() -> {}); // the async dispatcher's wake, once it exists
    ClusterLoop cluster = shared == null ? null : clusterLoop(config.shared(), shared, advertised::get, drainingNow::get, activator, capacity, events, control,
        credentials, () -> requeued.get().run(), clock);
    control.restore();
    FunctionInvoker invoker = new FunctionInvoker(activator, proxy, stats, logs::append, metrics, clock, usage).routing(control.router())
        .history(history);
    AsyncDispatcher async = AsyncDispatcher.create(events, new InvokerEventRunner(invoker),
        // an event of NAME:QUALIFIER (an Invoke with a qualifier) is the function's: its settings, its log
        name -> control.find(Routing.functionOf(name)).map(Deployment::spec),
        (name, requestId, line) -> logs.append(Routing.functionOf(name), "-", requestId, line),
        config.async(), clock);
    requeued.set(async::queued);
    // destinations of asynchronous invocations: another function's queue, or a RabbitMQ queue
    RabbitPublisher publisher = new RabbitPublisher();
    async.destinations(new AsyncDestinations(events, name -> control.find(Routing.functionOf(name)).map(Deployment::spec), async::queued,
        publisher::publish));
    // schedules' ticks go to the same queue, stored with the schedule's progress (ScheduleStore#fire)
    Scheduler scheduler = new Scheduler(events, async::queued,
        (name, requestId, line) -> logs.append(name, "-", requestId, line), clock);
    control.scheduleSync(scheduler::replace);
    // event source mappings: pollers in the daemon, each batch a synchronous invoke of the function
    EventSources sources = new EventSources(events, (name, requestId, payload) -> invoker.invokeEvent(name, requestId, payload)
        .handle((r, t) -> t != null ? new EventInvoker.Outcome(ErrorResponses.unwrap(t).getMessage())
            : r.failure() != null ? new EventInvoker.Outcome(r.failure().getMessage())
            : r.response().isError() ? new EventInvoker.Outcome(r.response().errorType() + ": "
                + new String(r.response().payload(), java.nio.charset.StandardCharsets.UTF_8))
            : EventInvoker.Outcome.OK),
        clock, (name, line) -> logs.append(name, "-", null, line));
    control.eventSync(sources::sync);
    if (cluster != null) {
      // each mapping is polled by one daemon: its function's home (no load bound: pollers stay put while loads move)
      sources.runsHere(m -> isHome(cluster, m.function()));
    }
    ActivatorMeters activatorMeters = new ActivatorMeters(activator, metrics);
    SourceMeters sourceMeters = new SourceMeters(metrics, sources);
    DaemonConfig.Security security = config.security();
    Gatekeeper gatekeeper = new Gatekeeper(credentials, new SigV4Verifier(credentials::key, clock, SIGNATURE_SKEW),
        new BrowserGuard(security.allowedHosts(), security.allowedOrigins()), security.authRequired(),
        // a function's URL auth is its latest revision's, whichever revision a call runs
        name -> control.find(name).map(d -> UrlAuth.parse(d.spec().auth())),
        // a function's own key acts for its role, which may call only what resource policies allow
        key -> Optional.ofNullable(FunctionKeys.functionOf(key.description()))
            .map(fn -> FunctionKeys.principal(fn, control.find(fn).map(d -> d.spec().role()).orElse(null))),
        name -> control.find(name).map(d -> d.spec().permissions().values()));
    List<String> health = healthLines(protections(security, executor.limits(), executor.isolation()), executor.runtimes());
    if (shared != null) {
      health.add("shared state: postgresql " + shared.where() + ", node " + config.shared().nodeId());
    }
    Instant startedAt = clock.instant();
    GatewayHandler router = new GatewayHandler(invoker::serveUrl, invoker.streamedUrls(),
        new ControlApi(control, activator, stats, invoker, async, blocking, config.host(), credentials).schedules(scheduler).eventSources(sources)
            .preparations(executor::preparation).secrets(secrets).history(history)
            .node(() -> withCluster(nodeView(capacity, activator.snapshots(), control.list().size(), health, startedAt, history.on()),
                cluster))
            .idleTimes(name -> idleTimesView(rhythms.histogram(name)))::handle,
        new LambdaApi(activator, invoker, async, control, blocking, new NodeConcurrency(capacity.limitMb())).eventSources(sources)::handle,
        () -> {
          activatorMeters.refresh();
          sourceMeters.refresh();
          return metrics.scrape();
        }, gatekeeper, health);
    // what a call of a function's URL may declare, checked before its body is read: a Lambda-style
    // function's event is at most 6 MB; an http app's body (aggregated only for aws_iam) the port's limit
    router.urlBodyLimit(name -> control.find(name).map(d -> d.spec().runtime().lambdaStyle() ? (long) FunctionInvoker.MAX_SYNC_PAYLOAD
        : Long.MAX_VALUE).orElse(GatewayHandler.NO_SUCH_FUNCTION));
    GatewayServer gateway;
    try {
      gateway = GatewayServer.start(new GatewayConfig(config.host(), config.port(),
          (int) Math.min(Integer.MAX_VALUE - 1, config.limits().largestUploadRequestBytes()), tls(security),
          GatewayConfig.DEFAULT_IDLE_TIMEOUT, GatewayConfig.DEFAULT_BODY_TIMEOUT), workers, workers, router);
    } catch (RuntimeException e) {
      proxy.close();
      activator.shutdown();
      executor.close();
      closeStores.run();
      throw e;
    }
    functionKeys.endpoint(instanceEndpoint(config.host(), gateway.port(), security.tls()));
    // Several daemons sharing the database: heartbeats, who is alive, lost nodes' claims, others' changes, forwarding.
    if (cluster != null) {
      advertised.set(config.shared().advertise() != null ? config.shared().advertise() : advertisedHost(config.host()) + ":" + gateway.port());
      startCluster(cluster, config.shared(), shared, router, proxy);
    }
    scaling.start(config.scalingTick());
    async.start();
    // a schedule whose function is gone (removed while its schedules were being written) goes too
    scheduler.retain(sched -> control.find(sched.function()).isPresent());
    scheduler.start();
    sources.start();
    RolloutRunner rollouts = new RolloutRunner(control, activator, invoker.revisionCalls(), clock);
    control.onRollout(rollouts::wake);
    rollouts.start();
    // Usage and learned rhythms reach usage.db once a second: a crash loses at most that much.
    ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("usage-saver").factory());
    Runnable save = () -> {
      try {
        usage.flush();
        history.flush();
        IdleTimeTracker.Changes c = rhythms.takeChanges();
        Map<String, UsageStore.Rhythm> changed = new LinkedHashMap<>();
        c.changed().forEach((name, r) -> changed.put(name, new UsageStore.Rhythm(r.histogram(), r.idleSince())));
        usageStore.saveRhythms(changed, c.forgotten());
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "usage saver: " + e);
      }
    };
    saver.scheduleWithFixedDelay(save, 1, 1, TimeUnit.SECONDS);
    // Minutes past the history's 7 days go once an hour.
    saver.scheduleWithFixedDelay(() -> {
      try {
        history.prune();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "metrics history: pruning failed: " + e);
      }
    }, 1, 60, TimeUnit.MINUTES);
    // The data path runs once now, so that the JIT has compiled it before the first cold start (see DataPathWarmUp).
    AtomicBoolean closing = new AtomicBoolean();
    if (warmUp) {
      new DataPathWarmUp(runtimeApi, security.tls() ? null : new InetSocketAddress(localHost(config.host()), gateway.port()), DataPathWarmUp.calls(),
          () -> !closing.get()).start();
    }

    return new Daemon() {
      private boolean closed;

      @Override
      public int port() {
        return gateway.port();
      }

      @Override
      public void drain(Duration limit) {
        long start = System.nanoTime();
        router.drain();
        if (cluster != null) {
          // the others stop sending it calls at once, not at the next heartbeat
          drainingNow.set(true);
          try {
            cluster.tick();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster: could not say this node is draining: " + e.getMessage());
          }
        }
        scheduler.close(); // another node, or the next start, fires what falls due now
        sources.close(); // a batch not acknowledged yet is delivered again by the broker
        async.stopClaiming();
        LOG.log(System.Logger.Level.INFO, "pilotlight: draining (stopping): /healthz answers 503 and new requests are refused; "
            + router.inFlight() + " request(s) and " + async.inFlight() + " async event(s) in flight, waited for up to "
            + limit.toMillis() + " ms");
        long deadline = start + limit.toNanos();
        // Polled: the drain runs once per process, and a 50 ms step is short beside a probe's period.
        int cut;
        while (((cut = router.inFlight()) > 0 || async.inFlight() > 0) && System.nanoTime() - deadline < 0) {
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        int handedBack = async.handBack();
        LOG.log(System.Logger.Level.INFO, "pilotlight: drained in " + (System.nanoTime() - start) / 1_000_000 + " ms"
            + (cut > 0 ? "; " + cut + " request(s) still in flight are cut off" : "; no request in flight")
            + (handedBack > 0 ? "; " + handedBack + " async event(s) still running went back to the queue" : ""));
      }

      @Override
      public synchronized void close() {
        if (closed) {
          return;
        }
        closed = true;
        closing.set(true);
        scheduler.close(); // a due time not fired yet fires after the next start (or is missed: see Scheduler)
        sources.close(); // a batch not acknowledged yet is delivered again by the broker
        async.close(); // events still running stay claimed in the queue and run after the next start
        publisher.close();
        rollouts.close(); // a rollout under way goes on from its stored step after the next start
        if (cluster != null) {
          cluster.close(); // its heartbeat stops: the others count it gone within seconds
        }
        gateway.close();
        proxy.close();
        scaling.close();
        activator.shutdown();
        saver.shutdownNow();
        save.run(); // after the instances stopped: their last idle time is counted
        executor.close();
        blocking.shutdownNow();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        events.close();
        registry.close();
        usageStore.close();
        if (metricsStore != null) {
          metricsStore.close();
        }
        credentialStore.close();
        secretStore.close();
        if (shared != null) {
          shared.close();
        }
        logs.close();
      }
    };
  }

  /**
   * Starts this daemon's part in a cluster: its heartbeat and view of the others
   * ({@link ClusterLoop}), the hand-back of what lost nodes had claimed, the refresh of functions
   * others changed, the reload of credentials, and forwarding to where a function's calls belong.
   */
  private static ClusterLoop clusterLoop(DaemonConfig.Shared config, PostgresDatabase database, java.util.function.Supplier<String> address,
      java.util.function.BooleanSupplier draining, Activator activator, MemoryBudget capacity, AsyncQueue events, ControlPlaneService control, Credentials credentials,
      Runnable requeued, InstantSource clock) {
    ClusterTables tables = ClusterTables.open(database);
    String self = config.nodeId();
    NodeTable table = new NodeTable() {
      @Override
      public Beat beat(String id, String addr, boolean draining, int inFlight, int memoryPercent) {
        ClusterTables.Beat b = tables.beat(id, addr, draining, inFlight, memoryPercent);
        return new Beat(Instant.ofEpochMilli(b.nowMs()), b.rows().stream()
            .map(r -> new Node(r.id(), r.address(), Instant.ofEpochMilli(r.heartbeatAtMs()), r.draining(), r.inFlight(), r.memoryPercent()))
            .toList());
      }

      @Override
      public Instant now() {
        return Instant.ofEpochMilli(tables.nowMs());
      }

      @Override
      public void forget(Set<String> ids) {
        tables.forget(ids);
      }

      @Override
      public Map<String, Long> changedSince(Instant since) {
        return tables.changedSince(since.toEpochMilli());
      }
    };
    ClusterLoop loop = new ClusterLoop(self, address, table, new Membership(Membership.DEFAULT_TIMEOUT), new ClusterLoop.Peers() {
      @Override
      public void gone(Set<String> nodes) {
        int n = events.requeueClaimsOf(nodes, clock.instant());
        if (n > 0) {
          requeued.run(); // run them now, not at the dispatcher's next idle poll
          LOG.log(System.Logger.Level.WARNING, "cluster: " + n + " async event(s) claimed by " + nodes + " (gone) queued again");
        }
      }

      @Override
      public void changed(Set<String> functions) {
        for (String f : functions) {
          try {
            control.refresh(f);
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster: function " + f + " changed elsewhere; not brought up to date here: " + e);
          }
        }
      }

      @Override
      public void synced() {
        credentials.reload();
      }
    }, () -> activator.snapshots().stream().mapToInt(PoolSnapshot::inFlight).sum(),
        () -> (int) (100 * capacity.usedMb() / Math.max(1, capacity.limitMb())), draining);
    loop.seed();
    return loop;
  }

  /** Starts {@code loop} and forwards calls to where their functions belong. */
  private static void startCluster(ClusterLoop loop, DaemonConfig.Shared config, PostgresDatabase database, GatewayHandler router,
      HttpProxy proxy) {
    String self = config.nodeId();
    loop.start(ClusterLoop.DEFAULT_PERIOD);
    Placement placement = new Placement(Placement.DEFAULT_BOUND);
    Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    // each function's daemon, decided once per view (a second) rather than per call
    AtomicReference<Map.Entry<Membership.View, Map<String, Optional<InetSocketAddress>>>> decided =
        new AtomicReference<>(Map.entry(loop.view(), new ConcurrentHashMap<>()));
    Forwarding forwarding = new Forwarding(self, proxy, function -> {
      Membership.View view = loop.view();
      if (!loop.healthy() || !view.isLive(self)) {
        return null; // cut off from the others: serve what comes here
      }
      var d = decided.get();
      if (d.getKey() != view) {
        d = Map.entry(view, new ConcurrentHashMap<>());
        decided.set(d);
      }
      return d.getValue().computeIfAbsent(function, f -> placement.choose(f, view.serving()).filter(to -> !to.id().equals(self))
          .map(to -> addresses.computeIfAbsent(to.address(), Wiring::socketAddress))).orElse(null);
    });
    router.forwarding(forwarding);
    // calls forwarded to a daemon that is then counted gone end at once, not at their timeout
    loop.afterStep(() -> {
      Set<String> live = new java.util.HashSet<>();
      loop.view().live().forEach(n -> live.add(n.address()));
      List<InetSocketAddress> gone = new ArrayList<>();
      addresses.forEach((address, socket) -> {
        if (!live.contains(address) && addresses.remove(address, socket)) {
          gone.add(socket);
        }
      });
      forwarding.gone(gone);
    });
    LOG.log(System.Logger.Level.INFO, "cluster: node " + self + ", shared state in postgresql " + database.where());
  }

  /**
   * Whether this daemon is {@code function}'s home: the first of the serving daemons in its
   * rendezvous order; also when this daemon cannot see the others (it serves what reaches it).
   */
  static boolean isHome(ClusterLoop cluster, String function) {
    Membership.View view = cluster.view();
    if (!cluster.healthy() || !view.isLive(cluster.self()) || view.serving().isEmpty()) {
      return true;
    }
    return Placement.order(function, view.serving()).getFirst().id().equals(cluster.self());
  }

  /** {@code node} with this daemon's view of the cluster, when it shares a database with others. */
  static Map<String, Object> withCluster(Map<String, Object> node, ClusterLoop cluster) {
    if (cluster == null) {
      return node;
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("node", cluster.self());
    c.put("healthy", cluster.healthy());
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (Node n : cluster.view().live()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("id", n.id());
      one.put("address", n.address());
      one.put("draining", n.draining());
      one.put("inFlight", n.inFlight());
      one.put("memoryPercent", n.memoryPercent());
      one.put("heartbeatAt", n.heartbeatAt().toString());
      nodes.add(one);
    }
    c.put("nodes", nodes);
    c.put("gone", List.copyOf(cluster.view().gone()));
    Map<String, Object> out = new LinkedHashMap<>(node);
    out.put("cluster", c);
    return out;
  }

  /** {@code host:port} (or {@code [v6]:port}) as a socket address, resolved once. */
  static InetSocketAddress socketAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String h = hostPort.substring(0, colon);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return new InetSocketAddress(h, Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The address other daemons reach this one at when none is given: {@code --host}, unless it is a wildcard. */
  static String advertisedHost(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
      return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("--advertise: not given, --host is " + host + " and this machine's address is unknown ("
          + e.getMessage() + "); give --advertise HOST:PORT");
    }
  }

  /** {@code /healthz}'s lines: the protections, then what each runtime family runs on (logged at start too). */
  static List<String> healthLines(List<String> protections, String runtimes) {
    LOG.log(System.Logger.Level.INFO, "pilotlight: runtimes: " + runtimes);
    List<String> lines = new ArrayList<>(protections);
    lines.add("runtimes: " + runtimes);
    return lines;
  }

  /**
   * Which protections this daemon has, said once at start and on every {@code /healthz}: what an
   * operator (or a probe) checks before exposing it.
   */
  static List<String> protections(DaemonConfig.Security security, String limits, String isolation) {
    List<String> lines = List.of(
        "auth: " + (security.authRequired() ? "on" : "OFF (--insecure-no-auth)"),
        "tls: " + (security.tls() ? "on" : "off"),
        "instance limits: " + limits,
        "instance isolation: " + isolation);
    LOG.log(System.Logger.Level.INFO, "pilotlight: protections: " + String.join("; ", lines));
    return lines;
  }

  /** Where a process on this machine reaches the daemon listening on {@code host}: the host, or loopback when it is a wildcard. */
  static String localHost(String host) {
    return host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
  }

  /**
   * The daemon's URL as its instances reach it: they share the host's network, so the listen
   * address, or loopback when it listens on every address. With TLS, https: an SDK then needs the
   * certificate trusted ({@code AWS_CA_BUNDLE}, docs/security.md).
   */
  static String instanceEndpoint(String host, int port, boolean tls) {
    String h = localHost(host);
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return (tls ? "https://" : "http://") + h + ":" + port;
  }

  /** The server's TLS context from the PEM files given, or null for plain HTTP. */
  private static SslContext tls(DaemonConfig.Security security) {
    if (!security.tls()) {
      return null;
    }
    try {
      return SslContextBuilder.forServer(security.tlsCert().toFile(), security.tlsKey().toFile())
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE, ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use --tls-cert " + security.tlsCert() + " and --tls-key " + security.tlsKey()
          + " (expected PEM files: a certificate chain and its PKCS#8 private key): " + e.getMessage(), e);
    }
  }

  private static KeepAliveView keepAliveView(FunctionSpec spec, KeepAlive daemonDefault, KeepAliveIdlePolicy policy, IdleTimeTracker rhythms) {
    KeepAliveDecision d = policy.decision(spec);
    KeepAlive mode = KeepAliveIdlePolicy.modeOf(spec, daemonDefault);
    // the shared price, for the functions it prices (an infinite one limits nothing: shown as none)
    boolean priced = mode == KeepAlive.HISTOGRAM && policy.price() != null;
    Double price = priced && !policy.price().unlimited() ? policy.price().gbSeconds() : null;
    return new KeepAliveView(mode.id(), d.basis(), d.prewarmAfter(), d.keepUntil(), rhythms.idleTimes(spec.name()),
        Math.max(0, rhythms.levels(spec.name()) - 1), price, priced ? policy.price().balanceGbSeconds() : null);
  }

  /** Puts back a persisted rhythm; a damaged one is dropped (the function learns again) rather than failing the start. */
  private static void restoreRhythm(IdleTimeTracker rhythms, String name, UsageStore.Rhythm r) {
    try {
      rhythms.restore(name, new IdleTimeTracker.Saved(r.histogram(), r.idleSince()));
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, "keep-alive: dropping the damaged rhythm of '" + name + "': " + e.getMessage());
    }
  }

  /**
   * {@code GET /api/v1/functions/NAME/idle-times}: the learned idle times between a function's calls (its zero ↔ one
   * histogram, the one its keep-alive window is chosen from), per minute up to the last bin used.
   */
  static Map<String, Object> idleTimesView(IdleTimeHistogram h) {
    int last = -1;
    for (int i = 0; i < IdleTimeHistogram.BINS; i++) {
      if (h.count(i) > 0) {
        last = i;
      }
    }
    List<Integer> perMinute = new ArrayList<>();
    for (int i = 0; i <= last; i++) {
      perMinute.add(h.count(i));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("binSeconds", IdleTimeHistogram.BIN.toSeconds());
    m.put("perMinute", perMinute);
    m.put("longer", h.outOfRange());
    m.put("total", h.total());
    return m;
  }

  /** {@code GET /api/v1/node}: what the console's overview shows of the node. */
  static Map<String, Object> nodeView(MemoryBudget capacity, List<PoolSnapshot> pools, int functions, List<String> health, Instant startedAt,
      boolean history) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("startedAt", startedAt.toString());
    m.put("functions", functions);
    m.put("instances", pools.stream().mapToInt(p -> p.ready() + p.starting()).sum());
    m.put("inFlight", pools.stream().mapToInt(PoolSnapshot::inFlight).sum());
    m.put("memoryBudgetMb", capacity.limitMb());
    m.put("memoryUsedMb", capacity.usedMb());
    m.put("instancesMemoryMb", capacity.instancesMb());
    m.put("poolMemoryMb", capacity.poolMb());
    m.put("metricsHistory", history);
    m.put("protections", health);
    return m;
  }

  /** Each function's instances now, summed over its pools, for the history's per-minute high-water marks. */
  static void sampleInstances(MetricsHistory history, List<PoolSnapshot> pools) {
    if (!history.on()) {
      return;
    }
    Map<String, int[]> byFunction = new HashMap<>();
    for (PoolSnapshot p : pools) {
      if (p.ready() == 0 && p.starting() == 0) {
        continue; // nothing to record (most of a node's functions, every second)
      }
      int[] n = byFunction.computeIfAbsent(p.spec().name(), k -> new int[2]);
      n[0] += p.ready();
      n[1] += p.starting();
    }
    byFunction.forEach((function, n) -> history.instances(function, n[0], n[1]));
  }

  /** The store's metrics.db as the history's {@link MetricsHistory.Ledger}. */
  private record HistoryOnStore(MetricsStore store) implements MetricsHistory.Ledger {
    @Override
    public Map<String, byte[]> minute(long minute) {
      return store.minute(minute);
    }

    @Override
    public void put(Map<String, Map<Long, byte[]>> samples) {
      store.put(samples);
    }

    @Override
    public NavigableMap<Long, byte[]> range(String function, long from, long to) {
      return store.range(function, from, to);
    }

    @Override
    public void forget(String function) {
      store.forget(function);
    }

    @Override
    public void prune(long minute) {
      store.prune(minute);
    }
  }

  /** Tells the history when instances come and go, how busy each function is, its idle memory and its pre-warms. */
  private record HistoryEvents(MetricsHistory history) implements ActivationEvents {
    @Override
    public void instanceReady(Instance instance) {
      history.scaled(instance.deployment().name(), true);
    }

    @Override
    public void instanceGone(Instance instance, String reason) {
      history.scaled(instance.deployment().name(), false);
    }

    @Override
    public void functionDemand(String function, int requests, int instances, Instant now) {
      history.demand(function, requests);
    }

    @Override
    public void instanceIdle(Instance instance, Duration idle, boolean prewarm) {
      history.idle(instance.deployment().name(), instance.deployment().spec().memoryMb(), idle);
    }

    @Override
    public void prewarmStarted(String function) {
      history.prewarmed(function);
    }
  }

  /** The store's usage.db as the meter's {@link UsageLedger}. */
  private record UsageOnStore(UsageStore store) implements UsageLedger {
    @Override
    public void add(Map<String, Map<Instant, Usage>> byFunctionAndHour) {
      store.add(byFunctionAndHour);
    }

    @Override
    public Usage total(String function, Instant since) {
      return store.total(function, since);
    }

    @Override
    public void forget(String function) {
      store.forget(function);
    }
  }

  /**
   * Tells the autoscaler's demand meter each function's demand as it changes, and the usage meter how long
   * instances were held idle and when one was pre-warmed (which the function's log also says).
   */
  private record RhythmAndUsage(DemandMeter demand, UsageMeter usage, LogStore logs) implements ActivationEvents {
    @Override
    public void instanceReady(Instance instance) {}

    @Override
    public void instanceFailedToStart(String function, Throwable error) {}

    @Override
    public void instanceGone(Instance instance, String reason) {}

    @Override
    public void functionDemand(String function, int requests, int instances, Instant now) {
      demand.demand(function, requests, instances, now);
    }

    @Override
    public void instanceIdle(Instance instance, Duration idle, boolean prewarm) {
      usage.idle(instance.deployment().name(), instance.deployment().spec().memoryMb(), idle, prewarm);
    }

    @Override
    public void prewarmStarted(String function) {
      usage.prewarmed(function);
      logs.append(function, "-", null, "PREWARM starting an instance: the keep-alive policy expects a call soon");
    }
  }

  /** {@code nanos} in milliseconds with one decimal, rounded half up: what {@code %.1f} gives, without a formatter. */
  static String tenths(long nanos) {
    long t = Math.round(nanos / 100_000.0);
    return t / 10 + "." + t % 10;
  }

  /** Writes instance lifecycle events to the function's log and forgets proxy connections to gone instances. */
  private record LifecycleLog(LogStore logs, HttpProxy proxy) implements ActivationEvents {
    @Override
    public void instanceReady(Instance i) {
      // Concatenated, not String.format: this runs on every cold start's path, where the formatter's
      // code is still interpreted (~0.2 ms there).
      logs.append(i.deployment().name(), i.id(), null, "INSTANCE ready: revision " + i.deployment().revision() + ", launch "
          + i.launchStrategy() + ", init " + tenths(i.initDuration().toNanos()) + " ms");
    }

    @Override
    public void instanceFailedToStart(String function, Throwable error) {
      logs.append(function, "-", null, "INSTANCE failed to start: " + error.getMessage());
    }

    @Override
    public void instanceGone(Instance i, String reason) {
      if (i.httpAddress() != null) {
        proxy.forget(i.httpAddress());
      }
      logs.append(i.deployment().name(), i.id(), null, "INSTANCE gone: " + reason);
    }

    @Override
    public void instanceEvicted(Instance i, String forFunction) {
      logs.append(i.deployment().name(), i.id(), null, "INSTANCE evicted: stopped while idle to free " + i.deployment().spec().memoryMb()
          + " MB of the node's memory budget for '" + forFunction + "'");
    }
  }
}
