package dev.pilotlight.activation.async;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The dispatcher driven by hand: a manual clock, an in-memory queue, a scripted runner, no threads. */
class AsyncDispatcherTest {
  private final ManualClock clock = new ManualClock();
  private final MemoryQueue queue = new MemoryQueue();
  private final List<String> runs = new ArrayList<>();
  private final List<CompletableFuture<Outcome>> pending = new ArrayList<>();
  private final List<String> logLines = new ArrayList<>();
  private FunctionSpec spec = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").memoryMb(128)
      .timeout(Duration.ofSeconds(3)).retryDelay(Duration.ofMillis(100)).build();

  private AsyncDispatcher dispatcher(AsyncDispatcher.Settings settings) {
    EventRunner runner = (function, requestId, payload) -> {
      runs.add(function + ":" + new String(payload, StandardCharsets.UTF_8));
      CompletableFuture<Outcome> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    };
    AsyncDispatcher.Specs specs = name -> name.equals(spec.name()) ? Optional.of(spec) : Optional.empty();
    return new AsyncDispatcher(queue, runner, specs, (f, r, line) -> logLines.add(line), settings, clock, Runnable::run, null);
  }

  private AsyncDispatcher dispatcher() {
    return dispatcher(AsyncDispatcher.Settings.defaults());
  }

  /** A scheduler that only records: each poll's delay, and the poll to run by hand. */
  static final class RecordingScheduler extends java.util.concurrent.ScheduledThreadPoolExecutor {
    final List<Long> delaysMs = new ArrayList<>();
    final List<Runnable> polls = new ArrayList<>();

    RecordingScheduler() {
      super(1);
    }

    @Override
    public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay, java.util.concurrent.TimeUnit unit) {
      delaysMs.add(unit.toMillis(delay));
      polls.add(command);
      return null;
    }

    void runLatest() {
      polls.getLast().run();
    }
  }

  /** A started dispatcher whose events all succeed at once, polling on {@code scheduler} (run by hand). */
  private AsyncDispatcher startPolling(RecordingScheduler scheduler) {
    EventRunner runner = (function, requestId, payload) -> CompletableFuture.completedFuture(new Outcome.Succeeded());
    var d = new AsyncDispatcher(queue, runner, name -> Optional.of(spec), (f, r, line) -> {}, AsyncDispatcher.Settings.defaults(), clock,
        Runnable::run, scheduler);
    d.start();
    return d;
  }

  @Test
  void aQuietQueueIsPolledLessAndLessUpToEveryFiveSecondsAndAtTheIntervalAgainOnceSomethingIsDue() {
    var scheduler = new RecordingScheduler();
    try {
      startPolling(scheduler);
      for (int i = 0; i < 8; i++) {
        scheduler.runLatest();
      }
      assertThat(scheduler.delaysMs).containsExactly(0L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
      queue.enqueue("f", "r1", "x".getBytes(StandardCharsets.UTF_8), clock.instant()); // e.g. a retry falling due
      scheduler.runLatest();
      assertThat(queue.events).isEmpty(); // run
      assertThat(scheduler.delaysMs.getLast()).isEqualTo(100L);
      scheduler.runLatest();
      assertThat(scheduler.delaysMs.getLast()).isEqualTo(200L);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void aQuietQueueWaitsForItsNextRetryExactlyNotForTheIdleBackOff() {
    var scheduler = new RecordingScheduler();
    try {
      var dispatcher = startPolling(scheduler);
      for (int i = 0; i < 6; i++) {
        scheduler.runLatest();
      }
      assertThat(scheduler.delaysMs.getLast()).isEqualTo(5000L);
      AsyncEvent retry = queue.enqueue("f", "r1", "x".getBytes(StandardCharsets.UTF_8), clock.instant());
      queue.events.get(retry.id()).due = clock.instant().plusMillis(1234); // queued again by a failed attempt
      scheduler.runLatest();
      assertThat(scheduler.delaysMs.getLast()).as("until the retry is due").isEqualTo(1234L);
      assertThat(queue.state(retry.id())).isEqualTo("queued");
      queue.events.get(retry.id()).due = clock.instant().plusMillis(20);
      scheduler.runLatest();
      assertThat(scheduler.delaysMs.getLast()).as("never below the poll interval").isEqualTo(100L);
      dispatcher.stopClaiming(); // a drain: the due retry is left for others, and not polled for every 100 ms
      clock.advance(Duration.ofSeconds(1));
      scheduler.runLatest();
      scheduler.runLatest();
      assertThat(scheduler.delaysMs.subList(scheduler.delaysMs.size() - 2, scheduler.delaysMs.size())).containsExactly(200L, 400L);
      assertThat(queue.state(retry.id())).isEqualTo("queued");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void anAcceptedEventIsStoredThenRunAtOnceAndRemovedOnSuccess() {
    AsyncDispatcher d = dispatcher();
    d.start();
    d.accept("f", "r1", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(runs).containsExactly("f:{\"n\":1}");
    assertThat(queue.state(1)).isEqualTo("claimed");
    pending.getFirst().complete(new Outcome.Succeeded());
    assertThat(queue.events).isEmpty();
    assertThat(d.inFlight()).isZero();
  }

  @Test
  void aDrainClaimsNothingNewLetsRunningEventsSettleAndHandsBackWhatStillRuns() {
    AsyncDispatcher d = dispatcher();
    d.start();
    d.accept("f", "r1", "a".getBytes(StandardCharsets.UTF_8));
    d.accept("f", "r2", "b".getBytes(StandardCharsets.UTF_8));
    d.stopClaiming();
    d.accept("f", "r3", "c".getBytes(StandardCharsets.UTF_8)); // stored, not run here
    assertThat(runs).containsExactly("f:a", "f:b");
    assertThat(queue.state(3)).isEqualTo("queued");

    pending.get(0).complete(new Outcome.Succeeded()); // finishes within the drain: settled as usual
    assertThat(queue.events).doesNotContainKey(1L);
    assertThat(d.handBack()).isEqualTo(1);
    assertThat(queue.state(2)).isEqualTo("queued");
    assertThat(queue.events.get(2L).event.attempts()).as("a drain does not count as an attempt").isZero();
    assertThat(logLines).anySatisfy(l -> assertThat(l).contains("queued again"));
    assertThat(d.inFlight()).isEqualTo(1);

    pending.get(1).complete(new Outcome.Succeeded()); // ends after the hand-back: left to whoever runs it next
    assertThat(queue.state(2)).isEqualTo("queued");
    assertThat(d.inFlight()).isZero();
  }

  @Test
  void aFailingEventIsRetriedTwiceOnTheFunctionsDelaysThenKeptAsFailed() {
    AsyncDispatcher d = dispatcher();
    d.start();
    d.accept("f", "r1", "x".getBytes(StandardCharsets.UTF_8));
    pending.get(0).complete(new Outcome.FunctionError("IllegalStateException: boom"));
    assertThat(queue.state(1)).isEqualTo("queued");

    clock.advanceMillis(99);
    d.tick();
    assertThat(runs).hasSize(1);
    clock.advanceMillis(1);
    d.tick();
    assertThat(runs).hasSize(2);
    pending.get(1).complete(new Outcome.FunctionError("IllegalStateException: boom"));

    clock.advanceMillis(199);
    d.tick();
    assertThat(runs).as("the second retry waits twice as long").hasSize(2);
    clock.advanceMillis(1);
    d.tick();
    assertThat(runs).hasSize(3);
    pending.get(2).complete(new Outcome.FunctionError("IllegalStateException: boom"));

    List<AsyncEvent> failed = d.failures("f");
    assertThat(failed).singleElement().satisfies(e -> {
      assertThat(e.attempts()).isEqualTo(3);
      assertThat(e.lastError()).isEqualTo("IllegalStateException: boom");
      assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("x");
    });
    assertThat(logLines).last().asString().startsWith("ASYNC event failed after 3 attempt(s)");

    clock.advance(Duration.ofHours(1));
    d.tick();
    assertThat(runs).as("a failed event stays put").hasSize(3);
    assertThat(d.redrive("f")).isEqualTo(1);
    assertThat(runs).hasSize(4);
    pending.get(3).complete(new Outcome.Succeeded());
    assertThat(d.failures("f")).isEmpty();
    assertThat(queue.events).isEmpty();
  }

  @Test
  void theDaemonDelayAppliesWhenTheFunctionSetsNone() {
    spec = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").memoryMb(128).timeout(Duration.ofSeconds(3)).build();
    AsyncDispatcher d = dispatcher(AsyncDispatcher.Settings.defaults().withRetryDelay(Duration.ofSeconds(7)));
    d.start();
    d.accept("f", "r1", new byte[0]);
    pending.getFirst().complete(new Outcome.FunctionError("E"));
    clock.advanceMillis(6_999);
    d.tick();
    assertThat(runs).hasSize(1);
    clock.advanceMillis(1);
    d.tick();
    assertThat(runs).hasSize(2);
  }

  @Test
  void aPausedDispatcherStoresEventsButRunsNone() {
    AsyncDispatcher d = dispatcher(AsyncDispatcher.Settings.defaults().withPaused(true));
    d.start();
    d.accept("f", "r1", new byte[0]);
    assertThat(runs).isEmpty();
    assertThat(queue.state(1)).isEqualTo("queued");
  }

  @Test
  void claimedEventsOfAPreviousRunAreRunAgainOnStart() {
    queue.enqueue("f", "r1", "old".getBytes(StandardCharsets.UTF_8), clock.instant());
    queue.claimDue(clock.instant(), 10); // a previous daemon took it and died
    AsyncDispatcher d = dispatcher();
    d.start();
    d.tick();
    assertThat(runs).containsExactly("f:old");
  }

  @Test
  void anEventOlderThanTheMaximumAgeIsNotRun() {
    queue.enqueue("f", "r1", new byte[0], clock.instant());
    clock.advance(Duration.ofHours(7));
    AsyncDispatcher d = dispatcher();
    d.start();
    d.tick();
    assertThat(runs).isEmpty();
    assertThat(d.failures("f")).singleElement().satisfies(e -> assertThat(e.lastError()).contains("older than the maximum event age"));
  }

  @Test
  void anEventOfARemovedFunctionFailsWithoutRunning() {
    AsyncDispatcher d = dispatcher();
    d.start();
    d.accept("gone", "r1", new byte[0]);
    assertThat(runs).isEmpty();
    assertThat(d.failures("gone")).singleElement().satisfies(e -> assertThat(e.lastError()).contains("does not exist"));
  }

  @Test
  void noMoreThanMaxInFlightRunAtOnce() {
    AsyncDispatcher d = dispatcher(new AsyncDispatcher.Settings(Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(100), 2, false));
    d.start();
    for (int i = 0; i < 5; i++) {
      d.accept("f", "r" + i, new byte[0]);
    }
    assertThat(runs).hasSize(2);
    pending.get(0).complete(new Outcome.Succeeded());
    d.tick();
    assertThat(runs).hasSize(3);
    assertThat(d.inFlight()).isEqualTo(2);
  }

  @Test
  void aThrottledEventIsTriedAgainWithoutUsingARetry() {
    AsyncDispatcher d = dispatcher();
    d.start();
    d.accept("f", "r1", new byte[0]);
    pending.getFirst().complete(new Outcome.Throttled("queue full"));
    clock.advanceMillis(1_000);
    d.tick();
    assertThat(runs).hasSize(2);
    pending.get(1).complete(new Outcome.FunctionError("E"));
    assertThat(queue.events.values()).singleElement().satisfies(e -> assertThat(e.event.attempts()).isEqualTo(1));
  }

  /** An in-memory {@link EventQueue} with the store's semantics. */
  /** Destinations that record what they were given, or refuse while {@code refuse} is set. */
  private final List<String> sent = new ArrayList<>();
  private String refuse;

  private AsyncDispatcher withDestinations(FunctionSpec s) {
    spec = s;
    return dispatcher().destinations((to, delivery) -> {
      if (refuse != null) {
        throw new java.io.IOException(refuse);
      }
      sent.add(delivery.kind() + " " + to.arn() + " " + delivery.condition() + " x" + delivery.invokeCount() + " "
          + delivery.event().requestId());
      return "ok";
    });
  }

  @Test
  void aSucceededEventsRecordGoesToTheOnSuccessDestinationThenLeavesTheQueue() {
    AsyncDispatcher d = withDestinations(spec.toBuilder().onSuccess("g").build());
    d.start();
    d.accept("f", "r1", "x".getBytes(StandardCharsets.UTF_8));
    pending.get(0).complete(new Outcome.Succeeded("y".getBytes(StandardCharsets.UTF_8)));
    assertThat(sent).containsExactly("on-success destination arn:aws:lambda:us-east-1:000000000000:function:g Success x1 r1");
    assertThat(queue.events).isEmpty();
  }

  @Test
  void anEventGivenUpOnGoesToTheOnFailureDestinationAndTheDeadLetterTargetAndIsNotKeptAsWell() {
    AsyncDispatcher d = withDestinations(spec.toBuilder().maxRetries(0).onFailure("g")
        .deadLetter("amqp://u:secret@h:5672/%2F?queue=dlq").build());
    d.start();
    d.accept("f", "r1", "x".getBytes(StandardCharsets.UTF_8));
    pending.get(0).complete(new Outcome.FunctionError("IllegalStateException: boom"));
    assertThat(sent).containsExactly(
        "on-failure destination arn:aws:lambda:us-east-1:000000000000:function:g RetriesExhausted x1 r1",
        "dead-letter target amqp://u:****@h:5672/%2F?queue=dlq RetriesExhausted x1 r1");
    assertThat(queue.events).as("sent on: not kept as a failure too").isEmpty();
    assertThat(logLines).last().asString().startsWith("ASYNC event failed after 1 attempt(s) (RetriesExhausted)");
  }

  @Test
  void anEventTooOldToRunAgainIsSentAsEventAgeExceeded() {
    AsyncDispatcher d = withDestinations(spec.toBuilder().maxEventAge(Duration.ofSeconds(1)).retryDelay(Duration.ofSeconds(2))
        .onFailure("g").build());
    d.start();
    d.accept("f", "r1", "x".getBytes(StandardCharsets.UTF_8));
    pending.get(0).complete(new Outcome.FunctionError("IllegalStateException: boom"));
    assertThat(sent).as("retries left, but the retry would come after the maximum age").singleElement().asString()
        .contains("EventAgeExceeded x1");
  }

  @Test
  void anEventWhoseDestinationRefusesIsKeptAsAFailureSayingWhy() {
    AsyncDispatcher d = withDestinations(spec.toBuilder().maxRetries(0).onFailure("g").build());
    refuse = "no such queue";
    d.start();
    d.accept("f", "r1", "x".getBytes(StandardCharsets.UTF_8));
    pending.get(0).complete(new Outcome.FunctionError("IllegalStateException: boom"));
    assertThat(d.failures("f")).singleElement().satisfies(e -> assertThat(e.lastError())
        .isEqualTo("IllegalStateException: boom; its on-failure destination arn:aws:lambda:us-east-1:000000000000:function:g "
            + "did not take it: no such queue"));

    // a success whose record is refused is kept too (a re-drive runs the function again: at least once)
    spec = spec.toBuilder().onFailure(null).onSuccess("g").build();
    d.accept("f", "r2", "x".getBytes(StandardCharsets.UTF_8));
    pending.get(1).complete(new Outcome.Succeeded());
    assertThat(d.failures("f")).hasSize(2).last().satisfies(e -> assertThat(e.lastError()).startsWith("the function succeeded, but its "
        + "on-success destination"));
  }

  static final class MemoryQueue implements EventQueue {
    static final class Row {
      AsyncEvent event;
      String state;
      Instant due;

      Row(AsyncEvent event, String state, Instant due) {
        this.event = event;
        this.state = state;
        this.due = due;
      }
    }

    final Map<Long, Row> events = new LinkedHashMap<>();
    private long next = 1;

    String state(long id) {
      return events.get(id).state;
    }

    @Override
    public Instant nextDue() {
      return events.values().stream().filter(r -> r.state.equals("queued")).map(r -> r.due).min(Instant::compareTo).orElse(null);
    }

    @Override
    public AsyncEvent enqueue(String function, String requestId, byte[] payload, Instant now) {
      AsyncEvent e = new AsyncEvent(next++, function, requestId, payload, now, 0, null, null);
      events.put(e.id(), new Row(e, "queued", now));
      return e;
    }

    @Override
    public List<AsyncEvent> claimDue(Instant now, int max) {
      List<AsyncEvent> out = new ArrayList<>();
      for (Row r : events.values()) {
        if (out.size() < max && r.state.equals("queued") && !r.due.isAfter(now)) {
          r.state = "claimed";
          out.add(r.event);
        }
      }
      return out;
    }

    @Override
    public void complete(long id) {
      events.remove(id);
    }

    @Override
    public void retry(long id, int attempts, Instant dueAt, String error) {
      Row r = events.get(id);
      AsyncEvent e = r.event;
      r.event = new AsyncEvent(e.id(), e.function(), e.requestId(), e.payload(), e.acceptedAt(), attempts, error, null);
      r.state = "queued";
      r.due = dueAt;
    }

    @Override
    public void fail(long id, int attempts, String error, Instant now) {
      Row r = events.get(id);
      AsyncEvent e = r.event;
      r.event = new AsyncEvent(e.id(), e.function(), e.requestId(), e.payload(), e.acceptedAt(), attempts, error, now);
      r.state = "failed";
    }

    @Override
    public List<AsyncEvent> failed(String function) {
      return events.values().stream().filter(r -> r.state.equals("failed") && r.event.function().equals(function)).map(r -> r.event).toList();
    }

    @Override
    public int redrive(String function, Instant now) {
      int n = 0;
      for (Row r : events.values()) {
        if (r.state.equals("failed") && r.event.function().equals(function)) {
          AsyncEvent e = r.event;
          r.event = new AsyncEvent(e.id(), e.function(), e.requestId(), e.payload(), now, 0, e.lastError(), null);
          r.state = "queued";
          r.due = now;
          n++;
        }
      }
      return n;
    }

    @Override
    public int purge(String function) {
      int before = events.size();
      events.values().removeIf(r -> r.event.function().equals(function));
      return before - events.size();
    }

    @Override
    public int requeueClaimed(Instant now) {
      int n = 0;
      for (Row r : events.values()) {
        if (r.state.equals("claimed")) {
          r.state = "queued";
          r.due = now;
          n++;
        }
      }
      return n;
    }
  }
}
