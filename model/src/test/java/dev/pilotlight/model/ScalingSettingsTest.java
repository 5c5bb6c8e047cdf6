package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScalingSettingsTest {
  @Test
  void aFunctionsSettingsLayerOverTheDaemonsOverTheDefaults() {
    ScalingSettings daemon = new ScalingSettings(0.5, null, null, 3.0, null, null, 200, Duration.ofSeconds(5), null);
    ScalingSettings function = new ScalingSettings(null, Duration.ofSeconds(20), null, null, null, 4.0, null, null, null);
    ScalingSettings s = function.over(daemon).over(ScalingSettings.DEFAULTS);
    assertThat(s).isEqualTo(new ScalingSettings(0.5, Duration.ofSeconds(20), Duration.ofSeconds(6), 3.0, 1000.0, 4.0, 200,
        Duration.ofSeconds(5), Duration.ofSeconds(60)));
  }

  @Test
  void anInheritedPanicWindowLongerThanTheFunctionsStableWindowIsCutToIt() {
    ScalingSettings function = new ScalingSettings(null, Duration.ofSeconds(6), null, null, null, null, null, null, null);
    ScalingSettings daemon = ScalingSettings.DEFAULTS.withMaxQueue(1);
    assertThat(function.over(new ScalingSettings(null, null, Duration.ofSeconds(30), null, null, null, null, null, null)).panicWindow())
        .isEqualTo(Duration.ofSeconds(6));
    assertThat(function.over(daemon).panicWindow()).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void everyValueIsCheckedAndTheMessageNamesTheKey() {
    assertThatThrownBy(() -> new ScalingSettings(0.0, null, null, null, null, null, null, null, null))
        .isInstanceOf(Failure.InvalidInput.class).hasMessage("targetUtilization: 0.0 (expected: 0.01 to 1, e.g. 0.7)");
    assertThatThrownBy(() -> new ScalingSettings(null, Duration.ofSeconds(5), null, null, null, null, null, null, null))
        .hasMessage("stableWindow: PT5S (expected: between 6s and 1h)");
    assertThatThrownBy(() -> new ScalingSettings(null, null, Duration.ZERO, null, null, null, null, null, null))
        .hasMessage("panicWindow: PT0S (expected: between 1s and 1h)");
    assertThatThrownBy(() -> new ScalingSettings(null, null, null, 1.0, null, null, null, null, null))
        .hasMessageStartingWith("panicThreshold: 1.0 (expected: 1.1 to 10");
    assertThatThrownBy(() -> new ScalingSettings(null, null, null, null, 0.5, null, null, null, null))
        .hasMessageStartingWith("maxScaleUpRate: 0.5 (expected: more than 1");
    assertThatThrownBy(() -> new ScalingSettings(null, null, null, null, null, null, 100_001, null, null))
        .hasMessage("maxQueue: 100001 (expected: 1..100000)");
    assertThatThrownBy(() -> new ScalingSettings(null, null, null, null, null, null, null, null, Duration.ofSeconds(-1)))
        .hasMessageContaining("scaleDownDelay");
    assertThatThrownBy(() -> new ScalingSettings(null, null, null, null, null, null, null, null, Duration.ofMinutes(61)))
        .hasMessageContaining("scaleDownDelay");
    assertThatThrownBy(() -> new ScalingSettings(null, null, null, null, null, null, null, Duration.ofMinutes(16), null))
        .hasMessage("maxQueueWait: PT16M (expected: between 1ms and 15m)");
    assertThat(ScalingSettings.UNSET.isUnset()).isTrue();
  }

  @Test
  void aSpecWithoutScalingSettingsHasThemUnset() {
    FunctionSpec s = FunctionSpec.of("f", Runtime.JAVA, "a.B", null);
    assertThat(s.scaling()).isSameAs(ScalingSettings.UNSET);
    assertThat(s.withScaling(null).scaling()).isEqualTo(ScalingSettings.UNSET);
    assertThat(s.withScaling(ScalingSettings.UNSET.withMaxQueue(3)).scaling().maxQueue()).isEqualTo(3);
  }
}
