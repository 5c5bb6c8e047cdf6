package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IoThreadsTest {
  @Test
  void halfTheCoresAtLeastOneUnlessSet() {
    assertThat(Wiring.ioThreads(null, 1)).isEqualTo(1);
    assertThat(Wiring.ioThreads(null, 2)).isEqualTo(1);
    assertThat(Wiring.ioThreads("", 3)).isEqualTo(1);
    assertThat(Wiring.ioThreads(null, 8)).isEqualTo(4);
    assertThat(Wiring.ioThreads(" 6 ", 2)).isEqualTo(6);
  }

  @Test
  void aBadSettingIsRefusedWithWhatItShouldBe() {
    for (String bad : new String[] {"0", "-1", "two", "1025"}) {
      assertThatThrownBy(() -> Wiring.ioThreads(bad, 4)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("PILOTLIGHT_IO_THREADS=" + bad).hasMessageContaining("1 to 1024");
    }
  }
}
