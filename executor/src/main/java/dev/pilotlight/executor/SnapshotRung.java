package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The {@code snapshot} rung: restores the CRIU image of an initialised {@code http} app (Snapshots,
 * SnapshotRestorer); declines when the app has no image or a restored copy already holds its port.
 * A restore that fails falls through to the next rung, so a snapshot problem never fails a
 * request. Exists only where CRIU may be used (see ProcessExecutor's factory).
 */
final class SnapshotRung implements Rung {
  /** The images (Snapshots). */
  interface Images {
    /** Claims {@code d}'s image for one restored copy; empty when there is none free (see Snapshots#claim). */
    Optional<Snapshots.Image> claim(Deployment d);

    /** Makes {@code d}'s image unless it exists, on the caller's thread (see Snapshots#make). */
    void make(Deployment d);

    /** {@code d}'s image will be made later (see Snapshots#queued). */
    default void queued(Deployment d) {}
  }

  /** Restores an image as instance {@code id} (SnapshotRestorer). */
  interface Restorer {
    CompletableFuture<ProcessInstance> restore(String id, Deployment d, Snapshots.Image image);
  }

  private final Images images;
  private final Restorer restorer;
  private final Consumer<Runnable> afterTrainings;
  private final InstanceLogSink logs;

  /** @param afterTrainings runs a job on the AOT training thread after the trainings queued so far (AotCaches#afterTrainings) */
  SnapshotRung(Images images, Restorer restorer, Consumer<Runnable> afterTrainings, InstanceLogSink logs) {
    this.images = images;
    this.restorer = restorer;
    this.afterTrainings = afterTrainings;
    this.logs = logs;
  }

  @Override
  public LaunchRung rung() {
    return LaunchRung.SNAPSHOT;
  }

  /** Claiming an image binds its port to see that it is free. */
  @Override
  public boolean blocks() {
    return true;
  }

  @Override
  public Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest r) {
    Deployment d = r.deployment();
    Optional<Snapshots.Image> image = images.claim(d);
    if (image.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(restorer.restore(r.id(), d, image.get()).whenComplete((instance, e) -> {
      if (e != null) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        logs.line(d.name(), r.id(), null, "snapshot restore failed (starting the app instead): " + cause.getMessage());
      }
    }));
  }

  @Override
  public boolean fallsThrough() {
    return true;
  }

  /** The image is made after the app's AOT training (queued by AotRung just before), so it maps the trained cache. */
  @Override
  public void prepare(Deployment d) {
    images.queued(d);
    afterTrainings.accept(() -> images.make(d));
  }
}
