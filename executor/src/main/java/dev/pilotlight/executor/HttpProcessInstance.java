package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** An instance of the {@code http} runtime: a command serving HTTP on its {@code $PORT}. */
final class HttpProcessInstance extends ProcessInstance {
  private final InetSocketAddress address;
  private volatile ProcessHandle restored;

  HttpProcessInstance(String id, Deployment deployment, Duration stopGrace, String strategy, InetSocketAddress address) {
    super(id, deployment, stopGrace, strategy);
    this.address = address;
  }

  /** For a restored snapshot: the app itself, the child of the criu process this instance was attached to. */
  void restored(ProcessHandle app) {
    this.restored = app;
  }

  @Override
  ProcessHandle app() {
    ProcessHandle r = restored;
    return r != null ? r : super.app();
  }

  /** criu exits when the app does; should criu go first (killed, crashed), the app must not live on unmanaged. */
  @Override
  void onExit(String reason) {
    ProcessHandle r = restored;
    if (r != null && r.isAlive()) {
      r.destroyForcibly();
    }
  }

  @Override
  public InetSocketAddress httpAddress() {
    return address;
  }

  @Override
  public CompletableFuture<LambdaResponse> invoke(LambdaRequest request) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("http instances are reached by proxying to httpAddress()"));
  }
}
