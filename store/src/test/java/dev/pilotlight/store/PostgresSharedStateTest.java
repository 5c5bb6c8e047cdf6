package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.CredentialStore.StoredToken;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.testing.ManualClock;
import dev.pilotlight.testing.Zips;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state daemons share in PostgreSQL besides the registry and the queue: credentials, secrets
 * and code packages, each seen by a second daemon (a second pool and data directory) as the first
 * left it.
 */
class PostgresSharedStateTest {
  @TempDir Path dir;
  @RegisterExtension final TestDatabase db = new TestDatabase();
  private PostgresDatabase other;

  @BeforeEach
  void secondDaemon() {
    other = PostgresDatabase.open(db.url());
  }

  @AfterEach
  void closeSecondDaemon() {
    other.close();
  }

  @Test
  void tokensAndKeysMadeOnOneDaemonAreKnownToAnotherAndRevokedForAll() {
    StoredToken t = new StoredToken("tok_1", "ab".repeat(32), Role.DEPLOY, "ci", Instant.parse("2026-12-03T10:00:00Z"));
    AccessKey k = new AccessKey("PLAKAAAAAAAAAAAAAAAA", "secret", Role.INVOKE, "", Instant.parse("2026-12-03T10:00:01Z"));
    try (var a = SqlCredentialStore.open(db.database()); var b = SqlCredentialStore.open(other)) {
      a.addToken(t);
      a.addKey(k);
      assertThat(b.tokens()).containsExactly(t);
      assertThat(b.keys()).containsExactly(k);
      assertThat(b.revokeToken("tok_1")).isTrue();
      assertThat(a.tokens()).isEmpty();
      assertThat(a.revokeToken("tok_1")).isFalse();
    }
  }

  @Test
  void aSecretSetOnOneDaemonIsReadOnAnotherWithTheSameKeyFile() throws Exception {
    Path key = dir.resolve("secrets.key");
    Files.writeString(key, java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    try (SecretStore a = SecretStore.open(db.database(), key); SecretStore b = SecretStore.open(other, key)) {
      a.put("db-password", "hunter2".getBytes(StandardCharsets.UTF_8), Instant.EPOCH);
      b.put("db-password", "hunter3".getBytes(StandardCharsets.UTF_8), Instant.EPOCH.plusSeconds(1));
      assertThat(a.value("db-password")).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("hunter3"));
      assertThat(a.find("db-password").orElseThrow().version()).isEqualTo(2);
    }
  }

  @Test
  void aDaemonOnASharedDatabaseNeverMakesASecretsKeyOfItsOwn() {
    Path key = dir.resolve("keys/secrets.key");
    try (SecretStore a = SecretStore.open(db.database(), key)) {
      assertThatThrownBy(() -> a.put("s", new byte[] {1}, Instant.EPOCH))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("with a shared database every daemon needs the same key file")
          .hasMessageContaining("--secrets-key");
      assertThat(key).doesNotExist();
    }
  }

  @Test
  void aPackageStoredByOneDaemonIsUnpackedByAnotherOnFirstNeed() throws Exception {
    byte[] zip = Zips.ofText("pilotlight.yaml", "runtime: java\n", "lib/a.txt", "alpha");
    ManualClock clock = new ManualClock();
    ArtifactStore a = ArtifactStore.open(dir.resolve("a"), PackageLimits.defaults(), db.database(), clock);
    ArtifactStore b = ArtifactStore.open(dir.resolve("b"), PackageLimits.defaults(), other, clock);
    StoredPackage p = a.store(new ByteArrayInputStream(zip));
    assertThat(b.codeDir(p.sha256())).doesNotExist();
    Path there = b.ensure(p.sha256());
    assertThat(there).isEqualTo(dir.resolve("b").resolve("code").resolve(p.sha256()));
    assertThat(there.resolve("lib/a.txt")).hasContent("alpha");
    assertThat(b.ensure(p.sha256())).isEqualTo(there); // held now: nothing fetched
  }

  @Test
  void aPackageMissingOrDamagedInTheDatabaseIsAClearError() {
    byte[] zip = Zips.ofText("a.txt", "alpha");
    ManualClock clock = new ManualClock();
    ArtifactStore a = ArtifactStore.open(dir.resolve("a"), PackageLimits.defaults(), db.database(), clock);
    ArtifactStore b = ArtifactStore.open(dir.resolve("b"), PackageLimits.defaults(), other, clock);
    StoredPackage p = a.store(new ByteArrayInputStream(zip));
    assertThatThrownBy(() -> b.ensure("f".repeat(64))).isInstanceOf(StoreException.class).hasMessageContaining("not in the shared database");
    byte[] otherZip = Zips.ofText("b.txt", "beta");
    db.sql("UPDATE packages SET zip = '\\x" + java.util.HexFormat.of().formatHex(otherZip) + "'::bytea");
    assertThatThrownBy(() -> b.ensure(p.sha256())).isInstanceOf(StoreException.class).hasMessageContaining("damaged");
  }

  @Test
  void unreferencedPackagesGoAfterTheirGraceAndReferencedOnesStay() {
    ManualClock clock = new ManualClock();
    ArtifactStore a = ArtifactStore.open(dir.resolve("a"), PackageLimits.defaults(), db.database(), clock);
    ArtifactStore b = ArtifactStore.open(dir.resolve("b"), PackageLimits.defaults(), other, clock);
    StoredPackage kept = a.store(new ByteArrayInputStream(Zips.ofText("a.txt", "kept")));
    StoredPackage dropped = a.store(new ByteArrayInputStream(Zips.ofText("a.txt", "dropped")));
    b.retainOnly(Set.of(kept.sha256())); // just stored: its revision may be being saved elsewhere
    assertThat(a.ensure(dropped.sha256())).exists();
    clock.advance(SharedArtifactStore.UNREFERENCED_GRACE.plus(Duration.ofSeconds(1)));
    b.retainOnly(Set.of(kept.sha256()));
    assertThat(b.ensure(kept.sha256())).exists();
    ArtifactStore c = ArtifactStore.open(dir.resolve("c"), PackageLimits.defaults(), other, clock);
    assertThatThrownBy(() -> c.ensure(dropped.sha256())).isInstanceOf(StoreException.class);
  }

  @Test
  void aPackageStoredAgainStartsItsGraceAgain() {
    ManualClock clock = new ManualClock();
    ArtifactStore a = ArtifactStore.open(dir.resolve("a"), PackageLimits.defaults(), db.database(), clock);
    ArtifactStore b = ArtifactStore.open(dir.resolve("b"), PackageLimits.defaults(), other, clock);
    byte[] zip = Zips.ofText("a.txt", "redeployed");
    StoredPackage first = a.store(new ByteArrayInputStream(zip));
    clock.advance(SharedArtifactStore.UNREFERENCED_GRACE.minus(Duration.ofMinutes(1)));
    StoredPackage again = b.store(new ByteArrayInputStream(zip)); // the same zip, through another daemon
    assertThat(again.sha256()).isEqualTo(first.sha256());
    clock.advance(Duration.ofMinutes(2)); // past the first store's grace, within the second's
    a.retainOnly(Set.of());
    ArtifactStore c = ArtifactStore.open(dir.resolve("c"), PackageLimits.defaults(), other, clock);
    assertThat(c.ensure(first.sha256())).exists();
    clock.advance(SharedArtifactStore.UNREFERENCED_GRACE);
    a.retainOnly(Set.of());
    ArtifactStore d = ArtifactStore.open(dir.resolve("d"), PackageLimits.defaults(), other, clock);
    assertThatThrownBy(() -> d.ensure(first.sha256())).isInstanceOf(StoreException.class);
  }
}
