package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.executor.FakeRung.Answer;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a cold start goes down the ladder: which rung serves, which are skipped, where it hops threads, and when it falls through. */
class LaunchLadderTest {
  @TempDir Path tmp;
  RungFixtures f;
  /** Runs a blocking rung "on a launcher thread": here, on the caller's, renamed for the test to see, and counted. */
  final AtomicInteger hops = new AtomicInteger();
  final Executor launcher = task -> {
    hops.incrementAndGet();
    Thread t = Thread.currentThread();
    String name = t.getName();
    t.setName("launcher");
    try {
      task.run();
    } finally {
      t.setName(name);
    }
  };

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
  }

  private static String served(CompletableFuture<ProcessInstance> launched) {
    return launched.join().launchStrategy();
  }

  @Test
  void theFastestRungThatClaimsServesAndTheOnesBelowAreNotAsked() {
    FakeRung layer = new FakeRung(LaunchRung.POOL_LAYER, false, Answer.DECLINE);
    FakeRung pool = new FakeRung(LaunchRung.POOL, false, Answer.CLAIM);
    FakeRung aot = new FakeRung(LaunchRung.AOT, true, Answer.CLAIM);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    LaunchLadder ladder = new LaunchLadder(List.of(plain, aot, pool, layer), launcher);

    assertThat(ladder.rungs()).containsExactly(LaunchRung.POOL_LAYER, LaunchRung.POOL, LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(served(ladder.launch(f.request(f.deployment(Runtime.JAVA))))).isEqualTo("pool");
    assertThat(layer.askedOn).hasSize(1);
    assertThat(aot.askedOn).isEmpty();
    assertThat(plain.askedOn).isEmpty();
    assertThat(hops).as("a pooled cold start stays on the caller's thread").hasValue(0);
  }

  @Test
  void rungsThatDoNotAdmitTheFunctionAreSkippedWithoutBeingAsked() {
    FakeRung snapshot = new FakeRung(LaunchRung.SNAPSHOT, true, Answer.CLAIM);
    FakeRung pool = new FakeRung(LaunchRung.POOL, false, Answer.CLAIM);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    LaunchLadder ladder = new LaunchLadder(List.of(snapshot, pool, plain), launcher);

    // a provided runtime: neither the snapshot (http only) nor the pool admits it
    assertThat(served(ladder.launch(f.request(f.deployment(Runtime.PROVIDED))))).isEqualTo("plain");
    assertThat(snapshot.askedOn).isEmpty();
    assertThat(pool.askedOn).isEmpty();
    // capped to plain by PILOTLIGHT_LAUNCH
    assertThat(served(ladder.launch(f.request(f.deployment(Runtime.PYTHON, Map.of("PILOTLIGHT_LAUNCH", "plain")))))).isEqualTo("plain");
    assertThat(pool.askedOn).isEmpty();
  }

  @Test
  void theWalkMovesToALauncherThreadOnceAtTheFirstBlockingRung() {
    FakeRung pool = new FakeRung(LaunchRung.POOL, false, Answer.DECLINE);
    FakeRung aot = new FakeRung(LaunchRung.AOT, true, Answer.DECLINE);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    LaunchLadder ladder = new LaunchLadder(List.of(pool, aot, plain), launcher);

    assertThat(served(ladder.launch(f.request(f.deployment(Runtime.JAVA))))).isEqualTo("plain");
    assertThat(pool.askedOn).doesNotContain("launcher");
    assertThat(aot.askedOn).containsExactly("launcher");
    assertThat(plain.askedOn).containsExactly("launcher");
    assertThat(hops).hasValue(1);
  }

  @Test
  void aFailedLaunchOnARungThatFallsThroughGoesOnDownTheLadder() {
    FakeRung snapshot = new FakeRung(LaunchRung.SNAPSHOT, true, true, Answer.FAIL, new CopyOnWriteArrayList<>());
    FakeRung aot = new FakeRung(LaunchRung.AOT, true, Answer.DECLINE);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    LaunchLadder ladder = new LaunchLadder(List.of(snapshot, aot, plain), launcher);

    assertThat(served(ladder.launch(f.request(f.deployment(Runtime.HTTP))))).isEqualTo("plain");
    assertThat(snapshot.askedOn).hasSize(1);
    assertThat(aot.askedOn).hasSize(1);
    assertThat(hops).as("once to the snapshot, once more after the failed restore, as before").hasValue(2);
  }

  @Test
  void aFailedLaunchOnAnyOtherRungFailsTheColdStart() {
    FakeRung aot = new FakeRung(LaunchRung.AOT, true, Answer.FAIL);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    LaunchLadder ladder = new LaunchLadder(List.of(aot, plain), launcher);

    assertThatThrownBy(() -> ladder.launch(f.request(f.deployment(Runtime.JAVA))).join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("aot could not start");
    assertThat(plain.askedOn).isEmpty();
  }

  @Test
  void aRungThatThrowsFailsTheLaunchInsteadOfTheCaller() {
    FakeRung pool = new FakeRung(LaunchRung.POOL, false, Answer.THROW);
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    CompletableFuture<ProcessInstance> launched = new LaunchLadder(List.of(pool, plain), launcher).launch(f.request(f.deployment(Runtime.JAVA)));
    assertThat(launched).isCompletedExceptionally();
    assertThatThrownBy(launched::join).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("pool broke");
  }

  @Test
  void rungsPrepareInTodaysOrderTrainingFirstOnlyForFunctionsTheyAdmit() {
    List<String> prepared = new CopyOnWriteArrayList<>();
    LaunchLadder ladder = new LaunchLadder(List.of(
        new FakeRung(LaunchRung.PLAIN, true, false, Answer.CLAIM, prepared),
        new FakeRung(LaunchRung.POOL, false, false, Answer.CLAIM, prepared),
        new FakeRung(LaunchRung.SNAPSHOT, true, true, Answer.CLAIM, prepared),
        new FakeRung(LaunchRung.POOL_LAYER, false, false, Answer.CLAIM, prepared),
        new FakeRung(LaunchRung.AOT, true, false, Answer.CLAIM, prepared)), launcher);

    ladder.prepare(f.deployment(Runtime.HTTP));
    assertThat(prepared).containsExactly("aot", "snapshot", "plain");
    prepared.clear();
    ladder.prepare(f.deployment(Runtime.JAVA));
    assertThat(prepared).containsExactly("aot", "pool-layer", "pool", "plain");
  }

  @Test
  void aWithdrawnRungIsNoLongerAskedOrPrepared() {
    FakeRung snapshot = new FakeRung(LaunchRung.SNAPSHOT, true, true, Answer.CLAIM, new CopyOnWriteArrayList<>());
    FakeRung plain = new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM);
    LaunchLadder ladder = new LaunchLadder(List.of(snapshot, plain), launcher);
    ladder.withdraw(LaunchRung.SNAPSHOT);

    assertThat(ladder.rungs()).containsExactly(LaunchRung.PLAIN);
    assertThat(served(ladder.launch(f.request(f.deployment(Runtime.HTTP))))).isEqualTo("plain");
    ladder.prepare(f.deployment(Runtime.HTTP));
    assertThat(snapshot.askedOn).isEmpty();
    assertThat(snapshot.prepared).isEmpty();
    assertThatThrownBy(() -> ladder.withdraw(LaunchRung.PLAIN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLadderHasThePlainRungAndEachRungOnce() {
    assertThatThrownBy(() -> new LaunchLadder(List.of(new FakeRung(LaunchRung.POOL, false, Answer.CLAIM)), launcher))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: the plain rung");
    assertThatThrownBy(() -> new LaunchLadder(List.of(new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM),
        new FakeRung(LaunchRung.PLAIN, true, Answer.CLAIM)), launcher))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("rungs: plain twice (expected: at most one of each)");
  }
}
