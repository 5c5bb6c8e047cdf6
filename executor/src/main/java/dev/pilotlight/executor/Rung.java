package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One rung of the launch ladder: a way to start an instance, which claims a launch when it can
 * serve it now and declines otherwise, and which readies itself when a function is deployed.
 * LaunchLadder asks the rungs in order, fastest first.
 */
interface Rung {
  /** Which rung this is; its {@link LaunchRung#admits} rule decides which deployments it is asked about. */
  LaunchRung rung();

  /**
   * Whether {@link #claim} may block (fork a process, bind a port, read the file system); the
   * ladder then asks it on a launcher thread rather than the caller's, which is often an event
   * loop's.
   */
  boolean blocks();

  /**
   * Starts {@code launch}'s instance on this rung, or declines (empty) when the rung has nothing
   * for it now (no waiting runner, no trained cache, no image). The future completes when the
   * instance is ready, or fails with the reason.
   */
  Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest launch);

  /**
   * Whether a claimed launch that fails goes on down the ladder instead of failing the cold start
   * (a snapshot problem must never fail a request); the rung has said why in the function's log.
   */
  default boolean fallsThrough() {
    return false;
  }

  /** Readies this rung for {@code d} (trains, snapshots, warms runners) in the background; called on deploy. */
  default void prepare(Deployment d) {}
}
