package dev.pilotlight.activation.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MetricsHistoryTest {
  /** A ledger in memory, as the SQLite one behaves: put replaces a function's minute. */
  static final class MemoryLedger implements MetricsHistory.Ledger {
    final Map<String, TreeMap<Long, byte[]>> rows = new HashMap<>();
    int puts;
    boolean failing;

    @Override
    public Map<String, byte[]> minute(long minute) {
      Map<String, byte[]> out = new HashMap<>();
      rows.forEach((f, m) -> {
        if (m.containsKey(minute)) {
          out.put(f, m.get(minute));
        }
      });
      return out;
    }

    @Override
    public void put(Map<String, Map<Long, byte[]>> samples) {
      if (failing) {
        throw new IllegalStateException("disk full");
      }
      puts++;
      samples.forEach((f, m) -> rows.computeIfAbsent(f, k -> new TreeMap<>()).putAll(m));
    }

    @Override
    public NavigableMap<Long, byte[]> range(String function, long from, long to) {
      return new TreeMap<>(rows.getOrDefault(function, new TreeMap<>()).subMap(from, true, to, false));
    }

    @Override
    public void forget(String function) {
      rows.remove(function);
    }

    @Override
    public void prune(long minute) {
      rows.values().forEach(m -> m.headMap(minute).clear());
    }
  }

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-05T10:00:00Z"));
  final MemoryLedger ledger = new MemoryLedger();
  final MetricsHistory history = new MetricsHistory(ledger, clock, true);

  @Test
  void aWindowHasEveryStepWithEachMinutesNumbersInItsStep() {
    history.call("fn", 2.0, false, false);
    history.call("fn", 4.0, true, false);
    history.call("fn", 0, false, true);
    history.served("fn", 1.0, false, 3, 1024, true, "pool-layer", 5.0, false);
    clock.advance(Duration.ofMinutes(2));
    history.served("fn", 100.0, false, 100, 512, false, null, 0, true);

    MetricsHistory.Window w = history.window("fn", Duration.ofMinutes(15), null);
    assertThat(w.stepSeconds()).isEqualTo(60);
    assertThat(w.steps()).hasSize(15);
    assertThat(w.steps().getLast()).isEqualTo(Instant.parse("2026-12-05T10:02:00Z"));
    MinuteSample first = w.samples().get(12);
    assertThat(first.invocations()).isEqualTo(3);
    assertThat(first.errors()).isEqualTo(1);
    assertThat(first.throttles()).isEqualTo(1);
    assertThat(first.coldStarts()).containsOnlyKeys("pool-layer");
    assertThat(first.usedGbSeconds()).isCloseTo(3 * 1024 / 1024.0 / 1000, within(1e-9));
    assertThat(w.samples().get(13).invocations()).isZero();
    MinuteSample last = w.samples().get(14);
    assertThat(last.invocations()).isEqualTo(1);
    assertThat(last.prewarmHits()).isEqualTo(1);
    assertThat(last.durationPercentile(0.5)).isCloseTo(100, within(5.0));
    assertThat(w.total().invocations()).isEqualTo(4);
    assertThat(w.events()).extracting(MetricsHistory.Event::kind).containsExactly("cold-start");
  }

  @Test
  void longWindowsGetCoarserStepsThatMergeTheirMinutes() {
    assertThat(MetricsHistory.stepSecondsFor(Duration.ofMinutes(15))).isEqualTo(60);
    assertThat(MetricsHistory.stepSecondsFor(Duration.ofHours(6))).isEqualTo(60);
    assertThat(MetricsHistory.stepSecondsFor(Duration.ofHours(24))).isEqualTo(300);
    assertThat(MetricsHistory.stepSecondsFor(Duration.ofDays(7))).isEqualTo(1800);
    clock.set(Instant.parse("2026-12-05T10:00:30Z"));
    history.call("fn", 1, false, false);
    clock.set(Instant.parse("2026-12-05T10:04:30Z"));
    history.call("fn", 1000, false, false);
    history.demand("fn@2", 7);
    history.demand("fn", 3);
    MetricsHistory.Window w = history.window("fn", Duration.ofHours(24), null);
    assertThat(w.stepSeconds()).isEqualTo(300);
    assertThat(w.steps()).hasSizeBetween(288, 289);
    MinuteSample step = w.samples().getLast();
    assertThat(w.steps().getLast()).isEqualTo(Instant.parse("2026-12-05T10:00:00Z"));
    assertThat(step.invocations()).isEqualTo(2);
    assertThat(step.durationPercentile(0.99)).isCloseTo(1000, within(50.0));
    assertThat(step.concurrencyMax()).as("an older revision's pool counts as the function's").isEqualTo(7);
  }

  @Test
  void aFlushWritesOnlyWhatChangedAndAMinuteOnceOverLivesOnDiskOnly() {
    history.flush();
    assertThat(ledger.puts).as("nothing happened: nothing written").isZero();
    history.call("fn", 1, false, false);
    history.flush();
    history.flush();
    assertThat(ledger.puts).isEqualTo(1);
    clock.advance(Duration.ofSeconds(61));
    history.call("fn", 1, false, false); // the next minute: the first one ended
    history.flush();
    assertThat(ledger.rows.get("fn")).hasSize(2);
    assertThat(MinuteSample.decode(ledger.rows.get("fn").firstEntry().getValue()).invocations()).isEqualTo(1);
  }

  @Test
  void aFailedFlushIsWrittenByTheNext() {
    history.call("fn", 1, false, false);
    ledger.failing = true;
    assertThatThrownBy(history::flush).hasMessageContaining("disk full");
    ledger.failing = false;
    history.flush();
    assertThat(ledger.rows.get("fn")).hasSize(1);
  }

  @Test
  void aDaemonRestartedWithinAMinuteGoesOnFromWhatWasStoredOfIt() {
    history.call("fn", 1, false, false);
    history.call("fn", 1, false, false);
    history.flush();
    clock.advance(Duration.ofSeconds(20));
    MetricsHistory restarted = new MetricsHistory(ledger, clock, true);
    restarted.call("fn", 1, false, false);
    restarted.flush();
    assertThat(restarted.window("fn", Duration.ofMinutes(1), null).total().invocations()).isEqualTo(3);
  }

  @Test
  void scalingIsCountedWithItsEventsAndInstancesAreSampled() {
    history.scaled("fn", true);
    history.scaled("fn", true);
    history.scaled("fn", false);
    history.instances("fn", 4, 2);
    history.instances("idle-fn", 0, 0);
    history.idle("fn", 2048, Duration.ofSeconds(10));
    history.prewarmed("fn");
    MetricsHistory.Window w = history.window("fn", Duration.ofMinutes(5), null);
    MinuteSample now = w.samples().getLast();
    assertThat(now.scaleUps()).isEqualTo(2);
    assertThat(now.scaleDowns()).isEqualTo(1);
    assertThat(now.readyMax()).isEqualTo(4);
    assertThat(now.startingMax()).isEqualTo(2);
    assertThat(now.idleGbSeconds()).isCloseTo(20.0, within(1e-9));
    assertThat(now.prewarms()).isEqualTo(1);
    assertThat(w.events()).extracting(MetricsHistory.Event::kind).containsExactly("scale-up", "scale-up", "scale-down");
    assertThat(w.events()).extracting(MetricsHistory.Event::instances).containsExactly(1, 2, 1);
    assertThat(ledger.rows).as("a function that did nothing costs nothing").doesNotContainKey("idle-fn");
  }

  @Test
  void eventsAreBoundedPerFunction() {
    for (int i = 0; i < 3 * MetricsHistory.EVENTS_KEPT; i++) {
      history.scaled("fn", i % 2 == 0);
    }
    assertThat(history.window("fn", Duration.ofMinutes(1), null).events()).hasSize(MetricsHistory.EVENTS_KEPT);
  }

  @Test
  void minutesPastTheRetentionArePrunedAndARemovedFunctionIsForgotten() {
    history.call("old", 1, false, false);
    history.call("gone", 1, false, false);
    history.flush();
    clock.advance(MetricsHistory.RETENTION.plusMinutes(2));
    history.call("new", 1, false, false);
    history.flush();
    history.prune();
    assertThat(ledger.rows.get("old")).isEmpty();
    history.forget("gone");
    assertThat(ledger.rows).doesNotContainKey("gone");
    assertThat(ledger.rows.get("new")).hasSize(1);
  }

  @Test
  void badWindowsAndStepsAreRefused() {
    assertThatThrownBy(() -> history.window("fn", Duration.ofDays(8), null)).hasMessageContaining("since");
    assertThatThrownBy(() -> history.window("fn", Duration.ZERO, null)).hasMessageContaining("since");
    assertThatThrownBy(() -> history.window("fn", Duration.ofHours(1), 90)).hasMessageContaining("multiple of 60");
    assertThatThrownBy(() -> history.window("fn", Duration.ofDays(7), 60)).hasMessageContaining("points");
  }

  @Test
  void switchedOffItRecordsAndWritesNothing() {
    MetricsHistory off = new MetricsHistory(ledger, clock, false);
    off.call("fn", 1, false, false);
    off.scaled("fn", true);
    off.flush();
    assertThat(ledger.puts).isZero();
  }

  @Test
  void aSampleReadsBackAsItWasWritten() {
    history.call("fn", 3, true, false);
    history.served("fn", 3, false, 3, 128, true, "aot", 40, false);
    history.served("fn", 3, false, 3, 128, true, "pool", 4, false);
    history.demand("fn", 5);
    MinuteSample s = history.window("fn", Duration.ofMinutes(1), null).total();
    MinuteSample back = MinuteSample.decode(s.encode());
    assertThat(back.encode()).isEqualTo(s.encode());
    assertThat(back.coldStarts()).containsOnlyKeys("aot", "pool");
    assertThat(back.coldStartCount()).isEqualTo(2);
    assertThat(back.concurrencyMax()).isEqualTo(5);
    assertThatThrownBy(() -> MinuteSample.decode(new byte[] {9})).isInstanceOf(IllegalArgumentException.class);
  }
}
