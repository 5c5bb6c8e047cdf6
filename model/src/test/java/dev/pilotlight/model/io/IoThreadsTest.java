package dev.pilotlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IoThreadsTest {
  @Test
  void halfTheCoresAtLeastOneUnlessSet() {
    assertThat(IoThreads.of(null, 1)).isEqualTo(1);
    assertThat(IoThreads.of(null, 2)).isEqualTo(1);
    assertThat(IoThreads.of("", 3)).isEqualTo(1);
    assertThat(IoThreads.of(null, 8)).isEqualTo(4);
    assertThat(IoThreads.of(" 6 ", 2)).isEqualTo(6);
  }

  @Test
  void aBadSettingIsRefusedWithWhatItShouldBe() {
    for (String bad : new String[] {"0", "-1", "two", "1025"}) {
      assertThatThrownBy(() -> IoThreads.of(bad, 4)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("PILOTLIGHT_IO_THREADS=" + bad).hasMessageContaining("1 to 1024");
    }
  }
}
