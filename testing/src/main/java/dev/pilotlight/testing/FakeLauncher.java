package dev.pilotlight.testing;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Launches {@link FakeInstance}s whose start-up the test completes by hand ({@link #completeNext},
 * {@link #failNext}), so every interleaving of "request queued" and "instance ready" is reachable
 * without timing.
 */
public final class FakeLauncher {
  private final List<CompletableFuture<Instance>> pending = new ArrayList<>();
  private final List<Deployment> pendingDeployments = new ArrayList<>();
  private final List<FakeInstance> launched = new ArrayList<>();
  private final List<Boolean> background = new ArrayList<>();
  private int sequence;

  /** Shaped as the activation module's {@code InstanceLauncher}. */
  public synchronized CompletableFuture<Instance> launch(Deployment d, boolean background, String version) {
    CompletableFuture<Instance> f = new CompletableFuture<>();
    pending.add(f);
    pendingDeployments.add(d);
    this.background.add(background);
    return f;
  }

  /** Each launch's {@code background} flag, in the order they were asked for. */
  public synchronized List<Boolean> background() {
    return List.copyOf(background);
  }

  public synchronized int pendingCount() {
    return pending.size();
  }

  public synchronized int launchCount() {
    return launched.size() + pending.size();
  }

  /** Makes the oldest pending launch succeed; returns the new instance. */
  public FakeInstance completeNext() {
    CompletableFuture<Instance> f;
    FakeInstance instance;
    synchronized (this) {
      f = pending.remove(0);
      Deployment d = pendingDeployments.remove(0);
      instance = new FakeInstance(d.name() + "-" + (++sequence), d);
      launched.add(instance);
    }
    f.complete(instance);
    return instance;
  }

  /** Makes the oldest pending launch fail with {@code error}. */
  public void failNext(RuntimeException error) {
    CompletableFuture<Instance> f;
    synchronized (this) {
      f = pending.remove(0);
      pendingDeployments.remove(0);
    }
    f.completeExceptionally(error);
  }

  public synchronized List<FakeInstance> launched() {
    return List.copyOf(launched);
  }
}
