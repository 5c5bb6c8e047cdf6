package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Which library layer a function's pool runners carry, and how a layer's initialisation list
 * grows: from the AOT training runs of the functions using it (AotRung) and from the instances
 * served by layered runners when they end (PoolLayerRung). A grown list renews the layer's waiting
 * runners, so the next cold start on that layer finds those classes initialised. A layer's list
 * only grows, up to the classes its jars hold.
 */
final class PoolLayers {
  private final LibraryLayers layers;
  private final PoolRunners pool;
  private final InstanceLogSink logs;
  private final Executor background;

  PoolLayers(LibraryLayers layers, PoolRunners pool, InstanceLogSink logs, Executor background) {
    this.layers = layers;
    this.pool = pool;
    this.logs = logs;
    this.background = background;
  }

  /** {@code d}'s layer if it may use a layered runner, else NONE; computed once per code directory (at deploy), so no hashing on a cold start. */
  LibraryLayers.Layer layerOf(Deployment d) {
    return LaunchRung.POOL_LAYER.admits(d) ? layers.of(d.codeDir()) : LibraryLayers.Layer.NONE;
  }

  /** Whether {@code layer} has no initialisation list yet (new, or from before lists existed): its function's training is then worth running. */
  boolean lacksInitList(LibraryLayers.Layer layer) {
    return layer.hasJars() && !Files.isRegularFile(layer.initList());
  }

  /** Adds what a training run initialised to {@code layer}'s list (on the training thread). */
  void learnFromTraining(LibraryLayers.Layer layer, List<Path> classInitLogs) {
    try {
      if (layers.recordInitialised(layer, classInitLogs)) {
        pool.renew(layer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * When {@code instance}, served from a runner of {@code layer}, ends: adds the layer classes it
   * initialised (during its init and its calls) to the layer's list, in the background.
   */
  void learnWhenEnded(ProcessInstance instance, LibraryLayers.Layer layer, Path classInitLog) {
    if (classInitLog == null) {
      return;
    }
    instance.exited().thenRunAsync(() -> {
      try {
        if (layers.recordInitialised(layer, List.of(classInitLog))) {
          pool.renew(layer);
        }
      } catch (IOException | RuntimeException e) {
        logs.line(instance.deployment().name(), instance.id(), null, "library layer initialisation list not updated: " + e);
      } finally {
        PoolProcesses.deleteQuietly(classInitLog);
      }
    }, background);
  }
}
