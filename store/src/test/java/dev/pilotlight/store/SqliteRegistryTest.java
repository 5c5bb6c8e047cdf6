package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the registry's SQLite file is: its pragmas, its schema versions, its migrations from the releases before. */
class SqliteRegistryTest {

  @TempDir Path dir;

  private Path db() {
    return dir.resolve("registry.db");
  }

  private static void savePython(Registry r, int v) {
    RegistryTest.savePython(r, v);
  }

  @Test
  void walAndFullSyncAreOn() {
    try (var r = (SqlRegistry) Registry.open(db())) {
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
      assertThat(rs.getInt(1)).isEqualTo(SqlRegistry.SCHEMA_VERSION);
      rs.close();
      s.executeUpdate("UPDATE schema_version SET version = 99");
    }
    assertThatThrownBy(() -> Registry.open(db()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer Pilotlight");
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
      assertThat(rs.getInt(1)).isEqualTo(SqlRegistry.SCHEMA_VERSION).isEqualTo(3);
    }
  }
}
