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

/**
 * Routes each call to a revision's pool: the function's {@link Releases} (traffic split and
 * aliases, held here for the functions that have any, written by the control plane after the
 * registry) choose the revision; the latest is served by the function's own pool, any other by a
 * pinned pool the activator makes on the first call to it. A function with no releases costs one
 * map lookup.
 */
final class ReleaseRouter implements Routing {
  private final Activator activator;
  private final Registry registry;
  private final DoubleSupplier draw;
  private final Map<String, Releases> releases = new ConcurrentHashMap<>();

  ReleaseRouter(Activator activator, Registry registry) {
    this(activator, registry, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** @param draw uniform in [0, 1): which share of a split a call falls in */
  ReleaseRouter(Activator activator, Registry registry, DoubleSupplier draw) {
    this.activator = activator;
    this.registry = registry;
    this.draw = draw;
  }

  @Override
  public Target route(String function, String qualifier) {
    Releases r = releases.get(function);
    if (qualifier == null && r == null) {
      return new Target(function); // the common case: no split, no qualifier
    }
    Deployment latest = activator.deployment(function).orElseThrow(() -> new Failure.FunctionNotFound(function));
    Releases rel = r == null ? Releases.NONE : r;
    long revision;
    if (qualifier == null) {
      revision = rel.traffic().pick(draw.getAsDouble(), latest.revision());
    } else {
      revision = rel.resolve(qualifier, latest.revision(), draw.getAsDouble())
          .orElseThrow(() -> new Failure.FunctionNotFound(function + ":" + qualifier));
    }
    if (revision == latest.revision()) {
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

  /** {@code name}'s releases now ({@link Releases#NONE} if it has none). */
  Releases releases(String name) {
    return releases.getOrDefault(name, Releases.NONE);
  }

  /** Called after the registry stored them. */
  void set(String name, Releases r) {
    if (r.isDefault()) {
      releases.remove(name);
    } else {
      releases.put(name, r);
    }
  }

  void forget(String name) {
    releases.remove(name);
  }
}
