package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.io.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code aot} rung: a new JVM mapping the function's AOT cache (see AotCaches), for java
 * functions and for {@code http} apps whose command runs a JVM; declines until the cache is
 * trained. At deploy it queues the training; a java function's training also teaches its library
 * layer which classes to initialise (PoolLayers).
 */
final class AotRung implements Rung {
  private final AotCaches aot;
  private final InstanceStarts starts;
  private final PoolLayers layers;
  private final InstanceLogSink logs;

  AotRung(AotCaches aot, InstanceStarts starts, PoolLayers layers, InstanceLogSink logs) {
    this.aot = aot;
    this.starts = starts;
    this.layers = layers;
    this.logs = logs;
  }

  @Override
  public LaunchRung rung() {
    return LaunchRung.AOT;
  }

  /** Looking for the cache reads the file system. */
  @Override
  public boolean blocks() {
    return true;
  }

  @Override
  public Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest r) {
    Deployment d = r.deployment();
    if (r.lambdaStyle()) {
      Path cache = aot.cacheFor(d);
      if (cache == null) {
        return Optional.empty();
      }
      ExecutorConfig config = starts.config();
      return Optional.of(starts.newLambdaProcess(r, LaunchRung.AOT,
          LambdaCommands.withJavaOptions(r.command(), config.javaOptions(), AotCaches.options(config.javaOptions(), cache))));
    }
    Path cache = aot.httpCacheFor(d);
    if (cache == null) {
      return Optional.empty();
    }
    return Optional.of(starts.newHttpProcess(r, LaunchRung.AOT, Map.of("JAVA_TOOL_OPTIONS", AotCaches.toolOptions(d, cache))));
  }

  @Override
  public void prepare(Deployment d) {
    if (d.spec().runtime() == Runtime.HTTP) {
      try {
        aot.trainHttp(d, LoopbackPorts.freePort());
      } catch (IOException e) {
        logs.line(d.name(), "-", null, "AOT cache not built: no free port for the training run");
      }
      return;
    }
    LibraryLayers.Layer layer = layers.layerOf(d);
    // A layer without an initialisation list (new, or from before lists existed) trains even if the cache exists.
    aot.train(d, layers.lacksInitList(layer), initLogs -> layers.learnFromTraining(layer, initLogs));
  }
}
