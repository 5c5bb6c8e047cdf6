package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Runtime;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool-layer and pool rungs over a fake pool: which runner they take, what they hand it, and what they keep warm. */
class PoolRungsTest {
  @TempDir Path tmp;
  RungFixtures f;
  RuntimeApiServer runtimeApi;
  final FakePool pool = new FakePool();
  PoolLayers layers;
  PoolLayerRung layerRung;
  PoolRung poolRung;

  /** Runners to hand out, and every call the rungs made. */
  static final class FakePool implements PoolRunners {
    final ArrayDeque<Process> layered = new ArrayDeque<>();
    final ArrayDeque<Process> generic = new ArrayDeque<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    boolean keepsLayers = true;
    /** The only /tmp size runners fit (0: any, as without a sandbox). */
    int tmpMb;

    @Override
    public boolean fits(int ephemeralStorageMb) {
      return tmpMb == 0 || ephemeralStorageMb == tmpMb;
    }

    @Override
    public boolean keepsLayer(LibraryLayers.Layer layer) {
      return keepsLayers && !layer.isNone();
    }

    @Override
    public Optional<Process> takeLayered(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code) {
      calls.add("takeLayered " + runtime.id() + " " + memoryMb + (code.isNone() ? "" : " for " + code.handler()));
      return Optional.ofNullable(layered.poll());
    }

    @Override
    public Optional<Process> takeGeneric(Runtime runtime, int memoryMb, LibraryLayers.Layer layer) {
      calls.add("takeGeneric " + runtime.id() + " " + memoryMb + (layer.isNone() ? "" : " after a layer"));
      return Optional.ofNullable(generic.poll());
    }

    @Override
    public void prepare(Runtime runtime, int memoryMb, LibraryLayers.Layer layer, Preload code) {
      calls.add("prepare " + runtime.id() + " " + memoryMb + (layer.isNone() ? "" : " layered") + (code.isNone() ? "" : " for " + code.handler()));
    }

    @Override
    public void renew(LibraryLayers.Layer layer) {
      calls.add("renew");
    }

    @Override
    public Path claimClassInitLog(Process taken) {
      return null;
    }
  }

  @BeforeEach
  void layout() throws IOException {
    f = new RungFixtures(tmp);
    runtimeApi = RuntimeApiServer.create();
    layers = new PoolLayers(new LibraryLayers(tmp.resolve("layers")), pool, f.logs, Runnable::run);
    InstanceStarts starts = f.starts(runtimeApi, new FakeStarter().refuse("the pool rungs start no process"));
    layerRung = new PoolLayerRung(pool, layers, starts);
    poolRung = new PoolRung(pool, layers, starts);
  }

  @AfterEach
  void close() {
    runtimeApi.close();
  }

  /** Gives the fixture's code directory a {@code lib/} jar: a library layer. */
  private void withLibraries() throws IOException {
    Path lib = Files.createDirectories(f.dir.resolve("code/lib"));
    try (var jar = new JarOutputStream(Files.newOutputStream(lib.resolve("dep.jar")))) {
      jar.putNextEntry(new JarEntry("dep/A.class"));
      jar.write(new byte[] {1});
    }
  }

  /** Plays the runner: reads its environment line, polls /next; returns the ready instance. */
  private static ProcessInstance served(CompletableFuture<ProcessInstance> launched, FakeProcess runner) throws Exception {
    String line = runner.stdin();
    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    RuntimeApiPolls.next(RuntimeApiPolls.addressIn(line));
    return launched.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRunnerWithTheFunctionsLayerServesAsPoolLayer() throws Exception {
    withLibraries();
    FakeProcess runner = new FakeProcess();
    pool.layered.add(runner);
    var d = f.deployment(Runtime.JAVA, Map.of("GREETING", "grüß \"dich\"\n"));
    ProcessInstance instance = served(layerRung.claim(f.request(d)).orElseThrow(), runner);
    assertThat(instance.launchStrategy()).isEqualTo("pool-layer");
    assertThat(runner.stdin()).contains("\"GREETING\":\"grüß \\\"dich\\\"\\n\"", "\"_HANDLER\":\"a.b\"", "\"AWS_LAMBDA_FUNCTION_NAME\":\"f\"");
    assertThat(pool.calls).containsExactly("takeLayered java 256 for a.b");
    runner.exit(0);
  }

  @Test
  void thePoolLayerRungDeclinesWithoutAWaitingRunnerOrWhenLayersAreNotKept() throws IOException {
    var d = f.deployment(Runtime.JAVA);
    // no lib/ (an uber jar): the empty layer, still a runner started for the function
    assertThat(layerRung.claim(f.request(d))).as("no waiting runner").isEmpty();
    assertThat(pool.calls).containsExactly("takeLayered java 256 for a.b");
    withLibraries();
    // a new PoolLayers: layers are computed once per code directory, and this one had none a moment ago
    PoolLayerRung fresh = new PoolLayerRung(pool, new PoolLayers(new LibraryLayers(tmp.resolve("layers2")), pool, f.logs, Runnable::run),
        f.starts(runtimeApi, new FakeStarter()));
    assertThat(fresh.claim(f.request(d))).as("no waiting runner").isEmpty();
    assertThat(pool.calls).hasSize(2);
    pool.keepsLayers = false;
    assertThat(fresh.claim(f.request(d))).as("layers not kept").isEmpty();
    assertThat(pool.calls).hasSize(2);
    // a python function never takes a layered runner
    assertThat(layerRung.claim(f.request(f.deployment(Runtime.PYTHON)))).isEmpty();
    assertThat(pool.calls).hasSize(2);
  }

  @Test
  void aGenericRunnerServesAsPoolAndAfterAMissedLayerOnlyLooksAtItsQueue() throws Exception {
    FakeProcess runner = new FakeProcess();
    pool.generic.add(runner);
    ProcessInstance instance = served(poolRung.claim(f.request(f.deployment(Runtime.PYTHON))).orElseThrow(), runner);
    assertThat(instance.launchStrategy()).isEqualTo("pool");
    assertThat(pool.calls).containsExactly("takeGeneric python 256");
    runner.exit(0);

    withLibraries();
    assertThat(poolRung.claim(f.request(f.deployment(Runtime.JAVA)))).isEmpty();
    assertThat(pool.calls).last().isEqualTo("takeGeneric java 256 after a layer");
  }

  @Test
  void eachPoolRungWarmsItsOwnRunnersAtDeploy() throws IOException {
    var python = f.deployment(Runtime.PYTHON);
    layerRung.prepare(python);
    poolRung.prepare(python);
    assertThat(pool.calls).containsExactly("prepare python 256");

    pool.calls.clear();
    withLibraries();
    var java = f.deployment(Runtime.JAVA);
    layerRung.prepare(java);
    poolRung.prepare(java);
    // a layered runner is started for the function's revision: it loads that code ahead
    assertThat(pool.calls).containsExactly("prepare java 256 layered for a.b");

    pool.calls.clear();
    var node = f.deployment(Runtime.NODE); // no node on this daemon: nothing to keep warm
    poolRung.prepare(node);
    assertThat(pool.calls).isEmpty();
  }
}
