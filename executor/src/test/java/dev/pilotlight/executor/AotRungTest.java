package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Runtime;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aot rung with a fake process starter: it declines until a cache is trained, then starts a JVM that maps it. */
class AotRungTest {
  @TempDir Path tmp;
  RungFixtures f;
  RuntimeApiServer runtimeApi;
  AotCaches caches;
  AotRung rung;
  final FakeStarter starter = new FakeStarter();

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
    runtimeApi = RuntimeApiServer.create();
    caches = new AotCaches(f.config, tmp.resolve("aot"), f.logs);
    WarmPool pool = new WarmPool(f.config, new WarmPool.Settings(0, 0), tmp.resolve("pool"), InstantSource.system(), () -> null);
    PoolLayers layers = new PoolLayers(new LibraryLayers(tmp.resolve("layers")), pool, f.logs, Runnable::run);
    rung = new AotRung(caches, f.starts(runtimeApi, starter), layers, f.logs);
  }

  @AfterEach
  void close() {
    caches.close();
    runtimeApi.close();
  }

  private static Path trained(Path cache) throws IOException {
    Files.createDirectories(cache.getParent());
    return Files.writeString(cache, "cache");
  }

  @Test
  void declinesUntilTheFunctionsCacheIsTrained() {
    assertThat(rung.claim(f.request(f.deployment(Runtime.JAVA)))).isEmpty();
    assertThat(rung.claim(f.request(f.deployment(Runtime.HTTP)))).isEmpty();
    assertThat(starter.started).isEmpty();
    assertThat(rung.blocks()).as("it looks for the cache on disk").isTrue();
  }

  @Test
  void aJavaFunctionGetsANewJvmMappingItsCacheAndServesAsAot() throws Exception {
    var d = f.deployment(Runtime.JAVA);
    Path cache = trained(caches.functionCache(d));
    CompletableFuture<ProcessInstance> launched = rung.claim(f.request(d)).orElseThrow();
    FakeStarter.Started s = starter.only();
    assertThat(s.command()).contains("-XX:AOTCache=" + cache, "-Xmx256m", "dev.pilotlight.runner.Main").doesNotContain("-Xshare:auto");
    assertThat(s.command().getFirst()).isEqualTo(f.config.javaHome().resolve("bin/java").toString());

    RuntimeApiPolls.next(s.environment().get("AWS_LAMBDA_RUNTIME_API"));
    assertThat(launched.get(10, TimeUnit.SECONDS).launchStrategy()).isEqualTo("aot");
    s.process().exit(0);
  }

  @Test
  void anHttpAppsJvmGetsItsCacheThroughJavaToolOptions() throws IOException {
    var d = f.deployment(Runtime.HTTP, Map.of("JAVA_TOOL_OPTIONS", "-Dmine=1"));
    Path cache = trained(caches.httpCache(d));
    CompletableFuture<ProcessInstance> launched = rung.claim(f.request(d)).orElseThrow();
    FakeStarter.Started s = starter.only();
    assertThat(s.command()).containsExactly("/bin/sh", "-c", "exec serve --fast");
    assertThat(s.environment().get("JAVA_TOOL_OPTIONS")).isEqualTo("-Dmine=1 -XX:AOTCache=" + cache + " -Xlog:aot=off -Xlog:cds=off");
    assertThat(s.environment()).containsKey("PORT");
    s.process().exit(1);
    assertThat(launched).failsWithin(Duration.ofSeconds(10));
  }
}
