package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InvocationTimerTest {
  final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  final AtomicLong now = new AtomicLong(1_000);
  final InvocationTimer timer = new InvocationTimer(scheduler, Runnable::run, 50, now::get);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** Waits until everything the scheduler had been given before this call has run. */
  void drained() throws Exception {
    scheduler.schedule(() -> {}, 0, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
  }

  @Test
  void timeoutsEndingInOneSlotShareOneScheduledTask() {
    now.set(1_000_001); // a slot far ahead of the scheduler's real clock: nothing fires during the test
    timer.after(60_000, () -> {});
    now.addAndGet(10);
    timer.after(60_000, () -> {}).cancel();
    now.addAndGet(10);
    timer.after(60_000, () -> {});
    assertThat(timer.scheduledSlots()).isEqualTo(1);
    now.addAndGet(40); // the next slot
    timer.after(60_000, () -> {});
    assertThat(timer.scheduledSlots()).isEqualTo(2);
  }

  @Test
  void aTimeoutRunsAtItsSlotsEndAndACancelledOneNever() throws Exception {
    CountDownLatch fired = new CountDownLatch(1);
    AtomicBoolean cancelledRan = new AtomicBoolean();
    timer.after(30, fired::countDown);
    timer.after(30, () -> cancelledRan.set(true)).cancel();
    assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    drained();
    assertThat(cancelledRan).isFalse();
  }

  @Test
  void aTimeoutSetForASlotThatHasAlreadyFiredStillRuns() throws Exception {
    CountDownLatch first = new CountDownLatch(1);
    timer.after(0, first::countDown);
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
    drained();
    CountDownLatch second = new CountDownLatch(1);
    timer.after(0, second::countDown); // the same slot, already taken out by its firing: a new task is asked for
    assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(timer.scheduledSlots()).isEqualTo(2);
  }

  @Test
  void aNegativeDelayIsDueAtOnce() throws Exception {
    CountDownLatch fired = new CountDownLatch(1);
    timer.after(-5, fired::countDown);
    assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
