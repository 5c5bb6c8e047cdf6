package dev.pilotlight.executor;

import dev.pilotlight.model.Runtime;
import java.nio.file.Path;
import java.util.Optional;

/** What the pool rungs need from the warm pool (WarmPool): runners to take, queues to warm. */
interface PoolRunners {
  /**
   * The function revision a layered Java runner is started for: its code directory (content-addressed,
   * never rewritten) and handler, and the function's name. Such a runner shows that code at its task
   * root from its start and loads it ahead (defined and linked, nothing initialised: the runner's
   * PreloadedCode); it is only ever given that function revision. {@link #NONE}: a runner for any
   * function of its key.
   */
  record Preload(Path codeDir, String handler, String function) {
    static final Preload NONE = new Preload(null, null, null);

    boolean isNone() {
      return codeDir == null;
    }
  }

  /**
   * Whether a runner can become an instance of a function with {@code ephemeralStorageMb} of
   * {@code /tmp}: a sandboxed runner's {@code /tmp} was mounted at its start, with the default size.
   */
  boolean fits(int ephemeralStorageMb);

  /** Whether runners pre-loaded with {@code layer} are kept (a real layer, and layers are kept at all). */
  boolean keepsLayer(LibraryLayers.Layer layer);

  /**
   * A waiting runner pre-loaded with exactly {@code layer} and {@code code}, if the layer is {@link
   * #keepsLayer kept}; its queue is topped up either way.
   */
  Optional<Process> takeLayered(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code);

  /**
   * A waiting runner without libraries for a function whose layer is {@code layer}; its queue is
   * topped up either way. When {@code layer} is kept, the function asked its layered queue first and
   * this queue is only looked at: it is not created or grown on that function's behalf.
   */
  Optional<Process> takeGeneric(Runtime runtime, int memoryMb, LibraryLayers.Layer layer);

  /**
   * Keeps runners warm for functions of this runtime, memory size and layer ({@link LibraryLayers.Layer#NONE}
   * for none); with a kept layer, for the function revision {@code code} alone.
   */
  void prepare(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code);

  /** Replaces the waiting runners of {@code layer} (its initialisation list grew). */
  void renew(LibraryLayers.Layer layer);

  /** The class initialisation log of a layered runner just taken, renamed so it outlives the pool's clean-up; null if none. */
  Path claimClassInitLog(Process taken);
}
