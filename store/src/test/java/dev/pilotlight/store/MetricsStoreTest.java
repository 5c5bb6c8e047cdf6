package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsStoreTest {
  @TempDir
  Path dir;

  static byte[] b(int v) {
    return new byte[] {(byte) v};
  }

  @Test
  void minutesAreReplacedReadByRangeAndSurviveAReopen() {
    try (MetricsStore s = MetricsStore.open(dir.resolve("metrics.db"))) {
      s.put(Map.of("f", Map.of(100L, b(1), 101L, b(2)), "g", Map.of(101L, b(9))));
      s.put(Map.of("f", Map.of(101L, b(3))));
    }
    try (MetricsStore s = MetricsStore.open(dir.resolve("metrics.db"))) {
      assertThat(s.range("f", 100, 102)).containsOnlyKeys(100L, 101L);
      assertThat(s.range("f", 100, 102).get(101L)).containsExactly(3);
      assertThat(s.range("f", 101, 102)).containsOnlyKeys(101L);
      assertThat(s.range("nobody", 0, 1000)).isEmpty();
      assertThat(s.minute(101)).containsOnlyKeys("f", "g");
      assertThat(s.prune(101)).isEqualTo(1);
      assertThat(s.range("f", 0, 1000)).containsOnlyKeys(101L);
      s.forget("f");
      assertThat(s.range("f", 0, 1000)).isEmpty();
      assertThat(s.minute(101)).containsOnlyKeys("g");
    }
  }
}
