package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-12-03T11:00:00Z");

  @TempDir
  Path dir;

  private Path db() {
    return dir.resolve("secrets.db");
  }

  private Path keyFile() {
    return dir.resolve("keys/secrets.key");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void valuesRoundTripAcrossReopeningAndEachSetIsANewVersion() {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      SecretStore.Info first = store.put("db-password", utf8("hunter2"), T0);
      assertThat(first).isEqualTo(new SecretStore.Info("db-password", 1, T0, T0));
      assertThat(store.put("db-password", utf8("correct horse"), T1)).isEqualTo(new SecretStore.Info("db-password", 2, T0, T1));
      store.put("api-key", new byte[] {0, 1, 2, (byte) 0xff}, T1);
    }
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThat(store.value("db-password")).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("correct horse")));
      assertThat(store.value("api-key")).hasValueSatisfying(v -> assertThat(v).containsExactly(0, 1, 2, 0xff));
      assertThat(store.value("nope")).isEmpty();
      assertThat(store.list()).extracting(SecretStore.Info::name).containsExactly("api-key", "db-password");
      assertThat(store.delete("api-key")).isTrue();
      assertThat(store.delete("api-key")).isFalse();
      assertThat(store.find("api-key")).isEmpty();
    }
  }

  @Test
  void theDatabaseHoldsNoPlaintextAndEveryWriteHasItsOwnNonce() throws Exception {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      store.put("a", utf8("plaintext-marker-1234"), T0);
      store.put("b", utf8("plaintext-marker-1234"), T0);
    }
    for (String f : new String[] {"secrets.db", "secrets.db-wal"}) {
      if (Files.exists(dir.resolve(f))) {
        assertThat(new String(Files.readAllBytes(dir.resolve(f)), StandardCharsets.ISO_8859_1)).doesNotContain("plaintext-marker");
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
        PreparedStatement ps = c.prepareStatement("SELECT nonce, ciphertext FROM secrets ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      byte[] nonceA = rs.getBytes(1);
      byte[] sealedA = rs.getBytes(2);
      rs.next();
      assertThat(nonceA).hasSize(12).isNotEqualTo(rs.getBytes(1));
      assertThat(sealedA).isNotEqualTo(rs.getBytes(2));
    }
  }

  @Test
  void theKeyFileIsMadeOnFirstUseOwnerOnlyOutsideTheDatabase() throws Exception {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThat(keyFile()).doesNotExist();
      store.put("a", utf8("x"), T0);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile().getParent()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db()))).isEqualTo("rw-------");
    assertThat(Base64.getDecoder().decode(Files.readString(keyFile()).strip())).hasSize(32);
    // the key is made once: a later store uses it
    String key = Files.readString(keyFile());
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      store.put("b", utf8("y"), T0);
      assertThat(store.value("a")).isPresent();
    }
    assertThat(Files.readString(keyFile())).isEqualTo(key);
  }

  @Test
  void aChangedCiphertextFailsToDecryptWithAClearError() throws Exception {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      store.put("db-password", utf8("hunter2"), T0);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
      byte[] sealed;
      try (ResultSet rs = c.createStatement().executeQuery("SELECT ciphertext FROM secrets")) {
        rs.next();
        sealed = rs.getBytes(1);
      }
      sealed[0] ^= 1;
      try (PreparedStatement ps = c.prepareStatement("UPDATE secrets SET ciphertext = ?")) {
        ps.setBytes(1, sealed);
        ps.executeUpdate();
      }
    }
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThatThrownBy(() -> store.value("db-password")).isInstanceOf(StoreException.class)
          .hasMessageContaining("secret 'db-password'").hasMessageContaining("does not authenticate");
    }
  }

  @Test
  void aValueMovedToAnotherNameFailsToDecrypt() throws Exception {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      store.put("admin-password", utf8("the admin's"), T0);
      store.put("guest-password", utf8("the guest's"), T0);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
      c.createStatement().executeUpdate("UPDATE secrets SET (nonce, ciphertext) = "
          + "(SELECT nonce, ciphertext FROM secrets WHERE name = 'admin-password') WHERE name = 'guest-password'");
    }
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThat(store.value("admin-password")).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("the admin's")));
      assertThatThrownBy(() -> store.value("guest-password")).isInstanceOf(StoreException.class)
          .hasMessageContaining("secret 'guest-password'").hasMessageContaining("copied from another secret");
    }
  }

  @Test
  void aWrongKeyFileIsNamedAsSuch() throws Exception {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      store.put("a", utf8("x"), T0);
    }
    Files.delete(keyFile());
    SecretKeyFile.create(keyFile()); // another key
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThatThrownBy(() -> store.value("a")).isInstanceOf(StoreException.class)
          .hasMessageContaining("sealed under key").hasMessageContaining("a wrong or replaced key file");
    }
  }

  @Test
  void aMissingKeyFileIsNotReplacedWhileSecretsNeedIt() throws Exception {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      store.put("a", utf8("x"), T0);
    }
    Files.delete(keyFile());
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThatThrownBy(() -> store.value("a")).isInstanceOf(StoreException.class).hasMessageContaining("is missing");
      assertThatThrownBy(() -> store.put("b", utf8("y"), T0)).isInstanceOf(StoreException.class)
          .hasMessageContaining("is missing").hasMessageContaining("restore that key file");
    }
    assertThat(keyFile()).doesNotExist();
  }

  @Test
  void aDamagedKeyFileIsRefused() throws Exception {
    Files.createDirectories(keyFile().getParent());
    Files.writeString(keyFile(), "not base64!\n");
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThatThrownBy(() -> store.put("a", utf8("x"), T0)).isInstanceOf(StoreException.class).hasMessageContaining("not a key");
    }
    Files.writeString(keyFile(), Base64.getEncoder().encodeToString(new byte[16]) + "\n");
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThatThrownBy(() -> store.put("a", utf8("x"), T0)).isInstanceOf(StoreException.class).hasMessageContaining("holds 16 bytes");
    }
  }

  @Test
  void badNamesAndValuesAreRefused() {
    try (SecretStore store = SecretStore.open(db(), keyFile())) {
      assertThatThrownBy(() -> store.put("Bad_Name", utf8("x"), T0)).isInstanceOf(Failure.InvalidInput.class)
          .hasMessageContaining("secret name: 'Bad_Name'");
      assertThatThrownBy(() -> store.put("a", new byte[0], T0)).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("empty");
      assertThatThrownBy(() -> store.put("a", new byte[64 * 1024 + 1], T0)).isInstanceOf(Failure.PayloadTooLarge.class)
          .hasMessageContaining("65537 bytes");
      store.put("a", new byte[64 * 1024], T0);
      assertThat(store.value("a")).hasValueSatisfying(v -> assertThat(v).hasSize(64 * 1024));
    }
  }
}
