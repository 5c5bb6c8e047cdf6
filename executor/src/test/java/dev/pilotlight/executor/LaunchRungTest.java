package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rungs' names (a contract with users, status JSON, logs and the benchmark), their order, and what PILOTLIGHT_LAUNCH allows. */
class LaunchRungTest {
  @TempDir Path tmp;
  RungFixtures f;

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
  }

  @Test
  void namesAreTheContractStringsFastestFirst() {
    assertThat(Arrays.stream(LaunchRung.values()).map(LaunchRung::id)).containsExactly("snapshot", "pool-layer", "pool", "aot", "plain");
    assertThat(LaunchRung.SETTING).isEqualTo("PILOTLIGHT_LAUNCH");
  }

  private Set<LaunchRung> admitted(Runtime runtime, String setting) {
    Set<LaunchRung> out = EnumSet.noneOf(LaunchRung.class);
    for (LaunchRung r : LaunchRung.values()) {
      if (r.admits(f.deployment(runtime, setting == null ? Map.of() : Map.of(LaunchRung.SETTING, setting)))) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void eachSettingCapsTheRungsAsDocumented() {
    // java: every rung but the snapshot (http only)
    assertThat(admitted(Runtime.JAVA, null)).containsExactly(LaunchRung.POOL_LAYER, LaunchRung.POOL, LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.JAVA, "auto")).isEqualTo(admitted(Runtime.JAVA, null));
    assertThat(admitted(Runtime.JAVA, "pool")).containsExactly(LaunchRung.POOL, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.JAVA, "aot")).containsExactly(LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.JAVA, "plain")).containsExactly(LaunchRung.PLAIN);
    // http: snapshot, aot, plain; "snapshot" means at most a snapshot, an unknown value everything but it
    assertThat(admitted(Runtime.HTTP, null)).containsExactly(LaunchRung.SNAPSHOT, LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.HTTP, "snapshot")).containsExactly(LaunchRung.SNAPSHOT, LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.HTTP, "pool-layer")).containsExactly(LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.HTTP, "aot")).containsExactly(LaunchRung.AOT, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.HTTP, "pool")).containsExactly(LaunchRung.PLAIN);
    // python and node: the generic pool; provided: only a plain launch
    assertThat(admitted(Runtime.PYTHON, null)).containsExactly(LaunchRung.POOL, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.NODE, "pool")).containsExactly(LaunchRung.POOL, LaunchRung.PLAIN);
    assertThat(admitted(Runtime.PROVIDED, null)).containsExactly(LaunchRung.PLAIN);
  }

  @Test
  void aStartUpVariableKeepsAJavaFunctionOnNewJvms() {
    var d = f.deployment(Runtime.JAVA, Map.of("JAVA_TOOL_OPTIONS", "-Dx=1"));
    assertThat(EnumSet.allOf(LaunchRung.class).stream().filter(r -> r.admits(d))).containsExactly(LaunchRung.AOT, LaunchRung.PLAIN);
  }

  @Test
  void aFunctionWithSecretsIsNeverRestoredFromASnapshotButKeepsTheOtherRungs() {
    var http = f.deployment(Runtime.HTTP);
    var withSecret = new dev.pilotlight.model.Deployment(http.spec().toBuilder().secrets(Map.of("TOKEN", "token")).build(), 1,
        http.codeSha256(), 1, http.codeDir(), http.deployedAt());
    var withFile = new dev.pilotlight.model.Deployment(http.spec().toBuilder().secretFiles(Map.of("token", "token")).build(), 1,
        http.codeSha256(), 1, http.codeDir(), http.deployedAt());
    assertThat(LaunchRung.SNAPSHOT.admits(http)).isTrue();
    for (var d : java.util.List.of(withSecret, withFile)) {
      assertThat(LaunchRung.SNAPSHOT.admits(d)).isFalse();
      assertThat(LaunchRung.AOT.admits(d)).isTrue();
      assertThat(LaunchRung.PLAIN.admits(d)).isTrue();
    }
    var java = f.deployment(Runtime.JAVA);
    var javaWithSecret = new dev.pilotlight.model.Deployment(java.spec().toBuilder().secrets(Map.of("TOKEN", "token")).build(), 1,
        java.codeSha256(), 1, java.codeDir(), java.deployedAt());
    assertThat(LaunchRung.POOL.admits(javaWithSecret)).as("handed over on the runner's stdin, as its other variables").isTrue();
  }
}
