package dev.pilotlight.server;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.usage.UsageMeter;
import dev.pilotlight.gateway.ControlPlane;
import dev.pilotlight.gateway.FunctionStats;
import dev.pilotlight.gateway.KeepAliveView;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.NodeConcurrency;
import dev.pilotlight.model.release.Alias;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.release.Traffic;
import dev.pilotlight.model.schedule.ScheduleSpec;
import dev.pilotlight.model.source.MappingSpec;
import dev.pilotlight.store.ArtifactStore;
import dev.pilotlight.store.AsyncQueue;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Keeps the durable side (artifacts, registry, logs, queued events) and the live side (the
 * activator) in step, and is the one place a function is removed. A deploy is acknowledged only
 * after the registry committed it; deploys and removals are serialised, so artifact clean-up never
 * races a deploy that has stored code but not yet recorded it.
 */
final class ControlPlaneService implements ControlPlane {
  /** The durable stores a function lives in. */
  record Stores(Registry registry, ArtifactStore artifacts, LogStore logs, AsyncQueue events) {}

  private final Registry registry;
  private final ArtifactStore artifacts;
  private final LogStore logs;
  private final AsyncQueue events;
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
  /** The last rollout of each function that had one, as the registry has it. */
  private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();

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
    this.router = new ReleaseRouter(activator, registry, this::find);
  }

  private volatile Consumer<Deployment> onDeploy = d -> { };

  /** Told of every deploy and configuration change made live (not of restores at start), under the write lock, off the event loops. */
  void onDeploy(Consumer<Deployment> c) {
    onDeploy = c;
  }

  /** Where calls go by traffic split, alias and qualifier; kept in step with the registry here. */
  ReleaseRouter router() {
    return router;
  }

  /** Activates every stored function (daemon start) and drops code no function references. */
  void restore() {
    synchronized (writeLock) {
      // with a shared database, code another daemon stored is unpacked here before anything runs it
      for (String sha : registry.referencedCode()) {
        artifacts.ensure(sha);
      }
      for (Deployment d : registry.list()) {
        live.put(d.name(), d);
        activator.deploy(d);
        onActivate.accept(d);
      }
      registry.allReleases().forEach(router::set);
      for (Rollout r : registry.rollouts()) {
        putRollout(r.function(), r);
      }
      dropUnreferencedCode();
    }
  }

  @Override
  public Deployed deploy(String name, InputStream zip) {
    FunctionSpec.validateName(name);
    synchronized (writeLock) {
      refuseDuringRollout(name);
      StagedPackage p = stage(name, zip);
      if (p.rollout().isEmpty()) {
        return deployAtOnce(p, null);
      }
      RolloutPlan plan = p.rollout().get();
      Deployment current = live.get(name);
      if (current == null) {
        Deployed first = deployAtOnce(p, "the rollout in " + Manifest.FILE_NAME + " (" + plan + ") did not apply: this is the first "
            + "revision of '" + name + "', so there is nothing to roll out from; it takes every call at once");
        logs.append(name, "-", null, "ROLLOUT of revision " + first.deployment().revision() + " not started (" + plan + " in "
            + Manifest.FILE_NAME + "): the first revision takes every call at once");
        return first;
      }
      long stable;
      try {
        stable = stableRevision(name, current, "; or deploy at once with --rollout none (?rollout=none)");
      } catch (RuntimeException e) {
        dropUnreferencedCode(); // the package is refused after all: its code goes
        throw e;
      }
      return rollOut(p, plan, stable);
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
      refuseDuringRollout(name);
      Deployment current = registry.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name));
      FunctionSpec spec = change.apply(current.spec());
      if (!spec.name().equals(name)) {
        throw new IllegalArgumentException("update of '" + name + "' renamed it to '" + spec.name() + "'");
      }
      if (zip != null) {
        return store(spec, zip);
      }
      checkRunnable(spec, current.codeDir());
      checkSecrets(spec);
      checkReservation(spec);
      if (!spec.env().equals(current.spec().env())) {
        FunctionSpec.checkNotReserved(spec.env()); // a revision stored before the check keeps its variables until they change
      }
      if (!spec.equals(current.spec()) && spec.differsOnlyInMetadata(current.spec())) {
        return amend(current, spec);
      }
      Deployment d = registry.save(spec, current.codeSha256(), current.codeSize(), current.codeDir(), clock.instant());
      activate(d);
      return d;
    }
  }

  /**
   * A package whose code is stored and whose pilotlight.yaml is read and checked, but which is no
   * revision yet: until {@link #save} it may still be refused, and then its code must go
   * ({@link #dropUnreferencedCode}).
   */
  private record StagedPackage(StoredPackage stored, FunctionSpec spec, Optional<RolloutPlan> rollout,
      Optional<List<ScheduleSpec>> schedules, Optional<List<MappingSpec>> events) {}

  /**
   * Where a deploy whose pilotlight.yaml declares {@code schedule:} makes them the function's
   * schedules (the daemon's Scheduler); by default nowhere.
   */
  private volatile BiConsumer<String, List<ScheduleSpec>> scheduleSync = (name, schedules) -> {};

  /** Wires the schedules a package declares to where they are kept (see {@link #scheduleSync}). */
  void scheduleSync(BiConsumer<String, List<ScheduleSpec>> sync) {
    this.scheduleSync = sync;
  }

  /**
   * Where a deploy whose pilotlight.yaml declares {@code events:} makes them the function's event
   * source mappings (the daemon's EventSources), returning what could not be applied; by default nowhere.
   */
  private volatile BiFunction<String, List<MappingSpec>, List<String>> eventSync = (name, events) -> List.of();

  /** Wires the event source mappings a package declares to where they are kept (see {@link #eventSync}). */
  void eventSync(BiFunction<String, List<MappingSpec>, List<String>> sync) {
    this.eventSync = sync;
  }

  /**
   * Applies the package's {@code schedule:} and {@code events:} lists, after its revision is
   * stored. Returns a notice naming what could not be applied (a schedule never due, a broker that
   * did not answer), after {@code notice}; else {@code notice}.
   */
  private String applySchedules(StagedPackage p, String notice) {
    String name = p.spec().name();
    List<String> problems = new java.util.ArrayList<>();
    if (p.schedules().isPresent()) {
      try {
        scheduleSync.accept(name, p.schedules().get());
      } catch (IllegalArgumentException e) {
        String why = "the schedules in " + Manifest.FILE_NAME + " were not applied: " + e.getMessage();
        logs.append(name, "-", null, "SCHEDULE " + why);
        problems.add(why);
      }
    }
    if (p.events().isPresent()) {
      for (String problem : eventSync.apply(name, p.events().get())) {
        String why = Manifest.FILE_NAME + ": " + problem;
        logs.append(name, "-", null, "EVENTS " + why);
        problems.add(why);
      }
    }
    if (problems.isEmpty()) {
      return notice;
    }
    String why = String.join("; ", problems);
    return notice == null ? why : notice + "; " + why;
  }

  /**
   * Stores {@code zip} and reads its pilotlight.yaml as {@code name}'s settings and rollout; call
   * under the write lock. Code that cannot run is not kept.
   */
  private StagedPackage stage(String name, InputStream zip) {
    StoredPackage stored = artifacts.store(zip);
    try {
      Manifest.Contents manifest = Manifest.read(readManifest(stored.dir()), name);
      FunctionSpec.checkNotReserved(manifest.spec().env());
      checkRunnable(manifest.spec(), stored.dir());
      checkSecrets(manifest.spec());
      checkReservation(manifest.spec());
      return new StagedPackage(stored, manifest.spec(), manifest.rollout(), manifest.schedules(), manifest.events());
    } catch (RuntimeException e) {
      dropUnreferencedCode(); // don't keep code nothing will run
      throw e;
    }
  }

  /** Saves a staged package as its function's next revision, without making it live; call under the write lock. */
  private Deployment save(StagedPackage p) {
    return registry.save(p.spec(), p.stored().sha256(), p.stored().size(), p.stored().dir(), clock.instant());
  }

  /** Saves a staged package and makes it live at once; call under the write lock. */
  private Deployed deployAtOnce(StagedPackage p, String notice) {
    boolean created = registry.find(p.spec().name()).isEmpty();
    Deployment d;
    try {
      d = save(p);
    } catch (RuntimeException e) {
      dropUnreferencedCode(); // nothing was stored: neither is its code kept
      throw e;
    }
    activate(d);
    return new Deployed(d, created, null, applySchedules(p, notice != null ? notice : unservedNotice(d)));
  }

  /**
   * What to tell a deploy whose revision takes none of the function URL's calls: a split that names
   * revisions by number (set by hand, or left by a failed or aborted rollout) does not follow new
   * ones, as a Knative route without {@code latestRevision} does not. Null when it takes a share.
   */
  private String unservedNotice(Deployment d) {
    Traffic t = router.releases(d.name()).traffic();
    if (t.percentOf(d.revision(), d.revision()) > 0) {
      return null;
    }
    return "revision " + d.revision() + " takes none of the function URL's calls: the traffic split (" + t + ") names revisions by "
        + "number; pilotlight traffic " + d.name() + " latest=100 sends it every call (it is called by qualifier meanwhile: @"
        + d.revision() + ")";
  }

  /** Removes the stored code no kept revision references (that of a package refused after it was stored, of pruned revisions…). */
  private void dropUnreferencedCode() {
    artifacts.retainOnly(registry.referencedCode());
  }

  /** Stores {@code zip} as the code of {@code spec} (its pilotlight.yaml, if any, is not read); call under the write lock. */
  private Deployment store(FunctionSpec spec, InputStream zip) {
    FunctionSpec.checkNotReserved(spec.env());
    StoredPackage stored = artifacts.store(zip);
    try {
      checkRunnable(spec, stored.dir());
      checkSecrets(spec);
      checkReservation(spec);
    } catch (RuntimeException e) {
      dropUnreferencedCode(); // don't keep code nothing will run
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
    onDeploy.accept(d);
    serve(d, router.releases(d.name()));
    logs.append(d.name(), "-", null, "DEPLOY revision " + d.revision() + " code sha256:" + d.codeSha256() + " (" + d.spec().runtime() + ")");
    if (registry.pruneRevisions(d.name(), keepRevisions) > 0) {
      dropUnreferencedCode();
    }
    // Pools of revisions no longer kept end, and the pinned one of the revision the own pool runs now.
    endUnkeptPools(d, activator.deployment(d.name()).map(Deployment::revision).orElse(d.revision()));
  }


  /**
   * Serves {@code d} as the function's latest revision under {@code releases}. The function's own
   * pool moves to it (the replaced revision's instances drain), unless the split still gives the
   * revision that pool runs a share by number: then it keeps serving that share warm, and the new
   * revision starts in a pool of its own when a call names it.
   */
  private void serve(Deployment d, Releases releases) {
    live.put(d.name(), d);
    Optional<Deployment> own = activator.deployment(d.name());
    if (own.isEmpty() || releases.traffic().percentByNumber(own.get().revision()) == 0) {
      activator.deploy(d);
    }
    router.set(d.name(), releases);
    onActivate.accept(d);
  }

  /**
   * Ends the pinned pools of revisions no longer kept, and that of {@code ownRevision}, which the
   * function's own pool serves now; a function's own pool whose revision is no longer kept is
   * pointed at the latest.
   */
  private void endUnkeptPools(Deployment latest, long ownRevision) {
    String name = latest.name();
    List<Long> kept = registry.revisions(name).stream().map(Deployment::revision).toList();
    for (long r : activator.pinnedRevisions(name)) {
      if (!kept.contains(r) || r == ownRevision) {
        activator.removePinned(name, r);
      }
    }
    if (activator.deployment(name).filter(own -> !kept.contains(own.revision())).isPresent()) {
      activator.deploy(latest);
      router.set(name, router.releases(name));
    }
  }

  /**
   * A change no instance sees (tags, description, role, resource policy, reserved concurrency) made
   * to the current revision in place: no new revision, and the instances keep serving; the pool
   * takes the new reservation at once. Call under the write lock.
   */
  private Deployment amend(Deployment current, FunctionSpec spec) {
    Deployment d = registry.amend(current, spec);
    live.put(d.name(), d);
    activator.amend(d);
    logs.append(d.name(), "-", null, "CONFIG revision " + d.revision() + " amended (tags, description, role, resource policy or "
        + "reserved concurrency; instances kept)");
    return d;
  }

  /** What the node can run, against which reserved concurrencies are checked; unlimited until wired. */
  private volatile NodeConcurrency node = new NodeConcurrency(Long.MAX_VALUE);

  /** Checks every later reservation against {@code node} (the daemon's memory budget). */
  void reservations(NodeConcurrency node) {
    this.node = node;
  }

  /**
   * Refuses a reserved concurrency that, beside the other functions', would leave less of the node
   * unreserved than Lambda allows ({@link NodeConcurrency#checkReservation}): the one place every
   * deploy, update and the Lambda API's PutFunctionConcurrency pass.
   */
  private void checkReservation(FunctionSpec spec) {
    // The live revisions, not the registry read back: reading and parsing every stored revision made
    // each deploy cost time and garbage in proportion to the functions deployed (at 10,000, a deploy
    // parsed 10,000 specs). With a shared database, live follows other daemons' deploys within a second.
    if (spec.reservedConcurrency() != null) { // most deploys reserve nothing: no list of every function for them
      node.checkReservation(spec, live.values().stream().map(Deployment::spec).toList());
    }
  }

  /** Whether a secret exists, for deploys that refer to one; none until wired. */
  private volatile Predicate<String> secretExists = name -> false;

  /** Checks the secrets later deploys refer to against {@code exists} (the daemon's secret store). */
  void secretsExist(Predicate<String> exists) {
    this.secretExists = exists;
  }

  /** Refuses a revision that refers to a secret that does not exist: its instances could not start. */
  private void checkSecrets(FunctionSpec spec) {
    List<String> missing = spec.secretNames().stream().filter(n -> !secretExists.test(n)).toList();
    if (!missing.isEmpty()) {
      throw new Failure.InvalidInput("secrets: " + (missing.size() == 1 ? "secret '" + missing.getFirst() + "' does not" : "secrets "
          + missing.stream().map(n -> "'" + n + "'").collect(java.util.stream.Collectors.joining(", ")) + " do not")
          + " exist (set " + (missing.size() == 1 ? "it" : "them") + " first: pilotlight secrets set " + missing.getFirst() + ")");
    }
  }

  /** Runs {@code work} under the lock deploys and removals hold: a secret removed here cannot race a deploy that refers to it. */
  <T> T serialized(java.util.function.Supplier<T> work) {
    synchronized (writeLock) {
      return work.get();
    }
  }

  /**
   * For every secret some function uses, the functions that use it: those whose live revision, or a
   * revision the traffic split, an alias or a published version serves, refers to it. A kept
   * revision nothing serves does not count (called by number after its secret was removed, it
   * fails to start, naming the secret).
   */
  java.util.SortedMap<String, java.util.SortedSet<String>> secretUsers() {
    java.util.SortedMap<String, java.util.SortedSet<String>> users = new java.util.TreeMap<>();
    for (Deployment d : live.values()) {
      String name = d.name();
      java.util.Set<Long> served = new java.util.TreeSet<>();
      Releases releases = router.releases(name);
      served.addAll(releases.traffic().revisions());
      for (Alias a : releases.aliases()) {
        if (a.revision() != null) {
          served.add(a.revision());
        }
        if (a.additionalRevision() != null) {
          served.add(a.additionalRevision());
        }
      }
      served.addAll(registry.published(name));
      List<FunctionSpec> specs = new java.util.ArrayList<>(List.of(d.spec()));
      for (long r : served) {
        if (r != d.revision()) {
          registry.find(name, r).ifPresent(old -> specs.add(old.spec()));
        }
      }
      for (FunctionSpec spec : specs) {
        for (String secret : spec.secretNames()) {
          users.computeIfAbsent(secret, k -> new java.util.TreeSet<>()).add(name);
        }
      }
    }
    return users;
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
      forgetHere(name);
      logs.delete(name);
      usage.forget(name);
      dropUnreferencedCode();
      events.purge(name);
      events.removeAll(name); // its schedules
      events.removeMappings(name); // its event sources (their pollers stop within seconds: EventSources reconciles)
      return true;
    }
  }

  /**
   * Brings {@code name} here up to date with the shared registry, after a daemon sharing the
   * database changed it (the cluster's change feed; this daemon's own changes come back too and
   * change nothing): a function deployed elsewhere is activated here (its code fetched first), a
   * new revision replaces the one served here, a changed split or alias is followed, and a function
   * removed elsewhere is removed from this daemon's memory and instances (its stored state is
   * already gone).
   */
  void refresh(String name) {
    synchronized (writeLock) {
      Optional<Deployment> stored = registry.find(name);
      Deployment known = live.get(name);
      if (stored.isEmpty()) {
        if (known != null) {
          forgetHere(name);
        }
        return;
      }
      Deployment d = stored.get();
      for (Deployment r : registry.revisions(name)) {
        artifacts.ensure(r.codeSha256());
      }
      registry.rollouts().stream().filter(r -> r.function().equals(name)).findFirst().ifPresent(r -> putRollout(name, r));
      Releases releases = registry.releases(name);
      if (known == null || known.revision() != d.revision()) {
        serve(d, releases);
        endUnkeptPools(d, activator.deployment(name).map(Deployment::revision).orElse(d.revision()));
      } else {
        if (!known.equals(d)) {
          live.put(name, d);
          activator.amend(d);
        }
        router.set(name, releases);
      }
    }
  }

  /**
   * Forgets {@code name} in this daemon's memory and ends its instances: all a delete does here when
   * another daemon removed it from the shared stores, the first half of one made here.
   */
  private void forgetHere(String name) {
    live.remove(name);
    router.forget(name);
    rollouts.remove(name);
    activator.remove(name).join();
    forgetRhythm.accept(name);
    stats.remove(name);
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
      refuseDuringRollout(name);
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
      Rollout running = rollouts.get(name);
      if (running != null && running.running()) {
        return endRollout(name, false).traffic(latest.revision()); // back to the stable revision
      }
      Traffic now = router.releases(name).traffic();
      long serving = now.sole(latest.revision()).orElseThrow(() ->
          new Failure.Conflict("the traffic of '" + name + "' is split (" + now + "): say where it goes with pilotlight traffic"));
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
      if (activator.deployment(name).map(Deployment::revision).orElse(-1L) == revision) {
        activator.deploy(latest); // the function's own pool ran it (after a rollout): it moves to the latest
        router.set(name, router.releases(name));
      }
      dropUnreferencedCode();
    }
  }

  // ---- rollouts --------------------------------------------------------------------------------------------

  @Override
  public Deployed deploy(String name, InputStream zip, Optional<RolloutPlan> rollout) {
    FunctionSpec.validateName(name);
    synchronized (writeLock) {
      refuseDuringRollout(name);
      if (rollout.isEmpty()) {
        return deployAtOnce(stage(name, zip), null);
      }
      Deployment current = live.get(name);
      if (current == null) {
        throw new Failure.InvalidInput("rollout: '" + name + "' is not deployed yet, so there is nothing to roll out from; deploy it once "
            + "without a rollout");
      }
      long stable = stableRevision(name, current, "");
      return rollOut(stage(name, zip), rollout.get(), stable);
    }
  }

  /**
   * The revision that takes every call of {@code name} now, which a rollout starts from.
   *
   * @param orElse what else the user may do when the traffic is split, appended to the message
   * @throws Failure.Conflict when the traffic is split
   */
  private long stableRevision(String name, Deployment current, String orElse) {
    Traffic now = router.releases(name).traffic();
    return now.sole(current.revision()).orElseThrow(() -> new Failure.Conflict("rollout: the traffic of '" + name + "' is split ("
        + now + "); give one revision all of it first (pilotlight traffic " + name + " latest=100)" + orElse));
  }

  /** Saves a staged package as a revision that takes over from {@code stable} by {@code plan}; call under the write lock. */
  private Deployed rollOut(StagedPackage p, RolloutPlan plan, long stable) {
    String name = p.spec().name();
    Instant now = clock.instant();
    Releases before = router.releases(name);
    // The revision, the split it starts with and the rollout are stored in one transaction: a crash
    // leaves the deploy whole or not at all (never a latest revision that no rollout governs).
    Function<Deployment, Registry.RolloutStart> start = next -> {
      Rollout r = Rollout.start(name, stable, next.revision(), plan, now);
      return new Registry.RolloutStart(before.withTraffic(r.traffic(next.revision())), r);
    };
    Deployment d;
    try {
      d = registry.saveRollingOut(p.spec(), p.stored().sha256(), p.stored().size(), p.stored().dir(), now, start);
    } catch (RuntimeException e) {
      dropUnreferencedCode(); // nothing was stored: neither is its code kept
      throw e;
    }
    Registry.RolloutStart started = start.apply(d); // what was stored: a pure function of the revision
    Rollout r = started.rollout();
    // Memory as the registry has it now, before anything else can fail. The function's own pool
    // keeps serving what it serves; the new revision starts in a pool of its own.
    live.put(name, d);
    router.set(name, started.releases());
    putRollout(name, r);
    onActivate.accept(d);
    logs.append(name, "-", null, "DEPLOY revision " + d.revision() + " code sha256:" + d.codeSha256() + " (" + d.spec().runtime() + ")");
    if (registry.pruneRevisions(name, keepRevisions) > 0) {
      dropUnreferencedCode();
    }
    endUnkeptPools(d, activator.deployment(name).map(Deployment::revision).orElse(-1L));
    activator.prewarm(router.poolFor(name, d.revision()));
    logs.append(name, "-", null, "ROLLOUT of revision " + d.revision() + " over revision " + stable + " started (" + plan + ")");
    return new Deployed(d, false, r, applySchedules(p, null));
  }

  @Override
  public Optional<Rollout> rollout(String name) {
    requireLive(name);
    return Optional.ofNullable(rollouts.get(name));
  }

  @Override
  public Rollout endRollout(String name, boolean promote) {
    synchronized (writeLock) {
      requireLive(name);
      Rollout r = rollouts.get(name);
      if (r == null || !r.running()) {
        throw new Failure.Conflict("no rollout of '" + name + "' is running");
      }
      Rollout ended = r.end(promote ? Rollout.Status.SUCCEEDED : Rollout.Status.ABORTED, promote ? "" : "aborted", clock.instant());
      applyRollout(ended);
      return ended;
    }
  }

  private volatile Runnable onRollout = () -> {};

  /** Told whenever a running rollout is stored or learnt (started here, restored, seen in the shared feed), e.g. to drive it. */
  void onRollout(Runnable r) {
    onRollout = r;
  }

  private void putRollout(String name, Rollout r) {
    rollouts.put(name, r);
    if (r.running()) {
      onRollout.run();
    }
  }

  /** The rollouts under way. */
  List<Rollout> runningRollouts() {
    return rollouts.values().stream().filter(Rollout::running).toList();
  }

  /** Moves a rollout from {@code from} to {@code to}, unless it changed in the meantime (ended by hand, removed); true if it did. */
  boolean advanceRollout(Rollout from, Rollout to) {
    synchronized (writeLock) {
      if (rollouts.get(from.function()) != from || !live.containsKey(from.function())) {
        return false;
      }
      applyRollout(to);
      return true;
    }
  }

  /** Stores a rollout's new state and sets the traffic it asks for; call under the write lock. */
  private void applyRollout(Rollout r) {
    String name = r.function();
    registry.saveRollout(r);
    putRollout(name, r);
    saveReleases(name, router.releases(name).withTraffic(r.traffic(requireLive(name).revision())));
    logs.append(name, "-", null, switch (r.status()) {
      case RUNNING -> "ROLLOUT revision " + r.canary() + " takes " + r.percent() + " %";
      case SUCCEEDED -> "ROLLOUT revision " + r.canary() + " takes every call: succeeded";
      case FAILED -> "ROLLOUT of revision " + r.canary() + " failed, every call back to revision " + r.stable() + ": " + r.reason();
      case ABORTED -> "ROLLOUT of revision " + r.canary() + " aborted, every call back to revision " + r.stable();
    });
  }

  private void refuseDuringRollout(String name) {
    Rollout r = rollouts.get(name);
    if (r != null && r.running()) {
      throw new Failure.Conflict("a rollout of revision " + r.canary() + " of '" + name + "' is running (" + r.percent()
          + " %); promote or abort it first (pilotlight rollout promote|abort " + name + ")");
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
