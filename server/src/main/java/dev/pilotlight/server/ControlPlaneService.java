package dev.pilotlight.server;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.usage.UsageMeter;
import dev.pilotlight.gateway.ControlPlane;
import dev.pilotlight.gateway.FunctionStats;
import dev.pilotlight.gateway.KeepAliveView;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.release.Alias;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Traffic;
import dev.pilotlight.store.ArtifactStore;
import dev.pilotlight.store.LogStore;
import dev.pilotlight.store.Manifest;
import dev.pilotlight.store.Registry;
import dev.pilotlight.store.StoredPackage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Keeps the durable side (artifacts, registry, logs, queued events) and the live side (the
 * activator) in step, and is the one place a function is removed. A deploy is acknowledged only
 * after the registry committed it; deploys and removals are serialised, so artifact clean-up never
 * races a deploy that has stored code but not yet recorded it.
 */
final class ControlPlaneService implements ControlPlane {
  /** The durable stores a function lives in. */
  record Stores(Registry registry, ArtifactStore artifacts, LogStore logs, EventQueue events) {}

  private final Registry registry;
  private final ArtifactStore artifacts;
  private final LogStore logs;
  private final EventQueue events;
  private final Activator activator;
  private final Consumer<Deployment> onActivate;
  private final InstantSource clock;
  private final UsageMeter usage;
  private final Function<FunctionSpec, KeepAliveView> keepAlive;
  private final Consumer<String> forgetRhythm;
  private final FunctionStats stats;
  private final Object writeLock = new Object();
  /**
   * The live revision of every function, as the registry has it: written under the write lock right
   * after the registry, read without it. Listing 10,000 functions from here costs no SQL and no
   * parsing of 10,000 stored specs.
   */
  private final ConcurrentSkipListMap<String, Deployment> live = new ConcurrentSkipListMap<>();
  private final int keepRevisions;
  private final ReleaseRouter router;

  /**
   * @param onActivate told of every deployment made live (deploys and restores), e.g. so the
   *     executor can warm its pool for the function's runtime and heap size before the first call
   * @param usage what functions used, for {@code cost}; a removed function's usage is dropped
   * @param keepAlive how a function's idle instance is kept now (null: not known)
   * @param forgetRhythm told of every removed function, whose learned keep-alive rhythm is dropped
   * @param stats the counters {@code status} shows; a removed function's are dropped
   * @param keepRevisions revisions kept per function, the live one included; older ones and their
   *     code (unless another kept revision shares it) are removed at each deploy
   */
  ControlPlaneService(Stores stores, Activator activator, Consumer<Deployment> onActivate, InstantSource clock, UsageMeter usage,
      Function<FunctionSpec, KeepAliveView> keepAlive, Consumer<String> forgetRhythm, FunctionStats stats, int keepRevisions) {
    if (keepRevisions < 1) {
      throw new IllegalArgumentException("keepRevisions: " + keepRevisions + " (expected: >= 1)");
    }
    this.keepRevisions = keepRevisions;
    this.registry = stores.registry();
    this.artifacts = stores.artifacts();
    this.logs = stores.logs();
    this.events = stores.events();
    this.activator = activator;
    this.onActivate = onActivate;
    this.clock = clock;
    this.usage = usage;
    this.keepAlive = keepAlive;
    this.forgetRhythm = forgetRhythm;
    this.stats = stats;
    this.router = new ReleaseRouter(activator, registry);
  }

  /** Where calls go by traffic split, alias and qualifier; kept in step with the registry here. */
  ReleaseRouter router() {
    return router;
  }

  /** Activates every stored function (daemon start) and drops code no function references. */
  void restore() {
    synchronized (writeLock) {
      for (Deployment d : registry.list()) {
        live.put(d.name(), d);
        activator.deploy(d);
        onActivate.accept(d);
      }
      registry.allReleases().forEach(router::set);
      artifacts.retainOnly(registry.referencedCode());
    }
  }

  @Override
  public Deployed deploy(String name, InputStream zip) {
    FunctionSpec.validateName(name);
    synchronized (writeLock) {
      StoredPackage stored = artifacts.store(zip);
      FunctionSpec spec;
      try {
        spec = Manifest.parse(readManifest(stored.dir()), name);
        checkRunnable(spec, stored.dir());
      } catch (RuntimeException e) {
        artifacts.retainOnly(registry.referencedCode()); // don't keep code nothing will run
        throw e;
      }
      boolean created = registry.find(name).isEmpty();
      Deployment d = registry.save(spec, stored.sha256(), stored.size(), stored.dir(), clock.instant());
      activate(d);
      return new Deployed(d, created);
    }
  }

  @Override
  public Deployment create(FunctionSpec spec, InputStream zip) {
    synchronized (writeLock) {
      if (registry.find(spec.name()).isPresent()) {
        throw new Failure.Conflict("Function already exist: " + spec.name());
      }
      return store(spec, zip);
    }
  }

  @Override
  public Deployment update(String name, UnaryOperator<FunctionSpec> change, InputStream zip) {
    synchronized (writeLock) {
      Deployment current = registry.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name));
      FunctionSpec spec = change.apply(current.spec());
      if (!spec.name().equals(name)) {
        throw new IllegalArgumentException("update of '" + name + "' renamed it to '" + spec.name() + "'");
      }
      if (zip != null) {
        return store(spec, zip);
      }
      checkRunnable(spec, current.codeDir());
      Deployment d = registry.save(spec, current.codeSha256(), current.codeSize(), current.codeDir(), clock.instant());
      activate(d);
      return d;
    }
  }

  /** Stores {@code zip} as the code of {@code spec} (its pilotlight.yaml, if any, is not read); call under the write lock. */
  private Deployment store(FunctionSpec spec, InputStream zip) {
    StoredPackage stored = artifacts.store(zip);
    try {
      checkRunnable(spec, stored.dir());
    } catch (RuntimeException e) {
      artifacts.retainOnly(registry.referencedCode()); // don't keep code nothing will run
      throw e;
    }
    Deployment d = registry.save(spec, stored.sha256(), stored.size(), stored.dir(), clock.instant());
    activate(d);
    return d;
  }

  /**
   * Makes a saved revision live, notes it in the function's log, and forgets the revisions beyond
   * the newest {@code keepRevisions} with their code. Instances of the revision just replaced may
   * still be draining: it is among those kept whenever {@code keepRevisions} is 2 or more.
   */
  private void activate(Deployment d) {
    live.put(d.name(), d);
    activator.deploy(d);
    onActivate.accept(d);
    logs.append(d.name(), "-", null, "DEPLOY revision " + d.revision() + " code sha256:" + d.codeSha256() + " (" + d.spec().runtime() + ")");
    if (registry.pruneRevisions(d.name(), keepRevisions) > 0) {
      artifacts.retainOnly(registry.referencedCode());
    }
    // The pool of the revision just replaced keeps serving what still calls it (a split, an alias, a
    // qualifier) as a pinned pool; pools of revisions no longer kept end.
    List<Long> kept = registry.revisions(d.name()).stream().map(Deployment::revision).toList();
    for (long r : activator.pinnedRevisions(d.name())) {
      if (!kept.contains(r) || r == d.revision()) {
        activator.removePinned(d.name(), r);
      }
    }
  }

  /** Refuses at deploy what could never start, rather than failing every cold start later. */
  private static void checkRunnable(FunctionSpec spec, Path dir) {
    if (spec.runtime() == dev.pilotlight.model.Runtime.PROVIDED && !Files.isRegularFile(dir.resolve("bootstrap"))) {
      throw new Failure.InvalidInput("runtime provided: the package has no bootstrap file at its root (the executable "
          + "that talks to the Runtime API; any language)");
    }
  }

  private static String readManifest(Path dir) {
    Path manifest = dir.resolve("pilotlight.yaml");
    if (!Files.isRegularFile(manifest)) {
      throw new Failure.InvalidInput("the package has no pilotlight.yaml at its root (it must name at least the runtime and "
          + "the handler or command; bin/pilotlight deploy writes it from the flags)");
    }
    try {
      return Files.readString(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<Deployment> list() {
    return List.copyOf(live.values());
  }

  @Override
  public Optional<Deployment> find(String name) {
    return Optional.ofNullable(live.get(name));
  }

  @Override
  public boolean delete(String name) {
    synchronized (writeLock) {
      if (!registry.delete(name)) {
        return false;
      }
      live.remove(name);
      router.forget(name);
      activator.remove(name).join();
      logs.delete(name);
      usage.forget(name);
      forgetRhythm.accept(name);
      artifacts.retainOnly(registry.referencedCode());
      events.purge(name);
      stats.remove(name);
      return true;
    }
  }

  @Override
  public FunctionUsage usage(String name, Duration window) {
    Instant since = window == null ? null : Instant.ofEpochSecond(Math.floorDiv(clock.instant().minus(window).getEpochSecond(), 3600) * 3600);
    return new FunctionUsage(usage.usage(name, since), since);
  }

  @Override
  public Optional<KeepAliveView> keepAlive(Deployment d) {
    return Optional.ofNullable(keepAlive.apply(d.spec()));
  }

  @Override
  public List<String> tailLogs(String name, int lines) {
    return logs.tail(name, lines);
  }

  @Override
  public AutoCloseable followLogs(String name, Consumer<String> onLine) {
    return logs.follow(name, onLine);
  }

  // ---- releases -------------------------------------------------------------------------------------------

  @Override
  public List<Deployment> revisions(String name) {
    requireLive(name);
    return registry.revisions(name);
  }

  @Override
  public Optional<Deployment> revision(String name, long revision) {
    requireLive(name);
    return registry.find(name, revision);
  }

  @Override
  public Set<Long> published(String name) {
    requireLive(name);
    return registry.published(name);
  }

  @Override
  public Releases releases(String name) {
    requireLive(name);
    return router.releases(name);
  }

  @Override
  public Traffic traffic(String name, Traffic traffic) {
    synchronized (writeLock) {
      requireLive(name);
      for (long r : traffic.revisions()) {
        if (registry.find(name, r).isEmpty()) {
          throw new Failure.InvalidInput("traffic: revision " + r + " of '" + name + "' is not kept (kept: " + keptList(name)
              + "; --keep-revisions on serve sets how many are)");
        }
      }
      saveReleases(name, router.releases(name).withTraffic(traffic));
      logs.append(name, "-", null, "TRAFFIC " + traffic);
      return traffic;
    }
  }

  @Override
  public Traffic rollback(String name) {
    synchronized (writeLock) {
      Deployment latest = requireLive(name);
      Traffic now = router.releases(name).traffic();
      List<Traffic.Target> taking = now.targets().stream().filter(t -> t.percent() > 0).toList();
      if (taking.size() != 1) {
        throw new Failure.Conflict("the traffic of '" + name + "' is split (" + now + "): say where it goes with pilotlight traffic");
      }
      long serving = taking.getFirst().latest() ? latest.revision() : taking.getFirst().revision();
      long previous = registry.revisions(name).stream().mapToLong(Deployment::revision).filter(r -> r < serving).max()
          .orElseThrow(() -> new Failure.Conflict("no revision of '" + name + "' before revision " + serving + " is kept (kept: "
              + keptList(name) + ")"));
      Traffic back = new Traffic(List.of(new Traffic.Target(previous, 100, null)));
      saveReleases(name, router.releases(name).withTraffic(back));
      logs.append(name, "-", null, "ROLLBACK from revision " + serving + " to revision " + previous + " (traffic " + back + ")");
      return back;
    }
  }

  @Override
  public Deployment publish(String name) {
    synchronized (writeLock) {
      Deployment latest = requireLive(name);
      registry.publish(name, latest.revision());
      return latest;
    }
  }

  @Override
  public Alias alias(String name, Alias alias, boolean create) {
    synchronized (writeLock) {
      requireLive(name);
      Releases current = router.releases(name);
      boolean exists = current.alias(alias.name()).isPresent();
      if (create && exists) {
        throw new Failure.Conflict("Alias already exists: " + name + ":" + alias.name());
      }
      if (!create && !exists) {
        throw new Failure.FunctionNotFound(name + ":" + alias.name());
      }
      for (Long r : java.util.Arrays.asList(alias.revision(), alias.additionalRevision())) {
        if (r != null && registry.find(name, r).isEmpty()) {
          throw new Failure.FunctionNotFound(name + ":" + r);
        }
      }
      saveReleases(name, current.withAlias(alias));
      return alias;
    }
  }

  @Override
  public boolean deleteAlias(String name, String alias) {
    synchronized (writeLock) {
      requireLive(name);
      Releases current = router.releases(name);
      if (current.alias(alias).isEmpty()) {
        return false;
      }
      saveReleases(name, current.withoutAlias(alias));
      return true;
    }
  }

  @Override
  public void deleteRevision(String name, long revision) {
    synchronized (writeLock) {
      Deployment latest = requireLive(name);
      if (revision == latest.revision()) {
        throw new Failure.InvalidInput("revision " + revision + " is the latest of '" + name + "': deploy another first, or delete the function");
      }
      Optional<String> user = router.releases(name).usesRevision(revision);
      if (user.isPresent()) {
        throw new Failure.Conflict("revision " + revision + " of '" + name + "' is in use by " + user.get() + "; change that first");
      }
      if (!registry.deleteRevision(name, revision)) {
        throw new Failure.FunctionNotFound(name + ":" + revision);
      }
      activator.removePinned(name, revision).join();
      artifacts.retainOnly(registry.referencedCode());
    }
  }

  /** Stores and then routes by {@code r}; call under the write lock. */
  private void saveReleases(String name, Releases r) {
    registry.saveReleases(name, r);
    router.set(name, r);
  }

  private Deployment requireLive(String name) {
    Deployment d = live.get(name);
    if (d == null) {
      throw new Failure.FunctionNotFound(name);
    }
    return d;
  }

  private String keptList(String name) {
    return String.join(", ", registry.revisions(name).stream().map(d -> Long.toString(d.revision())).toList());
  }
}
