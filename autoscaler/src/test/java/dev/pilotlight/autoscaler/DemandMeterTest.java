package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The activator's demand reports, integrated for the loop and passed on to the rhythm, on a manual clock. */
class DemandMeterTest {
  final ManualClock clock = new ManualClock();
  final IdleTimeTracker rhythms = new IdleTimeTracker();
  final DemandMeter meter = new DemandMeter(rhythms);

  @Test
  void integratesTheRequestsOverTimeUpToTheReadersInstant() {
    Instant t0 = clock.instant();
    meter.demand("f", 2, 2, t0);
    meter.demand("f", 1, 1, t0.plusMillis(500));
    assertThat(meter.read("f", t0.plusMillis(1000))).isEqualTo(new DemandMeter.Reading(1.5, t0.plusMillis(1000)));
  }

  @Test
  void aReportLaterThanTheReaderEndsTheIntegralThere() {
    Instant t0 = clock.instant();
    meter.demand("f", 1, 1, t0);
    meter.demand("f", 2, 2, t0.plusMillis(1030));
    assertThat(meter.read("f", t0.plusMillis(1000))).isEqualTo(new DemandMeter.Reading(1.03, t0.plusMillis(1030)));
  }

  @Test
  void timeGoingBackwardsAddsNothing() {
    Instant t0 = clock.instant();
    meter.demand("f", 1, 1, t0);
    assertThat(meter.read("f", t0.minusSeconds(5)).seconds()).isZero();
  }

  @Test
  void aFunctionThatNeverReportedHasNoReadingAndForgottenOnesStartAfresh() {
    assertThat(meter.read("f", clock.instant())).isNull();
    meter.demand("f", 1, 1, clock.instant());
    meter.retainAll(Set.of("g"));
    assertThat(meter.read("f", clock.instant())).isNull();
  }

  @Test
  void theRhythmHearsTheInstancesNeededSoBusyAndIdleSpellsAreLearned() {
    Instant t0 = clock.instant();
    meter.demand("f", 1, 1, t0);
    meter.demand("f", 0, 0, t0.plusSeconds(1));
    assertThat(rhythms.idleSince("f")).isEqualTo(t0.plusSeconds(1));
    meter.demand("f", 1, 1, t0.plus(Duration.ofMinutes(3)));
    assertThat(rhythms.idleSince("f")).isNull();
  }
}
