package dev.pilotlight.store;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Rollout;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The durable list of deployed functions and every revision they had. Once a method returns, its
 * change survives a crash or power loss (SQLite in WAL mode with {@code synchronous=FULL}).
 * Thread-safe. Failures of the database itself are thrown as {@link StoreException}.
 */
public interface Registry extends AutoCloseable {

  /** Opens (creating or migrating as needed) the registry database at {@code dbFile}. */
  static Registry open(Path dbFile) {
    return SqlRegistry.open(dbFile);
  }

  /**
   * Opens (creating or migrating as needed) the registry in a PostgreSQL database several daemons
   * share; a revision's code is at {@code codeDirOf} its SHA-256 on this daemon.
   */
  static Registry open(PostgresDatabase database, Function<String, Path> codeDirOf) {
    return SqlRegistry.open(database, codeDirOf);
  }

  /**
   * Stores a new revision of {@code spec.name()} and makes it current, atomically. The revision is
   * the previous one plus 1, or 1 for a name not deployed yet (or deleted since).
   */
  Deployment save(FunctionSpec spec, String codeSha256, long codeSize, Path codeDir, Instant now);

  /**
   * Rewrites the settings of revision {@code d} in place (same number, code and time), durably:
   * for changes that touch no instance ({@link FunctionSpec#differsOnlyInMetadata}), such as tags.
   *
   * @throws dev.pilotlight.model.Failure.FunctionNotFound when that revision is not kept
   */
  Deployment amend(Deployment d, FunctionSpec spec);

  /**
   * Stores a new revision as {@link #save} does, with the traffic split and the rollout it takes
   * over by, in one transaction: a crash leaves all three or none (never a latest revision with no
   * rollout). {@code start} is given the new revision (its number) and says what to store with it.
   */
  Deployment saveRollingOut(FunctionSpec spec, String codeSha256, long codeSize, Path codeDir, Instant now,
      Function<Deployment, RolloutStart> start);

  /** What a rollout deploy stores beside its revision: the releases (the split it starts with) and the rollout. */
  record RolloutStart(Releases releases, Rollout rollout) {}

  /** The current revision of {@code name}, if it is deployed. */
  Optional<Deployment> find(String name);

  /** One particular revision of {@code name}, if it exists (for {@code ?Qualifier=}). */
  Optional<Deployment> find(String name, long revision);

  /** The current revision of every function, sorted by name. */
  List<Deployment> list();

  /** Removes {@code name} and all its revisions, its traffic split and aliases; false if it was not deployed. */
  boolean delete(String name);

  /**
   * Forgets all but the newest {@code keep} revisions of {@code name} (the live one is the newest),
   * so their code can be collected; revision numbers go on from the highest ever saved. Published
   * versions and revisions the traffic split or an alias names are kept. Returns how many were
   * forgotten.
   */
  int pruneRevisions(String name, int keep);

  /** Every kept revision of {@code name}, oldest first; empty if it is not deployed. */
  List<Deployment> revisions(String name);

  /** Marks a revision as a published version: kept until deleted by name, whatever {@link #pruneRevisions} keeps. */
  boolean publish(String name, long revision);

  /** The revisions of {@code name} published as versions. */
  Set<Long> published(String name);

  /** Forgets one revision of {@code name}; false if it does not exist or is the live one. */
  boolean deleteRevision(String name, long revision);

  /** {@code name}'s traffic split and aliases ({@link Releases#NONE} when it has none). */
  Releases releases(String name);

  /** The releases of every function that has a traffic split or an alias (daemon start). */
  java.util.Map<String, Releases> allReleases();

  /** Stores the rollout of {@code r.function()}, in place of the one before it (only the last is kept). */
  void saveRollout(Rollout r);

  /** The last rollout of every function that had one. */
  List<Rollout> rollouts();

  /** Replaces {@code name}'s traffic split and aliases, atomically. */
  void saveReleases(String name, Releases releases);

  /** The SHA-256 of every package some revision still refers to: what artifact GC must keep. */
  Set<String> referencedCode();

  @Override
  void close();
}
