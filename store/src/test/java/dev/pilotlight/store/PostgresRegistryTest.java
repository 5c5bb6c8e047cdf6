package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Deployment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every registry test again on PostgreSQL, plus what only a shared registry does. */
class PostgresRegistryTest extends RegistryTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Override
  Registry open() {
    return Registry.open(db.database(), null);
  }

  @Test
  void twoDaemonsDeployingOneFunctionAtOnceGetConsecutiveRevisions() throws Exception {
    // two pools on one database: two daemons
    try (PostgresDatabase other = PostgresDatabase.open(db.url());
        Registry a = open();
        Registry b = Registry.open(other, null);
        var pool = Executors.newFixedThreadPool(8)) {
      List<Callable<Long>> saves = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Registry r = i % 2 == 0 ? a : b;
        saves.add(() -> r.save(java("busy"), "a".repeat(64), 1, Path.of("/code/a"), Instant.EPOCH).revision());
      }
      List<Long> revisions = new ArrayList<>();
      for (Future<Long> f : pool.invokeAll(saves)) {
        revisions.add(f.get());
      }
      assertThat(revisions).doesNotHaveDuplicates().hasSize(40).allMatch(v -> v >= 1 && v <= 40);
      assertThat(b.find("busy").orElseThrow().revision()).isEqualTo(40);
    }
  }

  @Test
  void eachDaemonFindsARevisionsCodeInItsOwnDataDirectory() {
    try (Registry a = Registry.open(db.database(), sha -> Path.of("/node-a/code", sha));
        Registry b = Registry.open(db.database(), sha -> Path.of("/node-b/code", sha))) {
      Deployment saved = a.save(java("f"), "c".repeat(64), 1, Path.of("/node-a/code", "c".repeat(64)), Instant.EPOCH);
      assertThat(b.find("f").orElseThrow().codeDir()).isEqualTo(Path.of("/node-b/code", "c".repeat(64)));
      assertThat(a.find("f", saved.revision()).orElseThrow().codeDir()).isEqualTo(Path.of("/node-a/code", "c".repeat(64)));
    }
  }

  @Test
  void theSchemaIsMigratedOnceAndANewerOneIsRefused() {
    open().close();
    open().close(); // a second daemon: nothing to do
    assertThat(db.database().version("registry")).isEqualTo(SqlRegistry.POSTGRES_MIGRATIONS.size());
    db.sql("UPDATE schema_versions SET version = 99 WHERE component = 'registry'");
    org.assertj.core.api.Assertions.assertThatThrownBy(this::open)
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer Pilotlight");
  }

  @Test
  void aRegistryOfThePreviousSchemaVersionIsMigratedWithItsFunctionsKept() {
    // a function written, then the schema taken back to version 1 (before the change feed) as an older release left it
    try (Registry r = open()) {
      savePython(r, 1);
    }
    db.sql("DROP TABLE registry_changes; UPDATE schema_versions SET version = 1 WHERE component = 'registry'");
    try (Registry r = open()) {
      assertThat(r.find("f")).isPresent();
      savePython(r, 2);
      assertThat(r.find("f").orElseThrow().revision()).isEqualTo(2);
    }
    assertThat(db.database().version("registry")).isEqualTo(2);
    db.sql("SELECT changes FROM registry_changes WHERE name = 'f'");
  }
}
