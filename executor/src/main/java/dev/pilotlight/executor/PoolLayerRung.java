package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code pool-layer} rung: a waiting Java runner started for the function's revision, which has
 * loaded exactly the function's library jars (its layer), initialised the classes on the layer's
 * list, and loaded the function's own code without initialising it; declines when none waits.
 * What the instance initialises in the layer is learnt when it ends (PoolLayers).
 */
final class PoolLayerRung implements Rung {
  private final PoolRunners pool;
  private final PoolLayers layers;
  private final InstanceStarts starts;

  PoolLayerRung(PoolRunners pool, PoolLayers layers, InstanceStarts starts) {
    this.pool = pool;
    this.layers = layers;
    this.starts = starts;
  }

  @Override
  public LaunchRung rung() {
    return LaunchRung.POOL_LAYER;
  }

  /** Taking a runner never blocks, and with the spare endpoint neither does the start (see InstanceStarts). */
  @Override
  public boolean blocks() {
    return false;
  }

  @Override
  public Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest r) {
    Deployment d = r.deployment();
    LibraryLayers.Layer layer = layers.layerOf(d);
    if (!pool.keepsLayer(layer) || !pool.fits(d.spec().ephemeralStorageMb())) {
      return Optional.empty();
    }
    Optional<Process> runner = pool.takeLayered(d.spec().runtime(), d.spec().memoryMb(), layer, codeOf(d));
    if (runner.isEmpty()) {
      return Optional.empty();
    }
    Path classInitLog = pool.claimClassInitLog(runner.get());
    return Optional.of(starts.pooledLambda(r, LaunchRung.POOL_LAYER, runner.get(),
        instance -> layers.learnWhenEnded(instance, layer, classInitLog)));
  }

  /** Keeps runners of the function's layer warm, when the pool keeps that layer (else PoolRung warms plain ones). */
  @Override
  public void prepare(Deployment d) {
    LibraryLayers.Layer layer = layers.layerOf(d);
    if (pool.keepsLayer(layer) && PoolRung.startable(d, starts.config())) {
      pool.prepare(d.spec().runtime(), d.spec().memoryMb(), layer, codeOf(d));
    }
  }

  /** A layered runner is started for one function revision and loads its code ahead (see PoolRunners.Preload). */
  static PoolRunners.Preload codeOf(Deployment d) {
    return new PoolRunners.Preload(d.codeDir(), d.spec().handler(), d.name());
  }
}
