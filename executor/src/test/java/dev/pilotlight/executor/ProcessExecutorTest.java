package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.executor.FakeRung.Answer;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Instance;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor over a ladder of fake rungs: which rung served, the fallback after a failed restore, and how failures are reported. */
class ProcessExecutorTest {
  @TempDir Path tmp;
  RungFixtures f;
  WarmPool pool;
  final List<String> prepared = new CopyOnWriteArrayList<>();

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
    pool = new WarmPool(f.config, new WarmPool.Settings(0, 0), tmp.resolve("pool"), InstantSource.system(), () -> null);
  }

  @AfterEach
  void close() {
    pool.close();
  }

  private ProcessExecutor executor(FakeRung... rungs) {
    return new ProcessExecutor(f.config, f.logs, new LaunchLadder(List.of(rungs), Runnable::run), pool, Optional.empty(), Optional.empty());
  }

  @Test
  void theInstanceSaysWhichRungServedItAndHowLongItsInitTook() {
    ProcessExecutor executor = executor(new FakeRung(LaunchRung.POOL, false, Answer.CLAIM), new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM));
    Instance python = executor.launch(f.deployment(Runtime.PYTHON)).join();
    assertThat(python.launchStrategy()).isEqualTo("pool");
    assertThat(python.id()).isEqualTo("f-1");
    assertThat(python.initDuration()).isPositive();
    assertThat(executor.launch(f.deployment(Runtime.PROVIDED)).join().launchStrategy()).isEqualTo("plain");
  }

  @Test
  void aFailedRestoreFallsBackToTheNextRungThatServes() {
    FakeRung snapshot = new FakeRung(LaunchRung.SNAPSHOT, true, true, Answer.FAIL, prepared);
    ProcessExecutor executor = executor(snapshot, new FakeRung(LaunchRung.AOT, true, Answer.CLAIM), new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM));
    assertThat(executor.launch(f.deployment(Runtime.HTTP)).join().launchStrategy()).isEqualTo("aot");
    assertThat(snapshot.askedOn).hasSize(1);
    assertThat(f.logLines).noneMatch(l -> l.contains("INIT_FAILED"));
  }

  @Test
  void aFailedLaunchIsLoggedAndReportedAsInstanceFailed() {
    ProcessExecutor executor = executor(new FakeRung(LaunchRung.PLAIN, true, Answer.FAIL));
    CompletableFuture<Instance> launched = executor.launch(f.deployment(Runtime.PYTHON));
    assertThatThrownBy(launched::join).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("plain could not start f-1");
    assertThat(f.logLines).containsExactly("f INIT_FAILED plain could not start f-1");
  }

  @Test
  void aRuntimeThatCannotStartHereFailsBeforeAnyRungIsAsked() {
    FakeRung pool = new FakeRung(LaunchRung.POOL, false, Answer.CLAIM);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    CompletableFuture<Instance> launched = executor(pool, plain).launch(f.deployment(Runtime.NODE)); // no node on this daemon
    assertThatThrownBy(launched::join).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("no node on the daemon's PATH");
    assertThat(pool.askedOn).isEmpty();
    assertThat(plain.askedOn).isEmpty();
    assertThat(f.logLines).singleElement().asString().startsWith("f INIT_FAILED node runtime");
  }

  @Test
  void prepareReadiesTheRungsThatAdmitTheFunction() {
    ProcessExecutor executor = executor(new FakeRung(LaunchRung.POOL, false, false, Answer.CLAIM, prepared),
        new FakeRung(LaunchRung.AOT, true, false, Answer.CLAIM, prepared), new FakeRung(LaunchRung.PLAIN, true, false, Answer.CLAIM, prepared));
    executor.prepare(f.deployment(Runtime.JAVA, Map.of("PILOTLIGHT_LAUNCH", "aot")));
    assertThat(prepared).containsExactly("aot", "plain");
  }

  @Test
  void theFactoriesBuildTheLaddersTheHostOffers() throws IOException {
    try (var runtimeApi = RuntimeApiServer.create()) {
      try (ProcessExecutor plainOnly = ProcessExecutor.create(f.config, runtimeApi, f.logs)) {
        assertThat(plainOnly.ladder().rungs()).containsExactly(LaunchRung.PLAIN);
      }
      try (ProcessExecutor full = ProcessExecutor.create(f.config, runtimeApi, f.logs, WarmPool.Settings.defaults(), tmp.resolve("state"),
          InstantSource.system(), mb -> false, "off")) {
        assertThat(full.ladder().rungs()).as("criu off: no snapshot rung")
            .containsExactly(LaunchRung.POOL_LAYER, LaunchRung.POOL, LaunchRung.AOT, LaunchRung.PLAIN);
      }
      try (ProcessExecutor noPool = ProcessExecutor.create(f.config, runtimeApi, f.logs, new WarmPool.Settings(0, 0), tmp.resolve("state2"),
          InstantSource.system(), mb -> false, "/nonexistent/criu")) {
        assertThat(noPool.ladder().rungs()).as("pool size 0: no pool rungs").doesNotContain(LaunchRung.POOL_LAYER, LaunchRung.POOL);
        // CRIU is looked for in the background; once found unusable, its rung leaves the ladder
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (noPool.ladder().rungs().contains(LaunchRung.SNAPSHOT)) {
          assertThat(System.nanoTime()).as("waiting for CRIU detection").isLessThan(deadline);
          Thread.onSpinWait();
        }
        assertThat(noPool.ladder().rungs()).containsExactly(LaunchRung.AOT, LaunchRung.PLAIN);
      }
    }
  }
}
