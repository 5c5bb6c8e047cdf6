package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot rung over fake images and a fake restorer: when it claims, what a failed restore says, and when images are made. */
class SnapshotRungTest {
  @TempDir Path tmp;
  RungFixtures f;
  final Snapshots.Image image = new Snapshots.Image(Path.of("/images/web-1"), 20001, null, null);
  volatile Snapshots.Image available;
  final List<String> made = new CopyOnWriteArrayList<>();
  final List<Runnable> trainingQueue = new ArrayList<>();
  volatile CompletableFuture<ProcessInstance> restore;
  SnapshotRung rung;

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
    SnapshotRung.Images images = new SnapshotRung.Images() {
      @Override
      public Optional<Snapshots.Image> claim(Deployment d) {
        return Optional.ofNullable(available);
      }

      @Override
      public void make(Deployment d) {
        made.add(d.name());
      }
    };
    rung = new SnapshotRung(images, (id, d, img) -> restore, trainingQueue::add, f.logs);
  }

  private ProcessInstance restored(LaunchRequest r) {
    return new HttpProcessInstance(r.id(), r.deployment(), Duration.ZERO, LaunchRung.SNAPSHOT.id(), image.address());
  }

  @Test
  void declinesWhenTheAppHasNoImageFreeToRestore() {
    assertThat(rung.claim(f.request(f.deployment(Runtime.HTTP)))).isEmpty();
    assertThat(rung.blocks()).as("claiming an image binds its port").isTrue();
  }

  @Test
  void restoresTheClaimedImage() {
    available = image;
    LaunchRequest r = f.request(f.deployment(Runtime.HTTP));
    restore = CompletableFuture.completedFuture(restored(r));
    assertThat(rung.claim(r).orElseThrow().join().launchStrategy()).isEqualTo("snapshot");
    assertThat(rung.claim(r).orElseThrow().join().httpAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 20001));
  }

  @Test
  void aFailedRestoreIsLoggedAndFallsThroughToTheRungsBelow() {
    available = image;
    restore = CompletableFuture.failedFuture(new Failure.InstanceFailed("criu restore exited with code 1: no pid"));
    CompletableFuture<ProcessInstance> launched = rung.claim(f.request(f.deployment(Runtime.HTTP))).orElseThrow();
    assertThatThrownBy(launched::join).hasCauseInstanceOf(Failure.InstanceFailed.class);
    assertThat(f.logLines).containsExactly("f snapshot restore failed (starting the app instead): criu restore exited with code 1: no pid");
    assertThat(rung.fallsThrough()).isTrue();
  }

  @Test
  void theImageIsMadeOnTheTrainingThreadAfterTheTrainingsQueuedBeforeIt() {
    rung.prepare(f.deployment(Runtime.HTTP));
    assertThat(made).as("queued, not made on the deploying thread").isEmpty();
    assertThat(trainingQueue).hasSize(1);
    trainingQueue.getFirst().run();
    assertThat(made).containsExactly("f");
  }
}
