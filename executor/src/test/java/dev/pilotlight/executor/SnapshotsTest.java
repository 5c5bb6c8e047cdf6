package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snapshot rung's pure parts: finding CRIU's version, the commands, image keys and who may use the rung. */
class SnapshotsTest {
  private static Deployment deployment(Runtime runtime, String command, String sha, Map<String, String> env) {
    FunctionSpec spec = FunctionSpec.of("web", runtime, runtime == Runtime.HTTP ? null : "a.b", runtime == Runtime.HTTP ? command : null);
    spec = spec.toBuilder().env(env).build();
    return new Deployment(spec, 1, sha, 1, Path.of("/code"), Instant.EPOCH);
  }

  private static Deployment http(Map<String, String> env) {
    return deployment(Runtime.HTTP, "java -jar app.jar", "a".repeat(64), env);
  }

  @Test
  void criuVersionsAreReadFromItsVersionOutput() {
    assertThat(Criu.parseVersion("Version: 4.1.1\n")).isEqualTo("4.1.1");
    assertThat(Criu.parseVersion("Version: 3.17\nGitID: v3.17\n")).isEqualTo("3.17");
    assertThat(Criu.parseVersion("criu: command not found")).isNull();
    assertThat(Criu.atLeast("4.1.1", 4, 1)).isTrue();
    assertThat(Criu.atLeast("4.2", 4, 1)).isTrue();
    assertThat(Criu.atLeast("5.0", 4, 1)).isTrue();
    assertThat(Criu.atLeast("4.0", 4, 1)).isFalse();
    assertThat(Criu.atLeast("3.17", 4, 1)).isFalse();
  }

  @Test
  void turnedOffMeansNoRungAndSaysSo() {
    Criu.Detection d = Criu.detect("off", Map.of("PATH", "/usr/bin:/bin"));
    assertThat(d.criu()).isNull();
    assertThat(d.reason()).contains("off");
    assertThat(Criu.detect("/nonexistent/criu", Map.of("PATH", "/usr/bin:/bin")).reason()).contains("/nonexistent/criu");
  }

  @Test
  void theAppRunsAsInitOfItsOwnPidNamespaceLeadingItsSession() {
    Criu criu = new Criu(Path.of("/opt/criu"), "4.1.1", Path.of("/usr/bin/unshare"), Path.of("/usr/bin/setsid"));
    // setsid inside unshare: a session leader outside the new namespace cannot be dumped
    assertThat(criu.snapshotCommand("java -jar app.jar"))
        .containsExactly("/usr/bin/unshare", "--pid", "--fork", "/usr/bin/setsid", "/bin/sh", "-c", "exec java -jar app.jar");
    assertThat(criu.dumpCommand(42, Path.of("/img"), Path.of("/img/dump.log")))
        .containsExactly("/opt/criu", "dump", "-t", "42", "-D", "/img", "--tcp-close", "--skip-in-flight", "-o", "/img/dump.log");
  }

  @Test
  void aRestoreHandsTheAppCriusOwnStdoutAndStderrInPlaceOfTheDumpedPipes() {
    Criu criu = new Criu(Path.of("/opt/criu"), "4.1.1", Path.of("/usr/bin/unshare"), Path.of("/usr/bin/setsid"));
    List<String> cmd = criu.restoreCommand(Path.of("/img"), Path.of("/s/r.pid"), Path.of("/s/r.log"), "pipe:[11]", "pipe:[12]");
    assertThat(cmd).startsWith("/opt/criu", "restore", "-D", "/img", "--tcp-close", "--pidfile", "/s/r.pid", "-o", "/s/r.log")
        .endsWith("--inherit-fd", "fd[1]:pipe:[11]", "--inherit-fd", "fd[2]:pipe:[12]")
        .doesNotContain("-d");
    // one pipe for both (2>&1) is inherited once; no pipes, nothing inherited
    assertThat(criu.restoreCommand(Path.of("/img"), Path.of("/p"), Path.of("/l"), "pipe:[11]", "pipe:[11]"))
        .containsOnlyOnce("--inherit-fd");
    assertThat(criu.restoreCommand(Path.of("/img"), Path.of("/p"), Path.of("/l"), null, null)).doesNotContain("--inherit-fd");
  }

  @Test
  void criuErrorsLeaveOutTheHarmlessRlimitOne() {
    String log = "(00.001) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted\n"
        + "(00.020) Error (criu/sk-inet.c:1): inet: Can't bind inet socket: Address already in use\n";
    assertThat(Criu.errors(log)).contains("Address already in use").doesNotContain("RLIMIT_NOFILE");
  }

  @Test
  void anImageIsKeyedByEverythingItDependsOn() {
    String base = Snapshots.key(http(Map.of()), "jdk25", "4.1.1", "6.16");
    assertThat(Snapshots.key(http(Map.of()), "jdk25", "4.1.1", "6.16")).isEqualTo(base);
    assertThat(Snapshots.key(deployment(Runtime.HTTP, "java -jar app.jar", "b".repeat(64), Map.of()), "jdk25", "4.1.1", "6.16"))
        .as("code").isNotEqualTo(base);
    assertThat(Snapshots.key(deployment(Runtime.HTTP, "java -Xmx64m -jar app.jar", "a".repeat(64), Map.of()), "jdk25", "4.1.1", "6.16"))
        .as("command").isNotEqualTo(base);
    assertThat(Snapshots.key(http(Map.of("GREETING", "hi")), "jdk25", "4.1.1", "6.16")).as("env").isNotEqualTo(base);
    assertThat(Snapshots.key(http(Map.of()), "jdk26", "4.1.1", "6.16")).as("jdk").isNotEqualTo(base);
    assertThat(Snapshots.key(http(Map.of()), "jdk25", "4.2", "6.16")).as("criu").isNotEqualTo(base);
    assertThat(Snapshots.key(http(Map.of()), "jdk25", "4.1.1", "6.17")).as("kernel").isNotEqualTo(base);
  }

  @Test
  void theSnapshotJvmRunsWithoutAPerfDataFileAndKeepsTheAppsOwnOptions() {
    assertThat(Snapshots.toolOptions(http(Map.of()))).isEqualTo("-XX:-UsePerfData");
    assertThat(Snapshots.toolOptions(http(Map.of("JAVA_TOOL_OPTIONS", "-Dx=1")))).isEqualTo("-Dx=1 -XX:-UsePerfData");
  }

  @Test
  void onlyHttpAppsNotCappedBelowTheRungMayBeRestored() {
    assertThat(LaunchRung.SNAPSHOT.admits(http(Map.of()))).isTrue();
    assertThat(LaunchRung.SNAPSHOT.admits(http(Map.of("PILOTLIGHT_LAUNCH", "auto")))).isTrue();
    assertThat(LaunchRung.SNAPSHOT.admits(http(Map.of("PILOTLIGHT_LAUNCH", "snapshot")))).isTrue();
    assertThat(LaunchRung.AOT.admits(http(Map.of("PILOTLIGHT_LAUNCH", "snapshot")))).isTrue();
    assertThat(LaunchRung.SNAPSHOT.admits(http(Map.of("PILOTLIGHT_LAUNCH", "aot")))).isFalse();
    assertThat(LaunchRung.SNAPSHOT.admits(http(Map.of("PILOTLIGHT_LAUNCH", "plain")))).isFalse();
    assertThat(LaunchRung.SNAPSHOT.admits(deployment(Runtime.JAVA, null, "a".repeat(64), Map.of()))).isFalse();
  }

  @Test
  void imagePortsLieBelowTheEphemeralRange() {
    assertThat(Snapshots.ephemeralLow()).isGreaterThan(Snapshots.FIRST_PORT);
  }
}
