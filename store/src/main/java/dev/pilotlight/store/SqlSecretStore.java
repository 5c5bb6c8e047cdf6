package dev.pilotlight.store;

import dev.pilotlight.model.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * {@link SecretStore} in a SQLite file of its own ({@code secrets.db}, owner-only with its WAL
 * files), each value sealed with AES-256-GCM: a random 96-bit nonce per write, a 128-bit tag, and
 * the secret's name as additional authenticated data, so a value copied into another secret's row
 * fails to decrypt rather than being handed to the wrong function. The row also names the key it
 * was sealed under (its id), so that a missing or replaced key file is reported as such.
 */
final class SqlSecretStore implements SecretStore {

  /** Schema migrations, as in {@link SqlRegistry}: append only. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE secrets (
            name       TEXT    PRIMARY KEY,
            version    INTEGER NOT NULL,
            key_id     TEXT    NOT NULL,
            nonce      BLOB    NOT NULL,
            ciphertext BLOB    NOT NULL,
            created    INTEGER NOT NULL,
            updated    INTEGER NOT NULL
          )"""));

  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** The same table on PostgreSQL, from its first version. Append only. */
  static final List<List<String>> POSTGRES_MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE secrets (
            name       TEXT    PRIMARY KEY,
            version    BIGINT  NOT NULL,
            key_id     TEXT    NOT NULL,
            nonce      BYTEA   NOT NULL,
            ciphertext BYTEA   NOT NULL,
            created    BIGINT  NOT NULL,
            updated    BIGINT  NOT NULL
          )"""));

  private final Database db;
  private final Path keyFile;
  private final SecureRandom random = new SecureRandom();
  /** The key, once read or made; guarded by {@code this}. */
  private SecretKeyFile.Key key;

  private SqlSecretStore(Database db, Path keyFile) {
    this.db = db;
    this.keyFile = keyFile;
  }

  /**
   * The secrets in a shared PostgreSQL database. Every daemon must hold the same key file: a
   * daemon never makes a key of its own here (its secrets could not be read by the others).
   */
  static SqlSecretStore open(PostgresDatabase pg, Path keyFile) {
    if (keyFile == null) {
      throw new IllegalArgumentException("keyFile: null (expected: the path of the secrets key every daemon shares)");
    }
    pg.migrate("secret store", POSTGRES_MIGRATIONS);
    return new SqlSecretStore(pg.forStore("secret store"), keyFile.toAbsolutePath());
  }

  static SqlSecretStore open(Path dbFile, Path keyFile) {
    if (dbFile == null || keyFile == null) {
      throw new IllegalArgumentException("dbFile, keyFile: " + dbFile + ", " + keyFile + " (expected: two paths)");
    }
    Path file = dbFile.toAbsolutePath();
    SqliteDatabase.createOwnerOnly(file, "secret store");
    SqlSecretStore store = new SqlSecretStore(new GuardedConnection("secret store", file, SqliteDatabase.open(file, MIGRATIONS, "secret store")),
        keyFile.toAbsolutePath());
    try {
      SqliteDatabase.sideFilesOwnerOnly(file, "secret store");
    } catch (StoreException e) {
      store.close();
      throw e;
    }
    return store;
  }

  @Override
  public Info put(String name, byte[] value, Instant now) {
    Secrets.checkName(name);
    Secrets.checkValue(name, value);
    SecretKeyFile.Key k = keyForWriting();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = seal(k, nonce, name, value);
    return db.inTransaction("set secret " + name, c -> {
      db.lock(c, "secret:" + name); // two daemons setting one secret number their versions one after the other
      Optional<Info> before = find(c, name);
      long version = before.map(i -> i.version() + 1).orElse(1L);
      Instant created = before.map(Info::created).orElse(now);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO secrets (name, version, key_id, nonce, ciphertext, created, updated) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version, key_id = excluded.key_id, "
          + "nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated = excluded.updated")) {
        ps.setString(1, name);
        ps.setLong(2, version);
        ps.setString(3, k.id());
        ps.setBytes(4, nonce);
        ps.setBytes(5, sealed);
        ps.setLong(6, created.toEpochMilli());
        ps.setLong(7, now.toEpochMilli());
        ps.executeUpdate();
      }
      return new Info(name, version, Instant.ofEpochMilli(created.toEpochMilli()), Instant.ofEpochMilli(now.toEpochMilli()));
    });
  }

  @Override
  public List<Info> list() {
    return db.withConnection("list secrets", c -> {
      List<Info> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name, version, created, updated FROM secrets ORDER BY name");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(info(rs));
        }
      }
      return out;
    });
  }

  @Override
  public Optional<Info> find(String name) {
    return db.withConnection("find secret " + name, c -> find(c, name));
  }

  private static Optional<Info> find(Connection c, String name) throws java.sql.SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT name, version, created, updated FROM secrets WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(info(rs)) : Optional.empty();
      }
    }
  }

  private static Info info(ResultSet rs) throws java.sql.SQLException {
    return new Info(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)));
  }

  /** A stored row: what {@link #value} decrypts. */
  private record Sealed(long version, String keyId, byte[] nonce, byte[] ciphertext) {}

  @Override
  public Optional<byte[]> value(String name) {
    Optional<Sealed> row = db.withConnection("read secret " + name, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT version, key_id, nonce, ciphertext FROM secrets WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Sealed(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4))) : Optional.empty();
        }
      }
    });
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Sealed s = row.get();
    SecretKeyFile.Key k = keyForReading(name, s.keyId());
    return Optional.of(open(k, s, name));
  }

  @Override
  public boolean delete(String name) {
    return db.withConnection("remove secret " + name, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM secrets WHERE name = ?")) {
        ps.setString(1, name);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void close() {
    db.close();
  }

  // ---- the key --------------------------------------------------------------------------------------

  /** The key to seal with: the file's, or a new one when there is no file and nothing is sealed yet. */
  private synchronized SecretKeyFile.Key keyForWriting() {
    if (key != null) {
      return key;
    }
    try {
      key = SecretKeyFile.load(keyFile);
    } catch (NoSuchFileException missing) {
      List<String> sealedUnder = keyIds();
      if (!sealedUnder.isEmpty()) {
        throw new StoreException("secrets key file " + keyFile + " is missing, but stored secrets were sealed under key "
            + String.join(", ", sealedUnder) + ": restore that key file (a new key could not read them; see docs/security.md)");
      }
      if (db.shared()) {
        throw new StoreException("secrets key file " + keyFile + " is missing: with a shared database every daemon needs the same key "
            + "file (one line, 32 random bytes in base64: `head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE`), "
            + "given by serve --secrets-key or $PILOTLIGHT_SECRETS_KEY; see docs/cluster.md");
      }
      try {
        key = SecretKeyFile.create(keyFile);
      } catch (IOException e) {
        throw new StoreException("secrets key file " + keyFile + ": cannot make it: " + e.getMessage(), e);
      }
    } catch (IOException e) {
      throw new StoreException("secrets key file " + keyFile + ": cannot read it: " + e.getMessage(), e);
    }
    return key;
  }

  /** The key {@code name} was sealed under ({@code keyId}); read again once when the one held is another (the file was restored). */
  private synchronized SecretKeyFile.Key keyForReading(String name, String keyId) {
    if (key != null && key.id().equals(keyId)) {
      return key;
    }
    try {
      key = SecretKeyFile.load(keyFile);
    } catch (NoSuchFileException missing) {
      throw new StoreException("secret '" + name + "' cannot be read: the secrets key file " + keyFile + " is missing (it was sealed "
          + "under key " + keyId + "; restore that key file)");
    } catch (IOException e) {
      throw new StoreException("secret '" + name + "' cannot be read: secrets key file " + keyFile + ": " + e.getMessage(), e);
    }
    if (!key.id().equals(keyId)) {
      throw new StoreException("secret '" + name + "' cannot be read: it was sealed under key " + keyId + ", but the key file "
          + keyFile + " holds key " + key.id() + " (a wrong or replaced key file; restore the original)");
    }
    return key;
  }

  private List<String> keyIds() {
    return db.withConnection("list secret keys", c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT key_id FROM secrets ORDER BY key_id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  // ---- sealing --------------------------------------------------------------------------------------

  private static byte[] seal(SecretKeyFile.Key k, byte[] nonce, String name, byte[] value) {
    try {
      Cipher c = Cipher.getInstance(CIPHER);
      c.init(Cipher.ENCRYPT_MODE, k.key(), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(value);
    } catch (GeneralSecurityException e) {
      throw new StoreException("secret '" + name + "': cannot encrypt: " + e.getMessage(), e);
    }
  }

  private static byte[] open(SecretKeyFile.Key k, Sealed s, String name) {
    try {
      Cipher c = Cipher.getInstance(CIPHER);
      c.init(Cipher.DECRYPT_MODE, k.key(), new GCMParameterSpec(TAG_BITS, s.nonce()));
      c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(s.ciphertext());
    } catch (AEADBadTagException e) {
      throw new StoreException("secret '" + name + "' cannot be read: its stored value (version " + s.version() + ") does not "
          + "authenticate under key " + k.id() + ": it was changed in the database, or copied from another secret");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new StoreException("secret '" + name + "' cannot be read: " + e.getMessage(), e);
    }
  }
}
