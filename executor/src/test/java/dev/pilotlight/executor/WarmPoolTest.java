package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool with real (stand-in) python standbys: a bootstrap that only announces itself and waits,
 * so what is tested is the pool's keys and accounting, not the bootstrap.
 */
class WarmPoolTest {
  @TempDir Path tmp;
  ExecutorConfig config;
  final List<Integer> startRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void layout() throws IOException {
    Path python = Interpreters.python(System.getenv());
    assumeTrue(python != null, "needs python3 on the PATH");
    Path runtimes = Files.createDirectories(tmp.resolve("runtimes"));
    Files.createDirectories(runtimes.resolve("python"));
    Files.writeString(runtimes.resolve("python/bootstrap.py"),
        "import sys\nprint('" + WarmPool.READY_LINE + "', flush=True)\nsys.stdin.readline()\n");
    config = new ExecutorConfig(Path.of(System.getProperty("java.home")), runtimes.resolve("pilotlight-java-runner.jar"),
        ExecutorConfig.DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2), "us-east-1", runtimes, python, null);
  }

  private WarmPool pool() {
    return new WarmPool(config, new WarmPool.Settings(1, 1), tmp.resolve("pool"), InstantSource.system(), () -> null, mb -> {
      startRequests.add(mb);
      return true;
    });
  }

  @Test
  void onePythonQueueServesEveryMemorySizeAndIsReservedAtTheLargest() {
    try (WarmPool pool = pool()) {
      pool.prepare(Runtime.PYTHON, 128, LibraryLayers.Layer.NONE, PoolRunners.Preload.NONE);
      await("a python standby", () -> pool.size() == 1);
      assertThat(startRequests).containsExactly(128);
      assertThat(pool.reservedMemoryMb()).isEqualTo(128);

      pool.prepare(Runtime.PYTHON, 512, LibraryLayers.Layer.NONE, PoolRunners.Preload.NONE);
      assertThat(pool.sizes()).isEqualTo(Map.of("python", 1));
      assertThat(pool.reservedMemoryMb()).as("it may become the 512 MB function").isEqualTo(512);

      Process taken = pool.takeGeneric(Runtime.PYTHON, 256, LibraryLayers.Layer.NONE).orElseThrow();
      assertThat(taken.isAlive()).isTrue();
      taken.destroyForcibly();
      // the replacement is asked for at the largest size the queue has served
      await("the replacement", () -> pool.size() == 1);
      assertThat(startRequests).containsExactly(128, 512);
    }
  }

  @Test
  void aRuntimeThatCannotStartHereIsNotPooled() {
    try (WarmPool pool = pool()) {
      pool.prepare(Runtime.NODE, 128, LibraryLayers.Layer.NONE, PoolRunners.Preload.NONE); // no node in this config
      assertThat(pool.takeGeneric(Runtime.NODE, 128, LibraryLayers.Layer.NONE)).isEmpty();
      assertThat(pool.size()).isZero();
    }
  }

  /** Waits for a real process to start (not for time to pass), at most 20 s. */
  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
