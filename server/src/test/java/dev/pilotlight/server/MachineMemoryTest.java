package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.ScalingSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MachineMemoryTest {
  @Test
  void readsMemTotalFromProcMeminfo() {
    String meminfo = """
        MemTotal:       24683656 kB
        MemFree:         1234567 kB
        MemAvailable:   20000000 kB
        """;
    assertThat(MachineMemory.parseMemTotalMb(meminfo)).isEqualTo(24_105L);
    assertThat(MachineMemory.parseMemTotalMb("MemFree: 1 kB\n")).isNull();
  }

  @Test
  void theDefaultBudgetIsAShareOfTheMachine() {
    assertThat(MachineMemory.defaultBudgetMb(24_104, 0.75)).isEqualTo(18_078);
    assertThat(MachineMemory.defaultBudgetMb(0, 0.75)).isEqualTo(1);
    assertThat(MachineMemory.totalMb()).isPositive();
  }

  @Test
  void theDaemonsScalingSettingsAlwaysCarryItsMaxQueue() {
    DaemonConfig c = DaemonConfig.defaults(Path.of("/tmp/x"), Path.of("/tmp/r.jar"));
    assertThat(c.scaling().maxQueue()).isEqualTo(1000);
    assertThat(c.scaling().stableWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.memoryBudgetMb()).isPositive();
    DaemonConfig small = c.withScaling(ScalingSettings.UNSET.withMaxQueue(7)).withMemoryBudgetMb(512);
    assertThat(small.maxQueue()).isEqualTo(7);
    assertThat(small.scaling().maxQueue()).isEqualTo(7);
    assertThat(small.memoryBudgetMb()).isEqualTo(512);
  }
}
