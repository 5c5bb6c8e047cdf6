package dev.pilotlight.model;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * A running, initialised instance of one deployment (one OS process). It belongs to that one
 * function for its whole life. Lambda-style instances are driven with {@link #invoke}; {@code http}
 * instances are reached by proxying to {@link #httpAddress}.
 */
public interface Instance {
  /** Unique within the daemon's life, e.g. {@code hello-java-3}. */
  String id();

  Deployment deployment();

  /** Which launch strategy brought this instance up (e.g. {@code plain}). */
  String launchStrategy();

  /** Time from launch request to ready. */
  Duration initDuration();

  /** Where an {@code http} instance listens; null for Lambda-style instances. */
  InetSocketAddress httpAddress();

  /** Sends one event through the Runtime API; fails with {@link Failure.InstanceFailed} if the instance dies. */
  CompletableFuture<LambdaResponse> invoke(LambdaRequest request);

  /** Tells the log capture which request the instance is serving now (so output lines carry its id). */
  void currentRequest(String requestId);

  /**
   * Tells the log capture {@code requestId} has ended: lines from now on carry no request id,
   * unless the instance was handed another request meanwhile (which keeps its id).
   */
  default void requestEnded(String requestId) {
    currentRequest(null);
  }

  /** Stops the process (politely, then forcibly); completes when it is gone. Idempotent. */
  CompletableFuture<Void> stop();

  /** Completes with a human-readable reason when the process has exited, for whatever cause. */
  CompletableFuture<String> exited();

  /**
   * The most resident memory the instance's process has used so far (Linux: {@code VmHWM} in
   * {@code /proc/<pid>/status}), for the {@code Max Memory Used} of a REPORT line; empty where it
   * cannot be read.
   */
  default OptionalLong peakMemoryBytes() {
    return OptionalLong.empty();
  }
}
