package dev.pilotlight.bench;

import static dev.pilotlight.model.FunctionSettings.SCALE_DOWN_DELAY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.ScalingSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The trace replay's scale-down delay is the daemon's flag of the declared setting. */
class TraceFlagsTest {
  @Test
  void theScaleDownDelayFlagIsTheDaemonsAndDefaultsToTheDeclaredDefault() {
    var spec = new CommandLine(new TraceCommand(System.out, System.err)).getCommandSpec();
    var option = spec.findOption(SCALE_DOWN_DELAY.daemonFlag());
    assertThat(option).isNotNull();
    assertThat(SCALE_DOWN_DELAY.parse(SCALE_DOWN_DELAY.daemonFlag(), (String) option.getValue()))
        .isEqualTo(ScalingSettings.DEFAULT_SCALE_DOWN_DELAY);
  }
}
