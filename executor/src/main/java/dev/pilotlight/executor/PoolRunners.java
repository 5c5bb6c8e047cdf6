package dev.pilotlight.executor;

import dev.pilotlight.model.Runtime;
import java.nio.file.Path;
import java.util.Optional;

/** What the pool rungs need from the warm pool (WarmPool): runners to take, queues to warm. */
interface PoolRunners {
  /**
   * Whether a runner can become an instance of a function with {@code ephemeralStorageMb} of
   * {@code /tmp}: a sandboxed runner's {@code /tmp} was mounted at its start, with the default size.
   */
  boolean fits(int ephemeralStorageMb);

  /** Whether runners pre-loaded with {@code layer} are kept (a real layer, and layers are kept at all). */
  boolean keepsLayer(LibraryLayers.Layer layer);

  /** A waiting runner pre-loaded with exactly {@code layer}, if {@link #keepsLayer kept}; its queue is topped up either way. */
  Optional<Process> takeLayered(Runtime runtime, int memoryMb, LibraryLayers.Layer layer);

  /**
   * A waiting runner without libraries for a function whose layer is {@code layer}; its queue is
   * topped up either way. When {@code layer} is kept, the function asked its layered queue first and
   * this queue is only looked at: it is not created or grown on that function's behalf.
   */
  Optional<Process> takeGeneric(Runtime runtime, int memoryMb, LibraryLayers.Layer layer);

  /** Keeps runners warm for functions of this runtime, memory size and layer ({@link LibraryLayers.Layer#NONE} for none). */
  void prepare(Runtime runtime, int memoryMb, LibraryLayers.Layer layer);

  /** Replaces the waiting runners of {@code layer} (its initialisation list grew). */
  void renew(LibraryLayers.Layer layer);

  /** The class initialisation log of a layered runner just taken, renamed so it outlives the pool's clean-up; null if none. */
  Path claimClassInitLog(Process taken);
}
