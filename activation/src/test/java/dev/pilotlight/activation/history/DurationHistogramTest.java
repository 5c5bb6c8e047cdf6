package dev.pilotlight.activation.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DurationHistogramTest {
  @Test
  void percentilesAreWithinABucketsWidthOfTheExactOnes() {
    Random r = new Random(7);
    double[] exact = new double[10_000];
    DurationHistogram h = new DurationHistogram();
    for (int i = 0; i < exact.length; i++) {
      exact[i] = Math.exp(r.nextGaussian() * 2 + 1); // log-normal around 2.7 ms, spanning µs to seconds
      h.add(exact[i]);
    }
    Arrays.sort(exact);
    for (double p : new double[] {0.5, 0.9, 0.99}) {
      double truth = exact[(int) Math.ceil(p * exact.length) - 1];
      assertThat(h.percentile(p)).as("p%s", p).isCloseTo(truth, within(truth * 0.05));
    }
    assertThat(h.count()).isEqualTo(10_000);
  }

  @Test
  void mergedHistogramsGiveThePercentilesOfAllTheirDurations() {
    DurationHistogram fast = new DurationHistogram();
    DurationHistogram slow = new DurationHistogram();
    for (int i = 0; i < 90; i++) {
      fast.add(1.0);
    }
    for (int i = 0; i < 10; i++) {
      slow.add(1000.0);
    }
    fast.addAll(slow);
    assertThat(fast.percentile(0.5)).isCloseTo(1.0, within(0.05));
    assertThat(fast.percentile(0.99)).isCloseTo(1000.0, within(50.0));
  }

  @Test
  void outOfRangeDurationsGoToTheEndBucketsAndEmptyHasNoPercentile() {
    DurationHistogram h = new DurationHistogram();
    assertThat(h.percentile(0.5)).isNaN();
    h.add(-3);
    h.add(Double.NaN);
    h.add(1e12);
    assertThat(DurationHistogram.bucket(-3)).isZero();
    assertThat(DurationHistogram.bucket(1e12)).isEqualTo(DurationHistogram.BUCKETS - 1);
    assertThat(DurationHistogram.middle(DurationHistogram.BUCKETS - 1)).isGreaterThan(900_000);
    assertThat(h.count()).isEqualTo(3);
  }

  @Test
  void writesOnlyItsNonEmptyBucketsAndReadsBackEqual() throws Exception {
    DurationHistogram h = new DurationHistogram();
    h.add(0.2);
    h.add(0.2);
    h.add(35);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    h.write(new DataOutputStream(bytes));
    assertThat(bytes.size()).isEqualTo(2 + 2 * 6);
    DurationHistogram back = DurationHistogram.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(back).isEqualTo(h);
    assertThat(back.count()).isEqualTo(3);
  }
}
