package dev.pilotlight.testing;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** An in-memory instance: answers every invocation by echoing the payload; can be made to crash. */
public final class FakeInstance implements Instance {
  private final String id;
  private final Deployment deployment;
  private final CompletableFuture<String> exited = new CompletableFuture<>();
  private volatile boolean stopped;
  private volatile long peakMemoryBytes;

  public FakeInstance(String id, Deployment deployment) {
    this.id = id;
    this.deployment = deployment;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Deployment deployment() {
    return deployment;
  }

  @Override
  public String launchStrategy() {
    return "fake";
  }

  @Override
  public Duration initDuration() {
    return Duration.ofMillis(1);
  }

  @Override
  public InetSocketAddress httpAddress() {
    return null;
  }

  @Override
  public CompletableFuture<LambdaResponse> invoke(LambdaRequest request) {
    return CompletableFuture.completedFuture(new LambdaResponse(
        ("\"" + id + ":" + new String(request.payload(), StandardCharsets.UTF_8).replace("\"", "'") + "\"").getBytes(StandardCharsets.UTF_8), null));
  }

  @Override
  public void currentRequest(String requestId) {}

  @Override
  public CompletableFuture<Void> stop() {
    stopped = true;
    exited.complete("instance " + id + " was stopped");
    return CompletableFuture.completedFuture(null);
  }

  /** What {@link #peakMemoryBytes()} reports from now on (0: nothing). */
  public FakeInstance peakMemory(long bytes) {
    this.peakMemoryBytes = bytes;
    return this;
  }

  @Override
  public OptionalLong peakMemoryBytes() {
    return peakMemoryBytes > 0 ? OptionalLong.of(peakMemoryBytes) : OptionalLong.empty();
  }

  /** Simulates the process dying by itself. */
  public void crash(int exitCode) {
    exited.complete("instance " + id + " exited with code " + exitCode);
  }

  public boolean stopped() {
    return stopped;
  }

  @Override
  public CompletableFuture<String> exited() {
    return exited;
  }
}
