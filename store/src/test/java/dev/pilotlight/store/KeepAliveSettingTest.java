package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.KeepAlive;
import org.junit.jupiter.api.Test;

/** The {@code keepAlive} key: in the manifest, in the registry's JSON, absent meaning the daemon's. */
class KeepAliveSettingTest {
  static final String BASE = "runtime: java\nhandler: example.Hello\n";

  @Test
  void absentIsTheDaemonsAndEachModeParses() {
    assertThat(Manifest.parse(BASE, "f").keepAlive()).isNull();
    assertThat(Manifest.parse(BASE + "keepAlive: off\n", "f").keepAlive()).isEqualTo(KeepAlive.OFF);
    assertThat(Manifest.parse(BASE + "keepAlive: Fixed\n", "f").keepAlive()).isEqualTo(KeepAlive.FIXED);
    assertThat(Manifest.parse(BASE + "keepAlive: histogram\n", "f").keepAlive()).isEqualTo(KeepAlive.HISTOGRAM);
  }

  @Test
  void anUnknownModeNamesTheChoices() {
    assertThatThrownBy(() -> Manifest.parse(BASE + "keepAlive: 10m\n", "f"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("keepAlive: '10m' (expected one of: histogram, fixed, off)");
  }

  @Test
  void roundTripsThroughTheManifestAndTheRegistryJson() {
    FunctionSpec set = Manifest.parse(BASE + "keepAlive: off\n", "f");
    FunctionSpec unset = Manifest.parse(BASE, "f");
    for (FunctionSpec s : new FunctionSpec[] {set, unset}) {
      assertThat(Manifest.parse(Manifest.toYaml(s), null)).isEqualTo(s);
      assertThat(SpecJson.read(SpecJson.write(s))).isEqualTo(s);
    }
    assertThat(Manifest.toYaml(unset)).doesNotContain("keepAlive");
    assertThat(SpecJson.write(set)).contains("\"keepAlive\":\"off\"");
  }
}
