package dev.pilotlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TickerTest {
  private static final Duration EVERY = Duration.ofMillis(5);
  /** Bound on waiting for the ticker's thread; generous, and never the thing under test. */
  private static final long WAIT_SECONDS = 10;

  @Test
  void startedWhileBusyItRunsWhileThereIsWorkThenWaitsForAWake() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean busy = new AtomicBoolean(true);
    try (Ticker t = new Ticker("test-ticker", runs::incrementAndGet)) {
      t.startWhileBusy(EVERY, busy::get);
      awaitRuns(runs, 3); // runs again and again while busy
      busy.set(false);
      int settled = settle(runs);
      TimeUnit.MILLISECONDS.sleep(100); // 20 periods: a ticking ticker would have run again
      assertThat(runs.get()).as("runs while not busy").isEqualTo(settled);

      t.wake();
      t.wake(); // a run is due already: still one
      awaitRuns(runs, settled + 1);
      TimeUnit.MILLISECONDS.sleep(100);
      assertThat(runs.get()).as("one run per wake while not busy").isEqualTo(settled + 1);

      t.close();
      t.wake(); // after close: nothing, and no error
      TimeUnit.MILLISECONDS.sleep(50);
      assertThat(runs.get()).isEqualTo(settled + 1);
    }
  }

  @Test
  void aWakeBeforeTheStartAndARunThatThrowsStopNothing() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (Ticker t = new Ticker("test-ticker", () -> {
      runs.incrementAndGet();
      throw new IllegalStateException("broken on purpose");
    })) {
      t.wake(); // not started: nothing
      t.startWhileBusy(EVERY, () -> true);
      awaitRuns(runs, 3); // a run that throws is logged and the next comes
    }
  }

  private static void awaitRuns(AtomicInteger runs, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (runs.get() < atLeast && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(1);
    }
    assertThat(runs.get()).isGreaterThanOrEqualTo(atLeast);
  }

  /** The count once the run under way when busy turned false (and the one it may have asked for) are over. */
  private static int settle(AtomicInteger runs) throws InterruptedException {
    int last;
    do {
      last = runs.get();
      TimeUnit.MILLISECONDS.sleep(30);
    } while (runs.get() != last);
    return last;
  }
}
