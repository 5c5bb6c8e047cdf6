package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageStoreTest {
  @TempDir
  Path dir;

  static final Instant T = Instant.parse("2026-01-01T10:20:30Z");

  static Usage usage(long invocations, long maxMb) {
    return new Usage(invocations, 1, 1, 1, 10 * invocations, 2560 * invocations, 1000, 500, 7, maxMb);
  }

  /** The store under test, opened again on the same data each time (PostgresStoresTest: a shared database). */
  UsageStore open() {
    return UsageStore.open(dir.resolve("usage.db"));
  }

  @Test
  void usageAddsUpPerHourAndSurvivesAReopen() {
    try (UsageStore s = open()) {
      s.add(Map.of("f", Map.of(T, usage(2, 40))));
      s.add(Map.of("f", Map.of(T.plusSeconds(60), usage(3, 30), T.plusSeconds(3600), usage(1, 50)), "g", Map.of(T, usage(9, 9))));
    }
    try (UsageStore s = open()) {
      Usage all = s.total("f", null);
      assertThat(all).isEqualTo(usage(2, 40).plus(usage(3, 30)).plus(usage(1, 50)));
      assertThat(all.maxMemoryUsedMb()).isEqualTo(50);
      // since 10:59 → from the 10:00 hour; since 11:00 → only the last
      assertThat(s.total("f", Instant.parse("2026-01-01T10:59:00Z")).invocations()).isEqualTo(6);
      assertThat(s.total("f", Instant.parse("2026-01-01T11:00:00Z")).invocations()).isEqualTo(1);
      assertThat(s.total("nobody", null)).isEqualTo(Usage.NONE);
      s.forget("f");
      assertThat(s.total("f", null)).isEqualTo(Usage.NONE);
      assertThat(s.total("g", null).invocations()).isEqualTo(9);
    }
  }

  @Test
  void rhythmsAreSavedReplacedAndForgotten() {
    try (UsageStore s = open()) {
      s.saveRhythms(Map.of("f", new UsageStore.Rhythm(new byte[] {1, 2}, T), "g", new UsageStore.Rhythm(new byte[] {3}, null)), Set.of());
      s.saveRhythms(Map.of("f", new UsageStore.Rhythm(new byte[] {4}, T.plusSeconds(1))), Set.of("g"));
    }
    try (UsageStore s = open()) {
      Map<String, UsageStore.Rhythm> r = s.rhythms();
      assertThat(r).containsOnlyKeys("f");
      assertThat(r.get("f").histogram()).containsExactly(4);
      assertThat(r.get("f").idleSince()).isEqualTo(T.plusSeconds(1));
    }
  }

  @Test
  void hoursStartOnTheHour() {
    assertThat(UsageStore.hourOf(T)).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
    assertThat(UsageStore.hourOf(Instant.parse("1969-12-31T23:30:00Z"))).isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));
  }
}
