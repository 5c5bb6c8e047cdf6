package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.CredentialStore.StoredToken;
import dev.pilotlight.model.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
  @TempDir
  Path dir;

  @Test
  void tokensAndKeysAreKeptAcrossReopeningAndRevokedForGood() {
    Path file = dir.resolve("credentials.db");
    StoredToken t = new StoredToken("tok_1", "ab".repeat(32), Role.DEPLOY, "ci", Instant.parse("2026-12-03T10:00:00Z"));
    AccessKey k = new AccessKey("PLAKAAAAAAAAAAAAAAAA", "secret", Role.INVOKE, "", Instant.parse("2026-12-03T10:00:01Z"));
    try (SqlCredentialStore store = SqlCredentialStore.open(file)) {
      store.addToken(t);
      store.addKey(k);
    }
    try (SqlCredentialStore store = SqlCredentialStore.open(file)) {
      assertThat(store.tokens()).containsExactly(t);
      assertThat(store.keys()).containsExactly(k);
      assertThat(store.revokeToken("tok_1")).isTrue();
      assertThat(store.revokeToken("tok_1")).isFalse();
      assertThat(store.revokeKey(k.id())).isTrue();
    }
    try (SqlCredentialStore store = SqlCredentialStore.open(file)) {
      assertThat(store.tokens()).isEmpty();
      assertThat(store.keys()).isEmpty();
    }
  }

  @Test
  void aKeyIsFoundByItsExactDescriptionTheOldestFirstAndNotOnceRevoked() {
    AccessKey older = new AccessKey("PLAKCCCCCCCCCCCCCCCC", "s1", Role.INVOKE, "function fn-1", Instant.parse("2026-12-03T10:00:00Z"));
    AccessKey newer = new AccessKey("PLAKDDDDDDDDDDDDDDDD", "s2", Role.INVOKE, "function fn-1", Instant.parse("2026-12-03T10:00:05Z"));
    AccessKey other = new AccessKey("PLAKEEEEEEEEEEEEEEEE", "s3", Role.INVOKE, "function fn-10", Instant.parse("2026-12-03T09:00:00Z"));
    try (SqlCredentialStore store = SqlCredentialStore.open(dir.resolve("credentials.db"))) {
      store.addKey(newer);
      store.addKey(other);
      store.addKey(older);
      assertThat(store.keyDescribed("function fn-1")).contains(older);
      assertThat(store.keyDescribed("function fn")).isEmpty();
      store.revokeKey(older.id());
      assertThat(store.keyDescribed("function fn-1")).contains(newer);
    }
  }

  @Test
  void theFileIsReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("credentials.db");
    try (SqlCredentialStore store = SqlCredentialStore.open(file)) {
      store.addKey(new AccessKey("PLAKBBBBBBBBBBBBBBBB", "secret", Role.ADMIN, "", Instant.EPOCH));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (SqlCredentialStore store = SqlCredentialStore.open(file)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
  }
}
