package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.Setting;
import dev.pilotlight.testing.Deployments;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The status view shows the declared settings under their view keys, which are a contract: nothing more, nothing less. */
class FunctionViewSettingsTest {

  @Test
  void theViewShowsEveryDeclaredViewKeyAndNoOther() {
    Set<String> shown = new HashSet<>();
    for (FunctionSpec spec : Deployments.everySettingSet()) {
      shown.addAll(FunctionView.settings(spec).keySet());
    }
    assertThat(shown).containsExactlyInAnyOrderElementsOf(
        FunctionSettings.ALL.stream().filter(s -> s.shown() != Setting.Shown.NEVER).map(Setting::viewKey).toList());
  }

  @Test
  void theViewKeysAreTheOnesClientsRead() {
    Set<String> shown = new HashSet<>();
    Deployments.everySettingSet().forEach(spec -> shown.addAll(FunctionView.settings(spec).keySet()));
    assertThat(shown).containsExactlyInAnyOrder("name", "runtime", "handler", "command", "readinessPath", "memoryMb", "ephemeralStorageMb",
        "timeoutSeconds",
        "concurrency", "minInstances", "maxInstances", "idleTimeoutSeconds", "env", "secrets", "secretFiles", "targetUtilization", "stableWindow", "panicWindow",
        "panicThreshold", "maxScaleUpRate", "maxScaleDownRate", "maxQueue", "maxQueueWait", "scaleDownDelay", "auth",
        "invokeMode", "onSuccess", "onFailure", "deadLetter", "description", "tags", "awsRuntime", "reservedConcurrency");
  }

  @Test
  void destinationsAreShownWithoutTheirPasswords() {
    var m = FunctionView.settings(Deployments.everySettingSet().getLast());
    assertThat(m).containsEntry("deadLetter", "amqp://u:****@mq:5672/%2F?queue=dlq")
        .containsEntry("onSuccess", "arn:aws:lambda:us-east-1:000000000000:function:audit");
  }

  @Test
  void valuesAreInTheViewsUnits() {
    FunctionSpec web = Deployments.everySettingSet().getFirst();
    var m = FunctionView.settings(web);
    assertThat(m).containsEntry("name", "web").containsEntry("runtime", "http").containsEntry("handler", null)
        .containsEntry("memoryMb", 512).containsEntry("timeoutSeconds", 1.5).containsEntry("idleTimeoutSeconds", 120.0)
        .containsEntry("readinessPath", "/healthz").containsEntry("stableWindow", "30s").containsEntry("maxQueueWait", "700ms")
        .containsEntry("targetUtilization", 0.5).containsEntry("maxQueue", 20).containsEntry("scaleDownDelay", "90s");
  }

  @Test
  void unsetScalingSettingsAreAbsentAndAnHttpAppShowsItsEffectiveReadinessPath() {
    var m = FunctionView.settings(FunctionSpec.of("web", Runtime.HTTP, null, "./run"));
    assertThat(m).containsEntry("readinessPath", "/").doesNotContainKeys("targetUtilization", "maxQueue", "scaleDownDelay");
    assertThat(FunctionView.settings(FunctionSpec.of("fn", Runtime.JAVA, "a.B", null))).doesNotContainKey("readinessPath")
        .containsEntry("command", null);
  }
}
