package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class PeakMemoryTest {
  @Test
  void readsVmHwmInKb() {
    assertThat(PeakMemory.parseVmHwmKb("Name:\tjava\nVmPeak:\t 3000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t 40000 kB\n")).isEqualTo(51_234);
    assertThat(PeakMemory.parseVmHwmKb("Name:\tjava\n")).isZero();
    assertThat(PeakMemory.parseVmHwmKb(null)).isZero();
  }

  @Test
  void thisProcessHasAPeakOnLinux() {
    long kb = PeakMemory.highWaterMarkKb(ProcessHandle.current().pid());
    if (System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
      assertThat(kb).isGreaterThan(1000);
    }
    assertThat(PeakMemory.highWaterMarkKb(Long.MAX_VALUE)).isZero();
  }
}
