package dev.pilotlight.server;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.gateway.Routing;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.store.Registry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * Routes each call to a revision's pool: the function's {@link Releases} (traffic split and
 * aliases, held here for the functions that have any, written by the control plane after the
 * registry) choose the revision. The revision the function's own pool runs is served there (after a
 * plain deploy, the latest); any other by a pinned pool the activator makes on the first call to
 * it. A function with no releases costs one map lookup.
 */
final class ReleaseRouter implements Routing {
  private final Activator activator;
  private final Registry registry;
  private final Function<String, Optional<Deployment>> latest;
  private final DoubleSupplier draw;
  private final Map<String, Releases> releases = new ConcurrentHashMap<>();

  /** @param latest the latest revision of a function, as the registry has it (read from memory) */
  ReleaseRouter(Activator activator, Registry registry, Function<String, Optional<Deployment>> latest) {
    this(activator, registry, latest, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** @param draw uniform in [0, 1): which share of a split a call falls in */
  ReleaseRouter(Activator activator, Registry registry, Function<String, Optional<Deployment>> latest, DoubleSupplier draw) {
    this.activator = activator;
    this.registry = registry;
    this.latest = latest;
    this.draw = draw;
  }

  @Override
  public Target route(String function, String qualifier) {
    Releases r = releases.get(function);
    if (r == null && (qualifier == null || qualifier.equals("$LATEST") || qualifier.equals("latest"))) {
      return new Target(function); // the common case: no releases, and the own pool runs the latest
    }
    Deployment own = activator.deployment(function).orElseThrow(() -> new Failure.FunctionNotFound(function));
    long newest = latest.apply(function).map(Deployment::revision).orElse(own.revision());
    Releases rel = r == null ? Releases.NONE : r;
    long revision;
    if (qualifier == null) {
      revision = rel.traffic().pick(draw.getAsDouble(), newest);
    } else {
      revision = rel.resolve(qualifier, newest, draw.getAsDouble())
          .orElseThrow(() -> new Failure.FunctionNotFound(function + ":" + qualifier));
    }
    if (revision == own.revision()) {
      return new Target(function);
    }
    String pool = Activator.pinnedPool(function, revision);
    if (activator.deployment(pool).isPresent()) {
      return new Target(pool);
    }
    // The first call to this revision since the daemon started: one read of the registry by key.
    Optional<Deployment> d = registry.find(function, revision);
    if (d.isEmpty()) {
      throw new Failure.FunctionNotFound(function + ":" + (qualifier == null ? Long.toString(revision) : qualifier));
    }
    return new Target(activator.pinned(d.get()));
  }

  /** The pool that serves revision {@code revision} of {@code function} (made if it is a pinned one not made yet). */
  String poolFor(String function, long revision) {
    return route(function, Long.toString(revision)).pool();
  }

  /** {@code name}'s releases now ({@link Releases#NONE} if it has none). */
  Releases releases(String name) {
    return releases.getOrDefault(name, Releases.NONE);
  }

  /**
   * Called after the registry stored them, and whenever the function's own pool changes revision.
   * The fast path (no entry: the function's own pool) holds only while that pool runs the latest
   * revision; after a rollout the latest runs in a pinned pool, so the entry stays though the
   * releases are the default.
   */
  void set(String name, Releases r) {
    boolean ownIsLatest = activator.deployment(name).map(Deployment::revision).equals(latest.apply(name).map(Deployment::revision));
    if (r.isDefault() && ownIsLatest) {
      releases.remove(name);
    } else {
      releases.put(name, r);
    }
  }

  void forget(String name) {
    releases.remove(name);
  }
}
