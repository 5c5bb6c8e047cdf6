package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain rung with a fake process starter: what it starts, and how a start that fails or a process that exits ends the launch. */
class PlainRungTest {
  @TempDir Path tmp;
  RungFixtures f;
  RuntimeApiServer runtimeApi;
  final FakeStarter starter = new FakeStarter();

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
    runtimeApi = RuntimeApiServer.create();
  }

  @AfterEach
  void close() {
    runtimeApi.close();
  }

  @Test
  void anHttpAppRunsItsCommandThroughExecWithAPortInItsCodeDirectory() {
    var d = f.deployment(Runtime.HTTP);
    CompletableFuture<ProcessInstance> launched = new PlainRung(f.starts(runtimeApi, starter)).claim(f.request(d)).orElseThrow();
    FakeStarter.Started s = starter.only();
    assertThat(s.command()).containsExactly("/bin/sh", "-c", "exec serve --fast");
    assertThat(s.directory().toPath()).isEqualTo(d.codeDir());
    assertThat(s.environment()).containsKey("PORT").containsEntry("AWS_LAMBDA_FUNCTION_NAME", "f").doesNotContainKey("JAVA_TOOL_OPTIONS");
    assertThat(s.stdin().file()).hasToString("/dev/null");

    s.process().exit(3);
    assertThatThrownBy(launched::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(Failure.InstanceFailed.class)
        .hasMessageContaining("instance f-1 exited with code 3");
  }

  @Test
  void aLambdaStyleFunctionGetsItsOwnRuntimeApiEndpoint() {
    var d = f.deployment(Runtime.PYTHON);
    CompletableFuture<ProcessInstance> launched = new PlainRung(f.starts(runtimeApi, starter)).claim(f.request(d)).orElseThrow();
    FakeStarter.Started s = starter.only();
    assertThat(s.command()).containsExactly("/usr/bin/python3", "-u", f.config.runtimesDir().resolve("python/bootstrap.py").toString());
    assertThat(s.environment()).containsKey("AWS_LAMBDA_RUNTIME_API")
        .containsEntry("LAMBDA_RUNTIME_DIR", f.config.runtimesDir().resolve("python").toString())
        .containsEntry("_HANDLER", "a.b");
    assertThat(launched).isNotDone();
    s.process().exit(1);
    assertThatThrownBy(launched::join).hasCauseInstanceOf(Failure.InstanceFailed.class);
  }

  @Test
  void aFunctionWithExternalExtensionsStartsThemBeforeItsRuntimeAndNeverFromThePool() throws IOException {
    var d = f.deployment(Runtime.PYTHON);
    Path extensions = java.nio.file.Files.createDirectories(d.codeDir().resolve("opt/extensions"));
    for (String name : List.of("b-telemetry", "a-agent", "notes.txt")) {
      java.nio.file.Files.writeString(extensions.resolve(name), "#!/bin/sh\n");
    }
    extensions.resolve("b-telemetry").toFile().setExecutable(true);
    extensions.resolve("a-agent").toFile().setExecutable(true);
    assertThat(ExternalExtensions.in(d.codeDir())).containsExactly("a-agent", "b-telemetry"); // executables only, sorted
    assertThat(LaunchRung.POOL.admits(d)).isFalse();
    assertThat(LaunchRung.POOL_LAYER.admits(d)).isFalse();

    CompletableFuture<ProcessInstance> launched = new PlainRung(f.starts(runtimeApi, starter)).claim(f.request(d)).orElseThrow();
    FakeStarter.Started s = starter.only();
    String code = d.codeDir().toString();
    assertThat(s.command()).startsWith("/bin/sh", "-c").containsSubsequence(code + "/opt/extensions/a-agent",
        code + "/opt/extensions/b-telemetry", "--", "/usr/bin/python3", "-u");
    assertThat(s.environment()).containsKey("AWS_LAMBDA_RUNTIME_API");
    s.process().exit(1);
    assertThatThrownBy(launched::join).hasCauseInstanceOf(Failure.InstanceFailed.class);
  }

  @Test
  void aProcessThatCannotStartFailsTheLaunchSayingWhy() {
    starter.refuse("no such file");
    CompletableFuture<ProcessInstance> http = new PlainRung(f.starts(runtimeApi, starter)).claim(f.request(f.deployment(Runtime.HTTP))).orElseThrow();
    assertThatThrownBy(http::join).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("could not start instance f-1: no such file");
    CompletableFuture<ProcessInstance> lambda = new PlainRung(f.starts(runtimeApi, starter)).claim(f.request(f.deployment(Runtime.PYTHON))).orElseThrow();
    assertThatThrownBy(lambda::join).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("could not start instance f-1: no such file");
  }

  @Test
  void itNeverDeclinesAndBlocks() {
    PlainRung rung = new PlainRung(f.starts(runtimeApi, starter));
    assertThat(rung.rung()).isEqualTo(LaunchRung.PLAIN);
    assertThat(rung.blocks()).isTrue();
    assertThat(rung.claim(f.request(f.deployment(Runtime.PROVIDED)))).isPresent();
  }
}
