package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is measured for which example: rungs, deployed copies, baselines. */
class LineupTest {
  private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin");

  private static Example example(String runtime, String handler) {
    Path dir = Path.of("/ex/hello");
    return new Example("hello", dir, dir, runtime, handler, runtime.equals("http") ? "java -jar app.jar" : null);
  }

  @Test
  void javaIsMeasuredOnEveryRungPythonAndNodeWithoutAotHttpWithoutThePool() {
    assertThat(example("java", "example.Hello::handleRequest").rungs())
        .containsExactly(Rung.DEFAULT, Rung.POOL, Rung.AOT, Rung.PLAIN, Rung.AS_USER);
    assertThat(example("java21", "example.Hello::handleRequest").rungs())
        .containsExactly(Rung.DEFAULT, Rung.POOL, Rung.AOT, Rung.PLAIN, Rung.AS_USER);
    // http: the default is a snapshot restore where the daemon has CRIU, so the AOT cache is measured on its own
    assertThat(example("http", null).rungs()).containsExactly(Rung.DEFAULT, Rung.AOT, Rung.PLAIN, Rung.AS_USER);
    assertThat(example("python3.12", "app.handler").rungs()).containsExactly(Rung.DEFAULT, Rung.POOL, Rung.PLAIN, Rung.AS_USER);
    assertThat(example("nodejs20.x", "index.handler").rungs()).containsExactly(Rung.DEFAULT, Rung.POOL, Rung.PLAIN, Rung.AS_USER);
  }

  @Test
  void onlyPythonAndNodeGetABareInterpreterBaseline() {
    assertThat(example("python3.12", "app.handler").hasInterpreterBaseline()).isTrue();
    assertThat(example("nodejs20.x", "index.handler").hasInterpreterBaseline()).isTrue();
    assertThat(example("java", "a.B::c").hasInterpreterBaseline()).isFalse();
    assertThat(example("http", null).hasInterpreterBaseline()).isFalse();
    assertThat(Example.kindOf("provided.al2023")).isNull();
  }

  @Test
  void eachRungIsACopyCappedWithPilotlightLaunch() {
    assertThat(Rung.DEFAULT.functionName("hello-java")).isEqualTo("hello-java");
    assertThat(Rung.DEFAULT.deployArgs("hello-java")).isEmpty();
    assertThat(Rung.POOL.deployArgs("hello-java")).containsExactly("--name", "hello-java-pool", "--env", "PILOTLIGHT_LAUNCH=pool");
    assertThat(Rung.PLAIN.deployArgs("java-jackson")).containsExactly("--name", "java-jackson-plain", "--env", "PILOTLIGHT_LAUNCH=plain");
    assertThat(Rung.AOT.deployArgs("hello-java")).containsExactly("--name", "hello-java-aot", "--env", "PILOTLIGHT_LAUNCH=aot");
    assertThat(Rung.AS_USER.deployArgs("hello-java"))
        .containsExactly("--name", "hello-java-as-user", "--idle-timeout", "1s", "--scale-down-delay", "0s");
    assertThat(Rung.AS_USER.usesPool()).isTrue();
    assertThat(Rung.PLAIN.usesPool()).isFalse();
    assertThat(Rung.AOT.usesPool()).isFalse();
    assertThat(Rung.POOL.usesPool()).isTrue();
  }

  @Test
  void theDaemonTrainsAnAotCacheForJavaAndHttpUnlessCappedToPoolOrPlain() {
    assertThat(Rung.DEFAULT.trainsAot(Example.Kind.JAVA)).isTrue();
    assertThat(Rung.AOT.trainsAot(Example.Kind.JAVA)).isTrue();
    assertThat(Rung.POOL.trainsAot(Example.Kind.JAVA)).isFalse();
    assertThat(Rung.PLAIN.trainsAot(Example.Kind.JAVA)).isFalse();
    assertThat(Rung.DEFAULT.trainsAot(Example.Kind.HTTP)).isTrue();
    assertThat(Rung.DEFAULT.trainsAot(Example.Kind.PYTHON)).isFalse();
    assertThat(Rung.DEFAULT.trainsAot(Example.Kind.NODE)).isFalse();
  }

  @Test
  void aTrainingHasEndedWhenTheFunctionsLogSaysSo() {
    assertThat(AotTraining.outcome("")).isNull();
    assertThat(AotTraining.outcome("2026-11-22T00:00:00Z hello-java-1 START RequestId: x\n")).isNull();
    assertThat(AotTraining.outcome("a\n2026-11-22T00:00:01Z - AOT cache ready (revision 1, trained in 812 ms)\nb"))
        .isEqualTo("AOT cache ready (revision 1, trained in 812 ms)");
    assertThat(AotTraining.outcome("- AOT cache training failed (plain launches go on without it): exit 1")).startsWith("AOT cache training failed");
    assertThat(AotTraining.outcome("- AOT cache not built (launches go on without it): not a JVM")).startsWith("AOT cache not built");
  }

  @Test
  void aSnapshotIsMadeOrNotWhenTheFunctionsLogSaysSo() {
    assertThat(AotTraining.snapshotOutcome("- AOT cache ready (revision 1, trained in 812 ms)\n")).isNull();
    assertThat(AotTraining.snapshotOutcome("x\n2026-11-22T00:00:01Z - snapshot ready (revision 1, port 20000, 41 MB, made in 900 ms)\n"))
        .isEqualTo("snapshot ready (revision 1, port 20000, 41 MB, made in 900 ms)");
    assertThat(AotTraining.snapshotOutcome("- snapshot not made (cold starts go on without it): criu dump exited with 1"))
        .startsWith("snapshot not made");
  }

  @Test
  void theBaselineCommandsRunTheSameCodeOrTheBareInterpreter() {
    Path py = Path.of("/usr/bin/python3");
    Example python = example("python3.12", "app.handler");
    assertThat(ProcessBaseline.handlerOnce(python, py, ENV).command())
        .containsExactly("/usr/bin/python3", "-c", ProcessBaseline.PYTHON_HANDLER_ONCE, "/ex/hello", "app", "handler");
    assertThat(ProcessBaseline.handlerOnce(example("python3.12", "pkg/mod.fn"), py, ENV).command()).endsWith("pkg.mod", "fn");
    assertThat(ProcessBaseline.bareInterpreter(python, py, ENV).command()).containsExactly("/usr/bin/python3", "-c", "pass");

    Path node = Path.of("/usr/bin/node");
    Example js = example("nodejs20.x", "index.handler");
    assertThat(ProcessBaseline.handlerOnce(js, node, ENV).command())
        .containsExactly("/usr/bin/node", "-e", ProcessBaseline.NODE_HANDLER_ONCE, "/ex/hello", "index", "handler");
    assertThat(ProcessBaseline.handlerOnce(example("nodejs20.x", "src/app.v1.handler"), node, ENV).command()).endsWith("src/app", "v1.handler");
    assertThat(ProcessBaseline.bareInterpreter(js, node, ENV).command()).containsExactly("/usr/bin/node", "-e", "0");
  }

  @Test
  void baselinesGetAnInstancesBasicEnvironmentNotTheBenchmarks() {
    var env = ProcessBaseline.instanceEnvironment(
        Map.of("PATH", "/usr/bin:/bin", "NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca.crt", "LANG", "en_US.UTF-8"), Path.of("/jdk"));
    assertThat(env).containsEntry("PATH", "/jdk/bin:/usr/bin:/bin").containsEntry("JAVA_HOME", "/jdk")
        .containsEntry("LANG", "en_US.UTF-8").containsEntry("TZ", ":UTC").containsKeys("HOME", "TMPDIR")
        .doesNotContainKey("NODE_EXTRA_CA_CERTS");
    assertThat(ProcessBaseline.instanceEnvironment(Map.of(), Path.of("/jdk")))
        .containsEntry("LANG", "C.UTF-8").containsEntry("PATH", "/jdk/bin:/usr/local/bin:/usr/bin:/bin");
  }

  @Test
  void theDefaultExamplesAreTheKnownOnesThatExistInOrder(@TempDir Path examples) throws IOException {
    assertThat(ColdStartCommand.defaultExamples(examples)).isEmpty();
    for (String name : List.of("hello-node", "hello-java", "hello-http", "test-functions")) {
      Files.createDirectories(examples.resolve(name));
      Files.writeString(examples.resolve(name).resolve("pilotlight.yaml"), "name: " + name + "\n");
    }
    Files.createDirectories(examples.resolve("java-jackson")); // not built into an example (no manifest)
    assertThat(ColdStartCommand.defaultExamples(examples)).containsExactly("hello-java", "hello-http", "hello-node");
  }
}
