package dev.pilotlight.gateway;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Usage;
import dev.pilotlight.model.release.Alias;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.release.Traffic;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** What the control API needs from the daemon's store side; the server module implements it. */
public interface ControlPlane {
  /**
   * The outcome of a deploy.
   *
   * @param deployment the stored revision
   * @param created whether the name is new
   * @param rollout the rollout this deploy started, or null when the revision took every call at once
   * @param notice why the rollout the package's pilotlight.yaml asks for did not apply, for the
   *     deploy's answer; null when it applied or there was none
   */
  record Deployed(Deployment deployment, boolean created, Rollout rollout, String notice) {
    public Deployed(Deployment deployment, boolean created) {
      this(deployment, created, null, null);
    }
  }

  /**
   * Stores a package (a zip with {@code pilotlight.yaml} at its root) as a new revision, which takes
   * over as its manifest says: at once, or by the plan under its {@code rollout} key. Such a rollout
   * applies as an explicit one does ({@link #deploy(String, InputStream, Optional)}), except at a
   * function's first revision, which takes every call at once with a {@link Deployed#notice}.
   * Durable before it returns.
   *
   * @throws Failure.Conflict when a rollout is running, or the manifest asks for one and the traffic is split
   */
  Deployed deploy(String name, InputStream zip);

  /**
   * Stores a package as a new revision that takes over as {@code rollout} says, whatever its
   * manifest's {@code rollout} key says: empty, at once; else progressively: it is pre-warmed, then
   * takes the plan's shares in turn while it answers no worse than the revision that takes every
   * call now.
   *
   * @throws Failure.InvalidInput when a plan is given and the function is not deployed yet (nothing to roll out from)
   * @throws Failure.Conflict when a rollout is running, or a plan is given and the traffic is split
   */
  default Deployed deploy(String name, InputStream zip, Optional<RolloutPlan> rollout) {
    throw new UnsupportedOperationException("rollouts");
  }

  /** {@code name}'s last rollout, running or ended. */
  default Optional<Rollout> rollout(String name) {
    return Optional.empty();
  }

  /** Ends {@code name}'s running rollout: {@code promote} gives the new revision every call, else they all go back to the stable one. */
  default Rollout endRollout(String name, boolean promote) {
    throw new UnsupportedOperationException("rollouts");
  }

  /**
   * Stores and activates a package with settings given explicitly (the Lambda API's CreateFunction)
   * instead of read from a {@code pilotlight.yaml}; durable before it returns.
   *
   * @throws dev.pilotlight.model.Failure.Conflict when {@code spec.name()} is deployed already
   */
  Deployment create(FunctionSpec spec, InputStream zip);

  /**
   * Makes a new revision of a deployed function: its settings are {@code change} applied to the
   * current ones, its code the package {@code zip}, or the current code when {@code zip} is null.
   *
   * @throws dev.pilotlight.model.Failure.FunctionNotFound when {@code name} is not deployed
   */
  Deployment update(String name, UnaryOperator<FunctionSpec> change, InputStream zip);

  List<Deployment> list();

  Optional<Deployment> find(String name);

  /**
   * Removes a function and all that is kept for it: its registry entry, instances, code no other
   * function uses, logs, usage, learned keep-alive rhythm, queued and failed events and status
   * counters. The one removal operation, behind both the native API's DELETE and Lambda's
   * DeleteFunction; false when it did not exist.
   */
  boolean delete(String name);

  List<String> tailLogs(String name, int lines);

  /** Streams new log lines of {@code name} until the returned handle is closed. */
  AutoCloseable followLogs(String name, Consumer<String> onLine);

  /** What a function used from {@code since} on (the start of an hour; null: everything recorded). */
  record FunctionUsage(Usage usage, Instant since) {}

  /**
   * What {@code name} used over the last {@code window} (in whole hours, the current one included;
   * null: everything recorded), this second's invocations included.
   */
  default FunctionUsage usage(String name, Duration window) {
    return new FunctionUsage(Usage.NONE, null);
  }

  /** How {@code d}'s idle instance is kept now; empty where that is not known. */
  default Optional<KeepAliveView> keepAlive(Deployment d) {
    return Optional.empty();
  }

  // ---- releases: revisions, the traffic split, aliases ------------------------------------------------

  /** Every kept revision of {@code name}, oldest first (the latest last). */
  default List<Deployment> revisions(String name) {
    return List.of(find(name).orElseThrow(() -> new Failure.FunctionNotFound(name)));
  }

  /** One kept revision of {@code name}. */
  default Optional<Deployment> revision(String name, long revision) {
    return find(name).filter(d -> d.revision() == revision);
  }

  /** The revisions of {@code name} published as versions (kept until deleted by name). */
  default Set<Long> published(String name) {
    return Set.of();
  }

  /** {@code name}'s traffic split and aliases. */
  default Releases releases(String name) {
    return Releases.NONE;
  }

  /**
   * Sets how {@code name}'s URL calls are split between its revisions; durable before it returns.
   *
   * @throws Failure.InvalidInput when the split names a revision that is not kept
   */
  default Traffic traffic(String name, Traffic traffic) {
    throw new UnsupportedOperationException("releases");
  }

  /**
   * Sends every call to the revision before the one that takes them all now (the latest when
   * nothing is split); returns the new split.
   *
   * @throws Failure.Conflict when the traffic is split, or no earlier revision is kept
   */
  default Traffic rollback(String name) {
    throw new UnsupportedOperationException("releases");
  }

  /** Publishes the latest revision as a version (Lambda's PublishVersion): it is kept until deleted by name. */
  default Deployment publish(String name) {
    throw new UnsupportedOperationException("releases");
  }

  /**
   * Creates ({@code create}) or replaces an alias of {@code name}.
   *
   * @throws Failure.Conflict when creating one that exists
   * @throws Failure.FunctionNotFound when replacing one that does not, or a revision it names is not kept
   */
  default Alias alias(String name, Alias alias, boolean create) {
    throw new UnsupportedOperationException("releases");
  }

  /** Removes an alias; false if there was none. */
  default boolean deleteAlias(String name, String alias) {
    throw new UnsupportedOperationException("releases");
  }

  /**
   * Forgets one revision of {@code name} and stops its instances.
   *
   * @throws Failure.InvalidInput for the latest revision (delete the function instead)
   * @throws Failure.Conflict when the traffic split or an alias names it
   * @throws Failure.FunctionNotFound when it is not kept
   */
  default void deleteRevision(String name, long revision) {
    throw new UnsupportedOperationException("releases");
  }
}
