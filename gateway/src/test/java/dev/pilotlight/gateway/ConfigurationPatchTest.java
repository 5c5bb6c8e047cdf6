package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.testing.Deployments;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigurationPatchTest {
  static ConfigurationPatch parse(String json) {
    return ConfigurationPatch.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void changesOnlyWhatItNames() {
    FunctionSpec before = Deployments.javaSpec("fn", 1, 10, Duration.ofMinutes(5));
    FunctionSpec after = parse("{\"memoryMb\": 512, \"maxInstances\": 3, \"timeoutSeconds\": 2.5}").applyTo(before);
    assertThat(after.memoryMb()).isEqualTo(512);
    assertThat(after.maxInstances()).isEqualTo(3);
    assertThat(after.timeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(after.concurrency()).isEqualTo(before.concurrency());
    assertThat(after.handler()).isEqualTo(before.handler());
    assertThat(after.env()).isEqualTo(before.env());
  }

  @Test
  void refusesWhatItCannotChangeAndBadValues() {
    assertThatThrownBy(() -> parse("{\"handler\": \"x.y\"}")).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("redeploy");
    assertThatThrownBy(() -> parse("{}")).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("nothing to change");
    assertThatThrownBy(() -> parse("{\"memoryMb\": \"lots\"}")).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("whole number");
    assertThatThrownBy(() -> parse("{\"memoryMb\": 1.5}")).isInstanceOf(Failure.InvalidInput.class);
    assertThatThrownBy(() -> parse("{\"timeoutSeconds\": 0}")).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("above 0");
    assertThatThrownBy(() -> parse("[1]")).isInstanceOf(Failure.InvalidInput.class);
  }

  @Test
  void theSpecsOwnChecksApply() {
    FunctionSpec before = Deployments.javaSpec("fn", 1, 10, Duration.ofMinutes(5));
    assertThatThrownBy(() -> parse("{\"minInstances\": 5, \"maxInstances\": 2}").applyTo(before)).isInstanceOf(Failure.InvalidInput.class);
    assertThatThrownBy(() -> parse("{\"memoryMb\": 1}").applyTo(before)).isInstanceOf(Failure.InvalidInput.class);
  }
}
