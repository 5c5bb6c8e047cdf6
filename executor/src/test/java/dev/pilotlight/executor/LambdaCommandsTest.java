package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LambdaCommandsTest {
  @TempDir Path tmp;
  Path javaHome;
  Path runtimes;
  Path code;

  @BeforeEach
  void layout() throws IOException {
    javaHome = Path.of(System.getProperty("java.home"));
    runtimes = Files.createDirectories(tmp.resolve("pilotlight/runtimes"));
    Files.createDirectories(runtimes.resolve("python"));
    Files.createDirectories(runtimes.resolve("node"));
    Files.writeString(runtimes.resolve("python/bootstrap.py"), "");
    Files.writeString(runtimes.resolve("node/bootstrap.js"), "");
    code = Files.createDirectories(tmp.resolve("code"));
  }

  private ExecutorConfig config(Path python, Path node) {
    return new ExecutorConfig(javaHome, runtimes.resolve("pilotlight-java-runner.jar"), ExecutorConfig.DEFAULT_JAVA_OPTIONS,
        Duration.ofSeconds(2), "us-east-1", runtimes, python, node);
  }

  private Deployment deployment(Runtime runtime, String handler) {
    return new Deployment(FunctionSpec.of("f", runtime, handler, null), 1, "0".repeat(64), 1, code, Instant.EPOCH);
  }

  @Test
  void javaRunsTheRunnerOnTheDaemonsJdkWithTheHeapFromMemory() {
    List<String> cmd = LambdaCommands.command(deployment(Runtime.JAVA, "a.B::c"), config(null, null));
    assertThat(cmd).containsExactly(javaHome.resolve("bin/java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
        "-Xmx256m", "-cp", runtimes.resolve("pilotlight-java-runner.jar").toString(), "dev.pilotlight.runner.Main");
    assertThat(LambdaCommands.runtimeDir(deployment(Runtime.JAVA, "a.B::c"), config(null, null))).isEqualTo(runtimes);
  }

  @Test
  void pythonRunsTheBootstrapUnbuffered() {
    Path python = Path.of("/usr/bin/python3");
    Deployment d = deployment(Runtime.PYTHON, "app.handler");
    assertThat(LambdaCommands.command(d, config(python, null)))
        .containsExactly("/usr/bin/python3", "-u", runtimes.resolve("python/bootstrap.py").toString());
    assertThat(LambdaCommands.runtimeDir(d, config(python, null))).isEqualTo(runtimes.resolve("python"));
  }

  @Test
  void nodeRunsTheBootstrapWithAHeapFromMemory() {
    Path node = Path.of("/usr/bin/node");
    Deployment d = deployment(Runtime.NODE, "index.handler");
    assertThat(LambdaCommands.command(d, config(null, node)))
        .containsExactly("/usr/bin/node", "--max-old-space-size=230", runtimes.resolve("node/bootstrap.js").toString());
    assertThat(LambdaCommands.runtimeDir(d, config(null, node))).isEqualTo(runtimes.resolve("node"));
  }

  @Test
  void aMissingInterpreterSaysWhatToInstallOrSet() {
    assertThatThrownBy(() -> LambdaCommands.command(deployment(Runtime.PYTHON, "app.handler"), config(null, null)))
        .isInstanceOf(Failure.InstanceFailed.class)
        .hasMessage("python runtime: no python3 on the daemon's PATH (install it, or set PILOTLIGHT_PYTHON to its path "
            + "before starting the daemon)");
    assertThatThrownBy(() -> LambdaCommands.command(deployment(Runtime.NODE, "index.handler"), config(null, null)))
        .isInstanceOf(Failure.InstanceFailed.class)
        .hasMessageStartingWith("node runtime: no node on the daemon's PATH");
  }

  @Test
  void aMissingBootstrapScriptIsNamed() throws IOException {
    Files.delete(runtimes.resolve("node/bootstrap.js"));
    assertThatThrownBy(() -> LambdaCommands.command(deployment(Runtime.NODE, "index.handler"), config(null, Path.of("/usr/bin/node"))))
        .isInstanceOf(Failure.InstanceFailed.class)
        .hasMessageStartingWith(runtimes.resolve("node/bootstrap.js") + " is missing");
  }

  @Test
  void providedRunsThePackagesExecutableBootstrap() throws IOException {
    Deployment d = deployment(Runtime.PROVIDED, null);
    assertThatThrownBy(() -> LambdaCommands.command(d, config(null, null)))
        .isInstanceOf(Failure.InstanceFailed.class)
        .hasMessage("provided runtime: the package has no executable bootstrap at its root");

    Path bootstrap = Files.writeString(code.resolve("bootstrap"), "#!/bin/sh\n");
    assertThatThrownBy(() -> LambdaCommands.command(d, config(null, null)))
        .hasMessage("provided runtime: the package has no executable bootstrap at its root");

    Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(LambdaCommands.command(d, config(null, null))).containsExactly(bootstrap.toString());
    assertThat(LambdaCommands.runtimeDir(d, config(null, null))).isEqualTo(runtimes);
  }

  @Test
  void httpHasNoRuntimeApiCommand() {
    Deployment d = new Deployment(FunctionSpec.of("web", Runtime.HTTP, null, "serve"), 1, "0".repeat(64), 1, code, Instant.EPOCH);
    assertThatThrownBy(() -> LambdaCommands.command(d, config(null, null))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theOldConstructorAndDefaultsKeepTheRuntimesNextToTheRunner() {
    Path jar = runtimes.resolve("pilotlight-java-runner.jar");
    ExecutorConfig plain = new ExecutorConfig(javaHome, jar, ExecutorConfig.DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2), "us-east-1");
    assertThat(plain.runtimesDir()).isEqualTo(runtimes);
    assertThat(plain.python()).isNull();
    assertThat(ExecutorConfig.defaults(javaHome, jar).runtimesDir()).isEqualTo(runtimes);
  }
}
