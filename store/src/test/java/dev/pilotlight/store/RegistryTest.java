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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
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

  private static FunctionSpec java(String name) {
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
    try (Registry r = Registry.open(db())) {
      saved = r.save(spec, SHA_A, 1234, dir.resolve("code/a"), T0);
    }
    try (Registry r = Registry.open(db())) {
      assertThat(r.find("web")).contains(saved);
      Deployment found = r.find("web").orElseThrow();
      assertThat(found.spec()).isEqualTo(spec);
      assertThat(found.deployedAt()).isEqualTo(T0);
      assertThat(found.codeDir()).isEqualTo(dir.resolve("code/a"));
    }
  }

  @Test
  void revisionsCountUpPerNameAndOldOnesAreKept() {
    try (Registry r = Registry.open(db())) {
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
    try (Registry r = Registry.open(db())) {
      r.save(java("zeta"), SHA_A, 1, dir, T0);
      r.save(java("alpha"), SHA_A, 1, dir, T0);
      r.save(java("alpha"), SHA_B, 1, dir, T0);
      assertThat(r.list()).extracting(Deployment::name, Deployment::revision)
          .containsExactly(Tuple.tuple("alpha", 2L), Tuple.tuple("zeta", 1L));
    }
  }

  @Test
  void deleteRemovesFunctionAndRevisionsAndRedeployStartsOver() {
    try (Registry r = Registry.open(db())) {
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
    try (Registry r = Registry.open(db())) {
      r.save(java("one"), SHA_A, 1, dir, T0);
      r.save(java("one"), SHA_B, 1, dir, T0);
      r.save(java("two"), shaC, 1, dir, T0);
      assertThat(r.referencedCode()).containsExactlyInAnyOrder(SHA_A, SHA_B, shaC);
      r.delete("two");
      assertThat(r.referencedCode()).containsExactlyInAnyOrder(SHA_A, SHA_B);
    }
  }

  @Test
  void walAndFullSyncAreOn() {
    try (var r = (SqliteRegistry) Registry.open(db())) {
      assertThat(r.pragma("journal_mode")).isEqualTo("wal");
      assertThat(r.pragma("synchronous")).isEqualTo("2"); // FULL
      assertThat(r.pragma("foreign_keys")).isEqualTo("1");
    }
  }

  @Test
  void schemaVersionIsRecordedAndANewerSchemaIsRefused() throws Exception {
    Registry.open(db()).close();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db());
        var s = c.createStatement()) {
      var rs = s.executeQuery("SELECT version FROM schema_version");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(SqliteRegistry.SCHEMA_VERSION);
      rs.close();
      s.executeUpdate("UPDATE schema_version SET version = 99");
    }
    assertThatThrownBy(() -> Registry.open(db()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer Pilotlight");
  }

  @Test
  void concurrentSavesGetDistinctRevisions() throws Exception {
    try (Registry r = Registry.open(db()); var pool = Executors.newFixedThreadPool(8)) {
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
    try (Registry r = Registry.open(db())) {
      assertThatThrownBy(() -> r.save(java("x"), "ABC", 1, dir, T0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("codeSha256: 'ABC' (expected: 64 lowercase hex digits)");
      assertThatThrownBy(() -> r.save(java("x"), SHA_A, -1, dir, T0))
          .hasMessageContaining("codeSize: -1");
    }
  }

  @Test
  void aClosedRegistrySaysSo() {
    Registry r = Registry.open(db());
    r.close();
    r.close(); // idempotent
    assertThatThrownBy(r::list).isInstanceOf(StoreException.class).hasMessageContaining("closed");
  }

  @Test
  void anUnopenableFileIsAStoreException() throws Exception {
    Path notADb = dir.resolve("junk.db");
    Files.writeString(notADb, "this is not sqlite, it is long enough to have a header............................................");
    assertThatThrownBy(() -> Registry.open(notADb))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(notADb.toString());
  }

  @Test
  void pruningKeepsTheNewestRevisionsAndTheLiveOne() {
    try (Registry r = Registry.open(db())) {
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

  private static void savePython(Registry r, int v) {
    r.save(FunctionSpec.builder().name("f").runtime(Runtime.PYTHON).handler("app.handler").build(), Integer.toString(v).repeat(64), 1,
        Path.of("/code/" + v), Instant.EPOCH);
  }

  @Test
  void releasesSurviveAReopenAndGoWithTheFunction() {
    Releases rel = new Releases(Traffic.parse("1=90 latest=10 canary:2=0"),
        List.of(new Alias("live", 1L, 2L, 0.25, "prod"), new Alias("dev", null, null, 0, "")));
    try (Registry r = Registry.open(db())) {
      for (int v = 1; v <= 3; v++) {
        savePython(r, v);
      }
      assertThat(r.releases("f")).isEqualTo(Releases.NONE);
      r.saveReleases("f", rel);
    }
    try (Registry r = Registry.open(db())) {
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
    try (Registry r = Registry.open(db())) {
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
  void aRegistryOfTheFirstSchemaIsMigratedWithItsFunctionsKept() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db());
        var s = c.createStatement()) {
      // schema version 1 as the first release wrote it, with one function in it
      s.executeUpdate("CREATE TABLE schema_version (version INTEGER NOT NULL)");
      s.executeUpdate("INSERT INTO schema_version (version) VALUES (1)");
      s.executeUpdate("CREATE TABLE revisions (name TEXT NOT NULL, revision INTEGER NOT NULL, spec_json TEXT NOT NULL, code_sha256 TEXT NOT NULL, "
          + "code_size INTEGER NOT NULL, code_dir TEXT NOT NULL, deployed_at TEXT NOT NULL, PRIMARY KEY (name, revision))");
      s.executeUpdate("CREATE TABLE functions (name TEXT PRIMARY KEY, revision INTEGER NOT NULL, "
          + "FOREIGN KEY (name, revision) REFERENCES revisions (name, revision))");
    }
    try (Registry r = Registry.open(db())) {
      savePython(r, 1); // written with the current code, then read back after a reopen
    }
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db());
        var s = c.createStatement()) {
      s.executeUpdate("UPDATE schema_version SET version = 1");
      s.executeUpdate("DROP TABLE traffic");
      s.executeUpdate("DROP TABLE aliases");
      s.executeUpdate("DROP TABLE rollouts");
      s.executeUpdate("ALTER TABLE revisions DROP COLUMN published");
    }
    try (Registry r = Registry.open(db())) {
      assertThat(r.find("f")).isPresent();
      assertThat(r.published("f")).isEmpty();
      assertThat(r.releases("f")).isEqualTo(Releases.NONE);
      r.saveReleases("f", new Releases(Traffic.parse("latest=100 t:1=0"), List.of()));
      assertThat(r.releases("f").traffic().tagged("t", 1)).contains(1L);
    }
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db());
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT version FROM schema_version")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(SqliteRegistry.SCHEMA_VERSION).isEqualTo(3);
    }
  }

  @Test
  void theLastRolloutOfAFunctionSurvivesAReopenAndGoesWithIt() {
    Instant t = Instant.parse("2026-12-04T10:00:00Z");
    Rollout r = Rollout.start("f", 1, 2, RolloutPlan.parse("linear:20%,30s,errors=2%,latency=3x"), t);
    try (Registry reg = Registry.open(db())) {
      savePython(reg, 1);
      reg.saveRollout(r);
      reg.saveRollout(r.end(Rollout.Status.FAILED, "revision 2 failed 5 of 10 calls", t.plusSeconds(40)));
    }
    try (Registry reg = Registry.open(db())) {
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
    try (Registry reg = Registry.open(db())) {
      savePython(reg, 1);
      Deployment d = reg.saveRollingOut(reg.find("f").orElseThrow().spec(), SHA_B, 2, dir.resolve("code/b"), t, next -> {
        Rollout r = Rollout.start("f", 1, next.revision(), plan, t);
        return new Registry.RolloutStart(Releases.NONE.withTraffic(r.traffic(next.revision())), r);
      });
      assertThat(d.revision()).isEqualTo(2);
    }
    try (Registry reg = Registry.open(db())) {
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
