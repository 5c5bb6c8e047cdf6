package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class BlockingWorkTest {

  @Test
  void runsTheWorkOnThePool() {
    List<Runnable> queued = new ArrayList<>();
    List<Failure> refused = new ArrayList<>();
    boolean[] ran = {false};
    BlockingWork.submit(queued::add, () -> ran[0] = true, refused::add);
    assertThat(queued).hasSize(1);
    assertThat(ran[0]).isFalse(); // not on the caller's (event loop's) thread
    queued.getFirst().run();
    assertThat(ran[0]).isTrue();
    assertThat(refused).isEmpty();
  }

  @Test
  void aFullPoolAnswersUnavailableInsteadOfThrowingOnTheEventLoop() {
    Executor full = r -> {
      throw new RejectedExecutionException("queue full");
    };
    List<Failure> refused = new ArrayList<>();
    BlockingWork.submit(full, () -> { }, refused::add);
    assertThat(refused).singleElement().isInstanceOf(Failure.Unavailable.class)
        .extracting(Throwable::getMessage).asString().contains("busy");
    assertThat(ErrorResponses.of(refused.getFirst()).status().code()).isEqualTo(503);
  }
}
