package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The variables an instance gets, as AWS documents them per runtime. */
class InstanceEnvironmentTest {
  static final ExecutorConfig CONFIG = new ExecutorConfig(Path.of(System.getProperty("java.home")), Path.of("/opt/pl/lib/runner.jar"),
      ExecutorConfig.DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2), "eu-west-1", Path.of("/opt/pl/runtimes"), Path.of("/usr/bin/python3.11"),
      Path.of("/usr/bin/node"));

  static Deployment deployment(Runtime runtime, String awsRuntime, Map<String, String> env) {
    FunctionSpec spec = FunctionSpec.of("f", runtime, runtime == Runtime.HTTP ? null : "index.handler", runtime == Runtime.HTTP ? "app" : null)
        .toBuilder().awsRuntime(awsRuntime).env(env).build();
    return new Deployment(spec, 1, "a".repeat(64), 1, Path.of("/code/f"), Instant.EPOCH);
  }

  static Map<String, String> env(Deployment d) {
    return InstanceEnvironment.build(d, "f-1", CONFIG, Map.of());
  }

  @Test
  void theExecutionEnvironmentIsTheIdentifierTheFunctionWasDeployedWith() {
    assertThat(env(deployment(Runtime.NODE, "nodejs22.x", Map.of()))).containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs22.x");
    assertThat(env(deployment(Runtime.JAVA, "java17", Map.of()))).containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_java17");
    assertThat(env(deployment(Runtime.PYTHON, "python3.12", Map.of()))).containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12");
    // a family name only: the version it runs on, where known without running anything
    assertThat(env(deployment(Runtime.PYTHON, null, Map.of()))).containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11");
    assertThat(env(deployment(Runtime.JAVA, null, Map.of())))
        .containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_java" + java.lang.Runtime.version().feature());
    assertThat(env(deployment(Runtime.NODE, null, Map.of()))).containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs");
    // OS-only runtimes have none, as on Lambda
    assertThat(env(deployment(Runtime.PROVIDED, null, Map.of()))).doesNotContainKey("AWS_EXECUTION_ENV");
    assertThat(env(deployment(Runtime.HTTP, null, Map.of()))).doesNotContainKey("AWS_EXECUTION_ENV");
  }

  @Test
  void searchPathsFollowLambdasLayout() {
    Map<String, String> node = env(deployment(Runtime.NODE, null, Map.of()));
    assertThat(node.get("NODE_PATH").split(":")).containsExactly("/code/f/opt/nodejs/node_modules", "/code/f/node_modules",
        "/opt/pl/runtimes/node", "/code/f");
    Map<String, String> python = env(deployment(Runtime.PYTHON, null, Map.of()));
    assertThat(python.get("PYTHONPATH").split(":")).containsExactly("/opt/pl/runtimes/python", "/code/f/opt/python", "/code/f");
    assertThat(node).doesNotContainKey("PYTHONPATH");
    assertThat(python).doesNotContainKey("NODE_PATH");
    // native libraries of the package and its layers, for every Lambda-style runtime; the function may extend it
    for (Runtime r : List.of(Runtime.JAVA, Runtime.NODE, Runtime.PYTHON, Runtime.PROVIDED)) {
      assertThat(env(deployment(r, null, Map.of()))).as(r.name()).containsEntry("LD_LIBRARY_PATH", "/code/f/lib:/code/f/opt/lib")
          .containsEntry("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    }
    assertThat(env(deployment(Runtime.HTTP, null, Map.of()))).doesNotContainKeys("LD_LIBRARY_PATH", "AWS_XRAY_CONTEXT_MISSING");
    assertThat(env(deployment(Runtime.NODE, null, Map.of("LD_LIBRARY_PATH", "/mine")))).containsEntry("LD_LIBRARY_PATH", "/mine");
  }

  @Test
  void aProvidedRuntimesFramedLogRecordsGoToItsStderr() {
    // AWS's runtime interface clients write each log record as a frame there (OutputCapture splits them out)
    assertThat(env(deployment(Runtime.PROVIDED, null, Map.of()))).containsEntry("_LAMBDA_TELEMETRY_LOG_FD", "2");
    assertThat(env(deployment(Runtime.JAVA, null, Map.of()))).doesNotContainKey("_LAMBDA_TELEMETRY_LOG_FD");
    assertThat(env(deployment(Runtime.PYTHON, null, Map.of()))).doesNotContainKey("_LAMBDA_TELEMETRY_LOG_FD");
  }

  @Test
  void initializationTypeSaysWhetherACallWaitedForTheInstance() {
    assertThat(env(deployment(Runtime.NODE, null, Map.of()))).containsEntry("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    assertThat(InstanceEnvironment.initializationType(true)).isEqualTo("provisioned-concurrency");
    assertThat(InstanceEnvironment.initializationType(false)).isEqualTo("on-demand");
  }

  @Test
  void aFunctionsOwnVariablesWinOverTheBasicsButNeverOverAReservedOne() {
    // as a revision stored before deploys refused reserved keys may still hold them
    Map<String, String> e = env(deployment(Runtime.PYTHON, null, Map.of("AWS_REGION", "mars-1", "TZ", "Europe/Paris", "PYTHONPATH", "/mine",
        "GREETING", "hi", "AWS_LAMBDA_RUNTIME_API", "elsewhere:1")));
    assertThat(e).containsEntry("AWS_REGION", "eu-west-1").containsEntry("TZ", "Europe/Paris").containsEntry("PYTHONPATH", "/mine")
        .containsEntry("GREETING", "hi").doesNotContainEntry("AWS_LAMBDA_RUNTIME_API", "elsewhere:1");
  }

  @Test
  void deploysRefuseReservedVariablesNamingThem() {
    assertThatThrownBy(() -> FunctionSpec.checkNotReserved(Map.of("AWS_REGION", "x", "LAMBDA_TASK_ROOT", "y", "OK", "z")))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageStartingWith("env: AWS_REGION, LAMBDA_TASK_ROOT are reserved");
    FunctionSpec.checkNotReserved(Map.of("TZ", "UTC", "NODE_PATH", "/x", "AWS_LAMBDA_EXEC_WRAPPER", "/w"));
    assertThat(List.copyOf(FunctionSpec.RESERVED_ENV)).contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "_HANDLER");
  }
}
