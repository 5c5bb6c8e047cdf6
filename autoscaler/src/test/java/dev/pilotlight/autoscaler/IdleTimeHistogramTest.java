package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdleTimeHistogramTest {

  @ParameterizedTest(name = "{0} s → bin {1}")
  @CsvSource({"0, 0", "59, 0", "60, 1", "599, 9", "14399, 239", "-5, 0"})
  void idleTimesFallInOneMinuteBins(long seconds, int bin) {
    IdleTimeHistogram h = new IdleTimeHistogram();
    h.record(Duration.ofSeconds(seconds));
    assertThat(h.count(bin)).isEqualTo(1);
    assertThat(h.inRange()).isEqualTo(1);
    assertThat(h.outOfRange()).isZero();
  }

  @Test
  void idleTimesPastFourHoursAreCountedOutOfRangeWithTheLastRemembered() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    h.record(Duration.ofHours(4));
    h.record(Duration.ofHours(6));
    assertThat(h.outOfRange()).isEqualTo(2);
    assertThat(h.inRange()).isZero();
    assertThat(h.lastOutOfRange()).isEqualTo(Duration.ofHours(6));
  }

  @Test
  void percentileBinsAreTheFirstBinReachingTheQuantile() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    for (int i = 0; i < 95; i++) {
      h.record(Duration.ofMinutes(10));
    }
    for (int i = 0; i < 5; i++) {
      h.record(Duration.ofMinutes(30));
    }
    assertThat(h.percentileBin(0.05)).isEqualTo(10);
    assertThat(h.percentileBin(0.95)).isEqualTo(10);
    assertThat(h.percentileBin(0.99)).isEqualTo(30);
    assertThat(new IdleTimeHistogram().percentileBin(0.5)).isEqualTo(-1);
  }

  @Test
  void concentratedIdleTimesHaveAHighCoefficientOfVariationAndSpreadOnesALowOne() {
    IdleTimeHistogram one = new IdleTimeHistogram();
    IdleTimeHistogram spread = new IdleTimeHistogram();
    for (int i = 0; i < 240; i++) {
      one.record(Duration.ofMinutes(5));
      spread.record(Duration.ofMinutes(i));
    }
    assertThat(one.coefficientOfVariation()).isGreaterThan(15); // sqrt(239)
    assertThat(spread.coefficientOfVariation()).isZero();
    assertThat(new IdleTimeHistogram().coefficientOfVariation()).isZero();
  }

  @Test
  void aFullBinHalvesEveryCountKeepingTheShape() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    h.record(Duration.ofMinutes(7));
    h.record(Duration.ofMinutes(7));
    h.record(Duration.ofMinutes(100));
    for (int i = 0; i < IdleTimeHistogram.MAX_COUNT; i++) {
      h.record(Duration.ZERO);
    }
    assertThat(h.count(0)).isEqualTo(IdleTimeHistogram.MAX_COUNT);
    h.record(Duration.ZERO);
    assertThat(h.count(0)).isEqualTo(16_384 + 1);
    assertThat(h.count(7)).isEqualTo(1);
    assertThat(h.count(100)).isEqualTo(1); // a bin that saw anything keeps at least 1
    assertThat(h.inRange()).isEqualTo(16_385 + 2);
  }

  @Test
  void bytesRoundTripAndStaySmall() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    for (int i = 0; i < 1000; i++) {
      h.record(Duration.ofMinutes(i % 3 == 0 ? 5 : 15));
    }
    h.record(Duration.ofHours(9));
    byte[] bytes = h.toBytes();
    assertThat(bytes).hasSize(8 + 2 * 3);
    IdleTimeHistogram back = IdleTimeHistogram.fromBytes(bytes);
    assertThat(back.count(5)).isEqualTo(334);
    assertThat(back.count(15)).isEqualTo(666);
    assertThat(back.inRange()).isEqualTo(1000);
    assertThat(back.outOfRange()).isEqualTo(1);
    assertThat(back.lastOutOfRange()).isEqualTo(Duration.ofHours(9));
    assertThat(back.toBytes()).isEqualTo(bytes);
    assertThat(new IdleTimeHistogram().toBytes()).hasSize(8);
  }

  @Test
  void damagedBytesAreRefusedWithAReason() {
    assertThatThrownBy(() -> IdleTimeHistogram.fromBytes(new byte[] {9})).hasMessageContaining("format 9");
    assertThatThrownBy(() -> IdleTimeHistogram.fromBytes(new byte[] {1, 0})).hasMessageContaining("truncated");
    assertThatThrownBy(() -> IdleTimeHistogram.fromBytes(new byte[] {1, 0, 0, 0, 0, 0, 0, 1, (byte) 250, 0, 1}))
        .hasMessageContaining("bin 250");
  }

  @Test
  void halvesSplitEveryBinAndAlternateTheOddOnesAndColdStartsCountWhatAWindowMisses() {
    IdleTimeHistogram h = new IdleTimeHistogram();
    for (int m : new int[] {0, 0, 0, 3, 50, 70}) {
      h.record(java.time.Duration.ofMinutes(m).plusSeconds(30));
    }
    h.record(java.time.Duration.ofHours(5));
    IdleTimeHistogram[] halves = h.halves();
    assertThat(halves[0].count(0)).isEqualTo(2); // 3: one each, the odd one to the first half
    assertThat(halves[1].count(0)).isEqualTo(1);
    assertThat(halves[1].count(3)).isEqualTo(1); // then alternately
    assertThat(halves[0].count(50)).isEqualTo(1);
    assertThat(halves[1].count(70)).isEqualTo(1);
    assertThat(halves[0].outOfRange() + halves[1].outOfRange()).isEqualTo(1);
    assertThat(halves[0].total() + halves[1].total()).isEqualTo(h.total());
    // kept 4 min: misses 50, 70 and the one past the range; pre-warmed 3 .. 51 min: misses the three short ones, 70 and the long one
    assertThat(h.coldStarts(java.time.Duration.ZERO, java.time.Duration.ofMinutes(4))).isEqualTo(3);
    assertThat(h.coldStarts(java.time.Duration.ofMinutes(3), java.time.Duration.ofMinutes(51))).isEqualTo(5);
  }
}
