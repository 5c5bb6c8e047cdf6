package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
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
}
