package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.executor.WarmPool;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.store.PackageLimits;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DaemonConfigTest {
  private static final Path DATA = Path.of("/tmp/data");
  private static final Path RUNNER = Path.of("/tmp/runner.jar");

  @Test
  void theBuildersDefaultsAreTheDocumentedOnes() {
    DaemonConfig c = DaemonConfig.builder(DATA, RUNNER).memoryBudgetMb(2048).build();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.limits()).isEqualTo(PackageLimits.defaults());
    assertThat(c.maxQueue()).isEqualTo(1000);
    assertThat(c.scalingTick()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.pool()).isEqualTo(WarmPool.Settings.defaults());
    assertThat(c.scaling()).isEqualTo(ScalingSettings.DEFAULTS);
    assertThat(c.keepAlive()).isEqualTo(KeepAlive.HISTOGRAM);
    assertThat(c.criu()).isEqualTo("off");
  }

  @Test
  void toBuilderKeepsEverything() {
    DaemonConfig c = DaemonConfig.builder(DATA, RUNNER).host("0.0.0.0").port(0).maxQueue(5).memoryBudgetMb(300).keepAlive(KeepAlive.FIXED)
        .criu("auto").scalingTick(Duration.ofMillis(100)).build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.withPort(9000).port()).isEqualTo(9000);
  }

  @Test
  void theQueueBoundIsOneSettingWhereverItIsGiven() {
    DaemonConfig c = DaemonConfig.builder(DATA, RUNNER).maxQueue(5).memoryBudgetMb(300).build();
    assertThat(c.scaling().maxQueue()).isEqualTo(5);
    assertThat(c.withScaling(ScalingSettings.UNSET.withMaxQueue(9)).maxQueue()).isEqualTo(9);
    assertThat(c.withScaling(ScalingSettings.UNSET).maxQueue()).isEqualTo(5);
  }

  @Test
  void checksItself() {
    assertThatThrownBy(() -> DaemonConfig.builder(DATA, RUNNER).maxQueue(0).memoryBudgetMb(1).build())
        .hasMessage("maxQueue: 0 (expected: >= 1)");
    assertThatThrownBy(() -> DaemonConfig.builder(null, RUNNER).memoryBudgetMb(1).build())
        .hasMessage("dataDir: null (expected a directory path)");
  }
}
