package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class WiringTest {
  @Test
  void anInitDurationReadsAsTheFormatterWouldWriteIt() {
    for (long nanos : new long[] {0, 1, 49_999, 50_000, 940_000, 5_449_999, 5_450_001, 999_950_000, 12_345_678_901L}) {
      assertThat(Wiring.tenths(nanos)).as("%d ns", nanos).isEqualTo(String.format(Locale.ROOT, "%.1f", nanos / 1e6));
    }
  }
}
