package dev.pilotlight.activation.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Usage;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageMeterTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T10:59:59Z"));

  /** An in-memory ledger that can be made to fail. */
  static final class MemoryLedger implements UsageLedger {
    final Map<String, Map<Instant, Usage>> rows = new HashMap<>();
    boolean failing;

    @Override
    public void add(Map<String, Map<Instant, Usage>> batch) {
      if (failing) {
        throw new IllegalStateException("disk full");
      }
      batch.forEach((f, hours) -> hours.forEach((h, u) -> rows.computeIfAbsent(f, k -> new HashMap<>()).merge(h, u, Usage::plus)));
    }

    @Override
    public Usage total(String function, Instant since) {
      return rows.getOrDefault(function, Map.of()).entrySet().stream().filter(e -> since == null || !e.getKey().isBefore(UsageMeter.hourOf(since)))
          .map(Map.Entry::getValue).reduce(Usage.NONE, Usage::plus);
    }

    @Override
    public void forget(String function) {
      rows.remove(function);
    }
  }

  final MemoryLedger ledger = new MemoryLedger();
  final UsageMeter meter = new UsageMeter(ledger, clock);

  @Test
  void invocationsAndIdleTimeAreSummedPerHourInMegabyteMilliseconds() {
    meter.invocation("f", 100, 256, 80, true, 40, false);
    meter.idle("f", 256, Duration.ofSeconds(2), false);
    clock.advance(Duration.ofSeconds(1)); // 11:00:00, the next hour
    meter.invocation("f", 50, 256, 90, false, 0, true);
    meter.idle("f", 256, Duration.ofSeconds(4), true);
    meter.prewarmed("f");
    assertThat(ledger.rows).isEmpty(); // nothing written before a flush
    meter.flush();
    assertThat(ledger.rows.get("f")).hasSize(2);
    Usage u = meter.usage("f", null);
    assertThat(u).isEqualTo(new Usage(2, 1, 1, 1, 150, 150 * 256, 2000 * 256, 4000 * 256, 40, 90));
    assertThat(u.usedGbSeconds()).isEqualTo(150 * 256 / 1024.0 / 1000);
    assertThat(u.idleGbSeconds()).isEqualTo(6000 * 256 / 1024.0 / 1000);
    assertThat(meter.usage("f", clock.instant()).invocations()).isEqualTo(1);
  }

  @Test
  void aFailedFlushKeepsTheSumsForTheNextOne() {
    meter.invocation("f", 10, 128, 0, false, 0, false);
    ledger.failing = true;
    assertThatThrownBy(meter::flush).hasMessage("disk full");
    ledger.failing = false;
    meter.invocation("f", 10, 128, 0, false, 0, false);
    assertThat(meter.usage("f", null).invocations()).isEqualTo(2);
  }

  @Test
  void aRemovedFunctionIsForgotten() {
    meter.invocation("f", 10, 128, 0, false, 0, false);
    meter.flush();
    meter.invocation("f", 10, 128, 0, false, 0, false);
    meter.forget("f");
    assertThat(meter.usage("f", null)).isEqualTo(Usage.NONE);
  }
}
