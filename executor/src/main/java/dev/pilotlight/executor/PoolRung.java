package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code pool} rung: a waiting generic runtime (a Java runner without libraries, a python or
 * node bootstrap) of the function's key (see WarmPool), handed the function on stdin; declines
 * when none waits.
 */
final class PoolRung implements Rung {
  private final PoolRunners pool;
  private final PoolLayers layers;
  private final InstanceStarts starts;

  PoolRung(PoolRunners pool, PoolLayers layers, InstanceStarts starts) {
    this.pool = pool;
    this.layers = layers;
    this.starts = starts;
  }

  @Override
  public LaunchRung rung() {
    return LaunchRung.POOL;
  }

  /** Taking a runner never blocks, and with the spare endpoint neither does the start (see InstanceStarts). */
  @Override
  public boolean blocks() {
    return false;
  }

  @Override
  public Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest r) {
    Deployment d = r.deployment();
    if (!pool.fits(d.spec().ephemeralStorageMb())) {
      return Optional.empty();
    }
    Optional<Process> runner = pool.takeGeneric(d.spec().runtime(), d.spec().memoryMb(), layers.layerOf(d));
    if (runner.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(starts.pooledLambda(r, LaunchRung.POOL, runner.get(), instance -> {}));
  }

  /** Keeps plain runners of the function's key warm, unless its layer's runners are kept instead (PoolLayerRung). */
  @Override
  public void prepare(Deployment d) {
    if (!pool.keepsLayer(layers.layerOf(d)) && startable(d, starts.config())) {
      pool.prepare(d.spec().runtime(), d.spec().memoryMb(), LibraryLayers.Layer.NONE, PoolRunners.Preload.NONE);
    }
  }

  /** Whether this daemon can start {@code d}'s runtime at all (a python function needs a python3); launches say why not. */
  static boolean startable(Deployment d, ExecutorConfig config) {
    try {
      LambdaCommands.interpreterCommand(d.spec().runtime(), d.spec().memoryMb(), config);
      return true;
    } catch (Failure.InstanceFailed e) {
      return false;
    }
  }
}
