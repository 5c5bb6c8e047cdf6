package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.model.Failure;
import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeInstance;
import dev.pilotlight.testing.FakeLauncher;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the shell around the pool state owns: waiters' futures, their timers, and leases nobody wants any more. */
class FunctionPoolShellTest {
  final FakeLauncher launcher = new FakeLauncher();
  final ManualClock clock = new ManualClock();
  final List<Duration> scheduled = new ArrayList<>();
  final List<Runnable> timers = new ArrayList<>();
  final List<Duration> cancelled = new ArrayList<>();
  final List<String> demand = new ArrayList<>();

  Activator activator() {
    ActivationEvents events = new ActivationEvents() {
      @Override
      public void functionDemand(String function, int requests, int instances, Instant now) {
        demand.add(requests + "/" + instances);
      }
    };
    Activator a = new Activator(launcher::launch, new ScalingDecider()::instancesToStart, events, clock, new Activator.Settings(100, null),
        MemoryBudget.unlimited(), (delay, task) -> {
          scheduled.add(delay);
          timers.add(task);
          return () -> cancelled.add(delay);
        });
    a.deploy(Deployments.java("f", 1, 1));
    return a;
  }

  @Test
  void aQueuedRequestsWaitEndsWhenTheTimerItWasGivenFiresNotByItself() {
    Activator a = activator();
    CompletableFuture<Lease> waiting = a.acquire("f");
    assertThat(scheduled).containsExactly(Duration.ofSeconds(30)); // the function's timeout
    assertThat(waiting).isNotDone();
    timers.getFirst().run();
    assertThatThrownBy(waiting::join).cause().isInstanceOf(Failure.QueueTimeout.class);
    assertThat(a.snapshot("f").orElseThrow().queued()).isZero();
    assertThat(demand).containsExactly("1/1", "0/0");
  }

  @Test
  void aTimerThatFiresAfterTheWaiterWasServedChangesNothing() {
    Activator a = activator();
    CompletableFuture<Lease> waiting = a.acquire("f");
    launcher.completeNext();
    Lease lease = waiting.join();
    timers.getFirst().run();
    assertThat(a.snapshot("f").orElseThrow().inFlight()).isEqualTo(1);
    lease.release(true);
  }

  @Test
  void aServedWaitCancelsItsTimerAndOneThatTimesOutToo() {
    Activator a = activator();
    CompletableFuture<Lease> served = a.acquire("f");
    assertThat(cancelled).isEmpty();
    launcher.completeNext();
    served.join().release(true);
    assertThat(cancelled).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void aCallerThatGivesUpLeavesTheQueueAndTheSlotItWouldHaveHadStaysFree() {
    Activator a = activator();
    CompletableFuture<Lease> waiting = a.acquire("f");
    waiting.cancel(false);
    assertThat(a.snapshot("f").orElseThrow().queued()).isZero();
    FakeInstance i = launcher.completeNext();
    assertThat(a.snapshot("f").orElseThrow().inFlight()).isZero();
    assertThat(a.acquire("f").join().instance()).isSameAs(i);
  }
}
