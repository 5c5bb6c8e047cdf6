package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.model.release.Alias;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.release.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456789Z");
  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "b".repeat(64);

  @TempDir Path dir;

  private Path db() {
    return dir.resolve("registry.db");
  }

  /** The registry under test, opened again on the same data each time (PostgresRegistryTest: a shared database). */
  Registry open() {
    return Registry.open(db());
  }

  static FunctionSpec java(String name) {
    return FunctionSpec.of(name, Runtime.JAVA, "example.Hello::handleRequest", null);
  }

  @Test
  void deploymentSurvivesCloseAndReopenWithEveryField() {
    var spec = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("java -jar app.jar --port=$PORT").memoryMb(512)
        .timeout(Duration.ofMillis(1500)).concurrency(8).minInstances(1).maxInstances(4).idleTimeout(Duration.ofMinutes(2))
        .env(Map.of("GREETING", "hi", "A_B", "x=y")).build()
        .withScaling(new ScalingSettings(0.5, Duration.ofSeconds(30), null, 3.0, null, 4.0, 20, Duration.ofMillis(700), Duration.ofSeconds(90)))
        .withReadinessPath("/healthz?from=pilotlight");
    Deployment saved;
    try (Registry r = open()) {
      saved = r.save(spec, SHA_A, 1234, dir.resolve("code/a"), T0);
    }
    try (Registry r = open()) {
      assertThat(r.find("web")).contains(saved);
      Deployment found = r.find("web").orElseThrow();
      assertThat(found.spec()).isEqualTo(spec);
      assertThat(found.deployedAt()).isEqualTo(T0);
      assertThat(found.codeDir()).isEqualTo(dir.resolve("code/a"));
    }
  }

  @Test
  void revisionsCountUpPerNameAndOldOnesAreKept() {
    try (Registry r = open()) {
      assertThat(r.save(java("one"), SHA_A, 1, dir, T0).revision()).isEqualTo(1);
      assertThat(r.save(java("one"), SHA_B, 2, dir, T0.plusSeconds(1)).revision()).isEqualTo(2);
      assertThat(r.save(java("two"), SHA_A, 1, dir, T0).revision()).isEqualTo(1);
      assertThat(r.save(java("one"), SHA_B, 2, dir, T0.plusSeconds(2)).revision()).isEqualTo(3);

      assertThat(r.find("one").orElseThrow().revision()).isEqualTo(3);
      assertThat(r.find("one", 1).orElseThrow().codeSha256()).isEqualTo(SHA_A);
      assertThat(r.find("one", 4)).isEmpty();
    }
  }

  @Test
  void listIsSortedByNameAndShowsCurrentRevisions() {
    try (Registry r = open()) {
      r.save(java("zeta"), SHA_A, 1, dir, T0);
      r.save(java("alpha"), SHA_A, 1, dir, T0);
      r.save(java("alpha"), SHA_B, 1, dir, T0);
      assertThat(r.list()).extracting(Deployment::name, Deployment::revision)
          .containsExactly(Tuple.tuple("alpha", 2L), Tuple.tuple("zeta", 1L));
    }
  }

  @Test
  void deleteRemovesFunctionAndRevisionsAndRedeployStartsOver() {
    try (Registry r = open()) {
      r.save(java("gone"), SHA_A, 1, dir, T0);
      r.save(java("gone"), SHA_B, 1, dir, T0);
      r.save(java("kept"), SHA_A, 1, dir, T0);

      assertThat(r.delete("gone")).isTrue();
      assertThat(r.delete("gone")).isFalse();
      assertThat(r.find("gone")).isEmpty();
      assertThat(r.find("gone", 1)).isEmpty();
      assertThat(r.list()).extracting(Deployment::name).containsExactly("kept");
      assertThat(r.save(java("gone"), SHA_A, 1, dir, T0).revision()).isEqualTo(1);
    }
  }

  @Test
  void referencedCodeCoversOldRevisionsButNotDeletedFunctions() {
    String shaC = "c".repeat(64);
    try (Registry r = open()) {
      r.save(java("one"), SHA_A, 1, dir, T0);
      r.save(java("one"), SHA_B, 1, dir, T0);
      r.save(java("two"), shaC, 1, dir, T0);
      assertThat(r.referencedCode()).containsExactlyInAnyOrder(SHA_A, SHA_B, shaC);
      r.delete("two");
      assertThat(r.referencedCode()).containsExactlyInAnyOrder(SHA_A, SHA_B);
    }
  }



  @Test
  void concurrentSavesGetDistinctRevisions() throws Exception {
    try (Registry r = open(); var pool = Executors.newFixedThreadPool(8)) {
      List<Callable<Long>> saves = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        saves.add(() -> r.save(java("busy"), SHA_A, 1, dir, T0).revision());
      }
      List<Long> revisions = new ArrayList<>();
      for (Future<Long> f : pool.invokeAll(saves)) {
        revisions.add(f.get());
      }
      assertThat(revisions).doesNotHaveDuplicates().hasSize(40).allMatch(v -> v >= 1 && v <= 40);
      assertThat(r.find("busy").orElseThrow().revision()).isEqualTo(40);
    }
  }

  @Test
  void argumentsAreChecked() {
    try (Registry r = open()) {
      assertThatThrownBy(() -> r.save(java("x"), "ABC", 1, dir, T0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("codeSha256: 'ABC' (expected: 64 lowercase hex digits)");
      assertThatThrownBy(() -> r.save(java("x"), SHA_A, -1, dir, T0))
          .hasMessageContaining("codeSize: -1");
    }
  }

  @Test
  void aClosedRegistrySaysSo() {
    Registry r = open();
    r.close();
    r.close(); // idempotent
    assertThatThrownBy(r::list).isInstanceOf(StoreException.class).hasMessageContaining("closed");
  }


  @Test
  void pruningKeepsTheNewestRevisionsAndTheLiveOne() {
    try (Registry r = open()) {
      for (int v = 1; v <= 4; v++) {
        r.save(FunctionSpec.builder().name("f").runtime(Runtime.PYTHON).handler("app.handler").build(), Integer.toString(v).repeat(64), 1,
            Path.of("/code/" + v), Instant.EPOCH);
      }
      assertThat(r.pruneRevisions("f", 2)).isEqualTo(2);
      assertThat(r.find("f", 2)).isEmpty();
      assertThat(r.find("f", 3)).isPresent();
      assertThat(r.find("f").orElseThrow().revision()).isEqualTo(4);
      assertThat(r.referencedCode()).containsExactlyInAnyOrder("3".repeat(64), "4".repeat(64));
      assertThat(r.pruneRevisions("f", 2)).isZero();
      assertThat(r.pruneRevisions("nope", 1)).isZero();
    }
  }

  static void savePython(Registry r, int v) {
    r.save(FunctionSpec.builder().name("f").runtime(Runtime.PYTHON).handler("app.handler").build(), Integer.toString(v).repeat(64), 1,
        Path.of("/code/" + v), Instant.EPOCH);
  }

  @Test
  void releasesSurviveAReopenAndGoWithTheFunction() {
    Releases rel = new Releases(Traffic.parse("1=90 latest=10 canary:2=0"),
        List.of(new Alias("live", 1L, 2L, 0.25, "prod"), new Alias("dev", null, null, 0, "")));
    try (Registry r = open()) {
      for (int v = 1; v <= 3; v++) {
        savePython(r, v);
      }
      assertThat(r.releases("f")).isEqualTo(Releases.NONE);
      r.saveReleases("f", rel);
    }
    try (Registry r = open()) {
      Releases back = r.releases("f");
      assertThat(back.traffic()).isEqualTo(rel.traffic());
      assertThat(back.aliases()).containsExactlyInAnyOrderElementsOf(rel.aliases());
      assertThat(r.allReleases()).containsOnlyKeys("f");
      r.saveReleases("f", Releases.NONE);
      assertThat(r.allReleases()).isEmpty();
      r.saveReleases("f", rel);
      assertThat(r.delete("f")).isTrue();
      assertThat(r.releases("f")).isEqualTo(Releases.NONE);
      assertThat(r.allReleases()).isEmpty();
    }
  }

  @Test
  void pruningKeepsPublishedVersionsAndRevisionsTheReleasesName() {
    try (Registry r = open()) {
      for (int v = 1; v <= 3; v++) {
        savePython(r, v);
      }
      assertThat(r.publish("f", 1)).isTrue();
      assertThat(r.publish("f", 9)).isFalse();
      r.saveReleases("f", new Releases(Traffic.parse("2=50 latest=50"), List.of()));
      for (int v = 4; v <= 6; v++) {
        savePython(r, v);
      }
      r.pruneRevisions("f", 1);
      assertThat(r.revisions("f")).extracting(Deployment::revision).containsExactly(1L, 2L, 6L);
      assertThat(r.published("f")).containsExactly(1L);
      r.saveReleases("f", new Releases(Traffic.LATEST, List.of(new Alias("old", 2L, null, 0, ""))));
      r.pruneRevisions("f", 1);
      assertThat(r.revisions("f")).extracting(Deployment::revision).containsExactly(1L, 2L, 6L);
      assertThat(r.deleteRevision("f", 6)).as("the live one").isFalse();
      assertThat(r.deleteRevision("f", 1)).isTrue();
      assertThat(r.deleteRevision("f", 1)).isFalse();
      assertThat(r.revisions("f")).extracting(Deployment::revision).containsExactly(2L, 6L);
    }
  }


  @Test
  void theLastRolloutOfAFunctionSurvivesAReopenAndGoesWithIt() {
    Instant t = Instant.parse("2026-12-04T10:00:00Z");
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("linear:20%,30s,errors=2%,latency=3x"), t);
    try (Registry reg = open()) {
      savePython(reg, 1);
      reg.saveRollout(r);
      reg.saveRollout(r.end(Rollout.Status.FAILED, "revision 2 failed 5 of 10 calls", t.plusSeconds(40)));
    }
    try (Registry reg = open()) {
      assertThat(reg.rollouts()).singleElement().satisfies(back -> {
        assertThat(back.status()).isEqualTo(Rollout.Status.FAILED);
        assertThat(back.plan()).isEqualTo(r.plan());
        assertThat(back.endedAt()).isEqualTo(t.plusSeconds(40));
        assertThat(back.reason()).contains("5 of 10");
        assertThat(back.stable()).isEqualTo(1);
        assertThat(back.canary()).isEqualTo(2);
      });
      reg.delete("f");
      assertThat(reg.rollouts()).isEmpty();
    }
  }

  @Test
  void aRolloutDeployStoresItsRevisionSplitAndRolloutTogetherOrNothing() {
    Instant t = Instant.parse("2026-12-04T10:00:00Z");
    RolloutPlan plan = RolloutPlan.parse("canary:10%,5m");
    try (Registry reg = open()) {
      savePython(reg, 1);
      Deployment d = reg.saveRollingOut(reg.find("f").orElseThrow().spec(), SHA_B, 2, dir.resolve("code/b"), t, next -> {
        Rollout r = Rollout.start("f", 1, next.revision(), plan, t);
        return new Registry.RolloutStart(Releases.NONE.withTraffic(r.traffic(next.revision())), r);
      });
      assertThat(d.revision()).isEqualTo(2);
    }
    try (Registry reg = open()) {
      assertThat(reg.find("f").orElseThrow().revision()).isEqualTo(2);
      assertThat(reg.releases("f").traffic().percentByNumber(1)).isEqualTo(100);
      assertThat(reg.rollouts()).singleElement().satisfies(r -> assertThat(r.canary()).isEqualTo(2));
      // a failure while the rest is made leaves nothing of the deploy: no revision 3 without its rollout
      assertThatThrownBy(() -> reg.saveRollingOut(reg.find("f").orElseThrow().spec(), SHA_A, 3, dir.resolve("code/c"), t, next -> {
        throw new IllegalStateException("crashed half-way");
      })).hasMessageContaining("half-way");
      assertThat(reg.find("f").orElseThrow().revision()).isEqualTo(2);
      assertThat(reg.revisions("f")).extracting(Deployment::revision).containsExactly(1L, 2L);
      assertThat(reg.rollouts()).singleElement().satisfies(r -> assertThat(r.canary()).isEqualTo(2));
    }
  }
}
