package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which functions share pool processes, how those processes are started, and who may use the pool. */
class PoolKeysTest {
  @TempDir Path tmp;
  Path runtimes;
  ExecutorConfig config;
  static final LibraryLayers.Layer LAYER = new LibraryLayers.Layer("ab".repeat(32), List.of(Path.of("/code/lib/a.jar")), Path.of("/state/layers/layer-ab.init"));

  @BeforeEach
  void layout() throws IOException {
    runtimes = Files.createDirectories(tmp.resolve("runtimes"));
    Files.createDirectories(runtimes.resolve("python"));
    Files.createDirectories(runtimes.resolve("node"));
    Files.writeString(runtimes.resolve("python/bootstrap.py"), "");
    Files.writeString(runtimes.resolve("node/bootstrap.js"), "");
    config = new ExecutorConfig(Path.of(System.getProperty("java.home")), runtimes.resolve("pilotlight-java-runner.jar"),
        ExecutorConfig.DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2), "us-east-1", runtimes, Path.of("/usr/bin/python3"),
        Path.of("/usr/bin/node"));
  }

  private Deployment deployment(Runtime runtime, int memoryMb, Map<String, String> env) {
    FunctionSpec spec = FunctionSpec.of("f", runtime, runtime == Runtime.HTTP ? null : "a.b", runtime == Runtime.HTTP ? "serve" : null);
    spec = spec.toBuilder().memoryMb(memoryMb).env(env).build();
    return new Deployment(spec, 1, "0".repeat(64), 1, tmp, Instant.EPOCH);
  }

  @Test
  void pythonFunctionsOfEveryMemorySizeShareOneKeyBecauseNothingIsFixedAtStart() {
    assertThat(WarmPool.Key.of(Runtime.PYTHON, 128, LibraryLayers.Layer.NONE))
        .isEqualTo(WarmPool.Key.of(Runtime.PYTHON, 1024, LibraryLayers.Layer.NONE))
        .isEqualTo(WarmPool.Key.of(Runtime.PYTHON, 512, LAYER));
    assertThat(PoolProcesses.command(config, Runtime.PYTHON, 0, null))
        .isEqualTo(LambdaCommands.command(deployment(Runtime.PYTHON, 128, Map.of()), config))
        .isEqualTo(LambdaCommands.command(deployment(Runtime.PYTHON, 1024, Map.of()), config));
    assertThat(WarmPool.Key.of(Runtime.PYTHON, 128, LibraryLayers.Layer.NONE).label()).isEqualTo("python");
  }

  @Test
  void nodeAndJavaKeysKeepTheHeapSizeTheirCommandFixes() {
    assertThat(WarmPool.Key.of(Runtime.NODE, 128, LibraryLayers.Layer.NONE)).isNotEqualTo(WarmPool.Key.of(Runtime.NODE, 256, LibraryLayers.Layer.NONE));
    assertThat(WarmPool.Key.of(Runtime.NODE, 128, LAYER)).isEqualTo(WarmPool.Key.of(Runtime.NODE, 128, LibraryLayers.Layer.NONE));
    assertThat(WarmPool.Key.of(Runtime.NODE, 128, LibraryLayers.Layer.NONE))
        .isNotEqualTo(WarmPool.Key.of(Runtime.JAVA, 128, LibraryLayers.Layer.NONE));
    assertThat(WarmPool.Key.of(Runtime.JAVA, 128, LAYER)).isNotEqualTo(WarmPool.Key.of(Runtime.JAVA, 128, LibraryLayers.Layer.NONE));

    assertThat(WarmPool.Key.of(Runtime.NODE, 128, LibraryLayers.Layer.NONE).label()).isEqualTo("node/128");
    assertThat(WarmPool.Key.of(Runtime.JAVA, 256, LibraryLayers.Layer.NONE).label()).isEqualTo("256");
    assertThat(WarmPool.Key.of(Runtime.JAVA, 256, LAYER).label()).isEqualTo("256/abababababab");
  }

  @Test
  void aLayeredJavaKeyIsOneFunctionRevisionsAndNoOtherKeyCarriesCode() {
    PoolRunners.Preload hello = new PoolRunners.Preload(Path.of("/state/code/0123456789abcdef0123"), "example.Hello::handleRequest", "hello");
    PoolRunners.Preload otherHandler = new PoolRunners.Preload(hello.codeDir(), "example.Other", "hello");
    PoolRunners.Preload otherCode = new PoolRunners.Preload(Path.of("/state/code/fedcba9876543210"), hello.handler(), "hello");
    assertThat(WarmPool.Key.of(Runtime.JAVA, 256, LAYER, hello)).isEqualTo(WarmPool.Key.of(Runtime.JAVA, 256, LAYER, hello))
        .isNotEqualTo(WarmPool.Key.of(Runtime.JAVA, 256, LAYER, otherHandler))
        .isNotEqualTo(WarmPool.Key.of(Runtime.JAVA, 256, LAYER, otherCode))
        .isNotEqualTo(WarmPool.Key.of(Runtime.JAVA, 256, LAYER));
    assertThat(WarmPool.Key.of(Runtime.JAVA, 256, LAYER, hello).label()).isEqualTo("256/abababababab/0123456789ab");
    // without a layer a runner serves any function of its key: it carries no code
    assertThat(WarmPool.Key.of(Runtime.JAVA, 256, LibraryLayers.Layer.NONE, hello)).isEqualTo(WarmPool.Key.of(Runtime.JAVA, 256, LibraryLayers.Layer.NONE));
    assertThat(WarmPool.Key.of(Runtime.PYTHON, 256, LAYER, hello)).isEqualTo(WarmPool.Key.of(Runtime.PYTHON, 128, LibraryLayers.Layer.NONE));
  }

  @Test
  void upToMaxLayersFunctionsGetRunnersWithTheirOwnCodeAndBeyondThatALayersRunnersAreShared() {
    java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-12-06T00:00:00Z"));
    WarmPool pool = new WarmPool(config, new WarmPool.Settings(1, 4, 2), tmp.resolve("pool"), now::get, () -> null);
    PoolRunners.Preload a = new PoolRunners.Preload(Path.of("/state/code/aaa"), "a.A", "fn-a");
    PoolRunners.Preload aNext = new PoolRunners.Preload(Path.of("/state/code/aaa2"), "a.A", "fn-a");
    PoolRunners.Preload b = new PoolRunners.Preload(Path.of("/state/code/bbb"), "b.B", "fn-b");
    PoolRunners.Preload c = new PoolRunners.Preload(Path.of("/state/code/ccc"), "c.C", "fn-c");
    assertThat(pool.codeFor(LAYER, a)).isEqualTo(a);
    // a new revision of the same function counts as that function
    assertThat(pool.codeFor(LAYER, aNext)).isEqualTo(aNext);
    // two functions on the same libraries, within maxLayers: each its own
    assertThat(pool.codeFor(LAYER, b)).isEqualTo(b);
    assertThat(pool.codeFor(LibraryLayers.Layer.NONE, a)).as("no layer: runners serve any function").isEqualTo(PoolRunners.Preload.NONE);
    // a third: more than maxLayers, so a layer's runners are shared, with no function's code
    now.set(now.get().plusSeconds(60));
    assertThat(pool.codeFor(LAYER, c)).isEqualTo(PoolRunners.Preload.NONE);
    assertThat(pool.codeFor(LAYER, aNext)).isEqualTo(PoolRunners.Preload.NONE);
    // once fn-b has not used the pool for the window, two remain: each has its own again
    now.set(now.get().plus(WarmPool.SHARED_WINDOW).minusSeconds(30));
    assertThat(pool.codeFor(LAYER, c)).isEqualTo(c);
  }

  @Test
  void aNodeStandbyRunsThePlainLaunchsCommand() {
    assertThat(PoolProcesses.command(config, Runtime.NODE, 192, null))
        .isEqualTo(LambdaCommands.command(deployment(Runtime.NODE, 192, Map.of()), config))
        .contains("--max-old-space-size=172");
  }

  @Test
  void aJavaPoolRunnerIsThePlainCommandWithTheRunnerCacheAndAddOpens() {
    Path jar = runtimes.resolve("pilotlight-java-runner.jar");
    String java = config.javaHome().resolve("bin/java").toString();
    assertThat(PoolProcesses.command(config, Runtime.JAVA, 256, null)).containsExactly(java,
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
        "-Xmx256m", "-cp", jar.toString(), "dev.pilotlight.runner.Main");
    List<String> cached = PoolProcesses.command(config, Runtime.JAVA, 256, Path.of("/aot/runner.aot"));
    assertThat(cached).contains("-XX:AOTCache=/aot/runner.aot").doesNotContain("-Xshare:auto");
    assertThat(cached.subList(cached.size() - 4, cached.size())).containsExactly("-Xmx256m", "-cp", jar.toString(), "dev.pilotlight.runner.Main");
    // a layered runner logs the classes it initialises, one file per JVM, for the layer's initialisation list
    assertThat(PoolProcesses.command(config, Runtime.JAVA, 256, null, Path.of("/state/pool")))
        .contains("-Xlog:class+init=info:file=/state/pool/classinit-%p.log:none:filecount=0");
    assertThat(PoolProcesses.classInitLog(Path.of("/state/pool"), 42)).isEqualTo(Path.of("/state/pool/classinit-42.log"));
  }

  @Test
  void pythonAndNodeMayUseThePoolButNotLayersUnlessPinnedElsewhere() {
    for (Runtime r : List.of(Runtime.PYTHON, Runtime.NODE)) {
      assertThat(LaunchRung.POOL.admits(deployment(r, 128, Map.of()))).as(r.id()).isTrue();
      assertThat(LaunchRung.POOL.admits(deployment(r, 128, Map.of("PILOTLIGHT_LAUNCH", "pool")))).isTrue();
      assertThat(LaunchRung.POOL.admits(deployment(r, 128, Map.of("PILOTLIGHT_LAUNCH", "plain")))).isFalse();
      assertThat(LaunchRung.POOL.admits(deployment(r, 128, Map.of("PILOTLIGHT_LAUNCH", "aot")))).isFalse();
      assertThat(LaunchRung.POOL_LAYER.admits(deployment(r, 128, Map.of()))).isFalse();
      assertThat(LaunchRung.AOT.admits(deployment(r, 128, Map.of()))).isFalse();
    }
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.JAVA, 128, Map.of()))).isTrue();
    assertThat(LaunchRung.POOL_LAYER.admits(deployment(Runtime.JAVA, 128, Map.of()))).isTrue();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.PROVIDED, 128, Map.of()))).isFalse();
  }

  @Test
  void variablesReadOnlyAtProcessStartKeepAFunctionOffThePool() {
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.PYTHON, 128, Map.of("GREETING", "hi", "TZ", "Europe/Paris")))).isTrue();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.PYTHON, 128, Map.of("PYTHONPATH", "/code/vendor")))).isFalse();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.PYTHON, 128, Map.of("LD_LIBRARY_PATH", "/code/lib")))).isFalse();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.PYTHON, 128, Map.of("LC_ALL", "C")))).isFalse();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.PYTHON, 128, Map.of("NODE_OPTIONS", "--x")))).isTrue();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.NODE, 128, Map.of("NODE_OPTIONS", "--enable-source-maps")))).isFalse();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.NODE, 128, Map.of("UV_THREADPOOL_SIZE", "8")))).isFalse();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.NODE, 128, Map.of("LANG", "de_DE.UTF-8")))).isFalse();
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.NODE, 128, Map.of("PYTHONPATH", "x")))).isTrue();
    // a JVM reads its extra options only at start: such a java function gets a new JVM (aot, else plain)
    for (String name : new String[] {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "LD_PRELOAD", "LANG"}) {
      Deployment d = deployment(Runtime.JAVA, 256, Map.of(name, "-Dx=1"));
      assertThat(LaunchRung.POOL.admits(d)).as(name).isFalse();
      assertThat(LaunchRung.POOL_LAYER.admits(d)).as(name).isFalse();
      assertThat(LaunchRung.AOT.admits(d)).as(name).isTrue();
    }
    assertThat(LaunchRung.POOL.admits(deployment(Runtime.JAVA, 256, Map.of("JAVA_HOME_HINT", "x", "GREETING", "hi")))).isTrue();
  }
}
