package dev.pilotlight.store;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.CredentialStore;
import dev.pilotlight.model.auth.Role;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link CredentialStore} in a SQLite file of its own ({@code credentials.db}), readable by the
 * daemon's user only (mode 0600, with its WAL files): it holds the access keys' secrets. Or in a
 * PostgreSQL database several daemons share.
 */
public final class SqlCredentialStore implements CredentialStore {

  /** Schema migrations, as in {@link SqlRegistry}: append only. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE tokens (
            id          TEXT    PRIMARY KEY,
            sha256      TEXT    NOT NULL UNIQUE,
            role        TEXT    NOT NULL,
            description TEXT    NOT NULL,
            created     INTEGER NOT NULL
          )""",
          """
          CREATE TABLE access_keys (
            id          TEXT    PRIMARY KEY,
            secret      TEXT    NOT NULL,
            role        TEXT    NOT NULL,
            description TEXT    NOT NULL,
            created     INTEGER NOT NULL
          )"""),
      // 2: a function's own key is found by its description (at a deploy), not by reading them all
      List.of("CREATE INDEX access_keys_description ON access_keys (description)"));

  /** The same tables on PostgreSQL, from its first version. Append only. */
  static final List<List<String>> POSTGRES_MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE tokens (
            id          TEXT    PRIMARY KEY,
            sha256      TEXT    NOT NULL UNIQUE,
            role        TEXT    NOT NULL,
            description TEXT    NOT NULL,
            created     BIGINT  NOT NULL
          )""",
          """
          CREATE TABLE access_keys (
            id          TEXT    PRIMARY KEY,
            secret      TEXT    NOT NULL,
            role        TEXT    NOT NULL,
            description TEXT    NOT NULL,
            created     BIGINT  NOT NULL
          )"""),
      List.of("CREATE INDEX access_keys_description ON access_keys (description)"));

  private final Database db;

  private SqlCredentialStore(Database db) {
    this.db = db;
  }

  /** The credentials in a shared PostgreSQL database (its own access control and TLS protect the keys' secrets). */
  public static SqlCredentialStore open(PostgresDatabase pg) {
    pg.migrate("credential store", POSTGRES_MIGRATIONS);
    return new SqlCredentialStore(pg.forStore("credential store"));
  }

  /** Opens (creating or migrating as needed) the database at {@code dbFile}, owner-only. */
  public static SqlCredentialStore open(Path dbFile) {
    Path file = dbFile.toAbsolutePath();
    SqliteDatabase.createOwnerOnly(file, "credential store");
    SqlCredentialStore store = new SqlCredentialStore(
        new GuardedConnection("credential store", file, SqliteDatabase.open(file, MIGRATIONS, "credential store")));
    try {
      SqliteDatabase.sideFilesOwnerOnly(file, "credential store");
    } catch (StoreException e) {
      store.close();
      throw e;
    }
    return store;
  }

  @Override
  public List<StoredToken> tokens() {
    return db.withConnection("list tokens", c -> {
      List<StoredToken> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, sha256, role, description, created FROM tokens ORDER BY created, id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredToken(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)), rs.getString(4),
              Instant.ofEpochMilli(rs.getLong(5))));
        }
      }
      return out;
    });
  }

  @Override
  public void addToken(StoredToken t) {
    db.withConnection("add token " + t.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO tokens (id, sha256, role, description, created) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, t.id());
        ps.setString(2, t.sha256());
        ps.setString(3, t.role().id());
        ps.setString(4, t.description());
        ps.setLong(5, t.created().toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean revokeToken(String id) {
    return delete("tokens", id);
  }

  @Override
  public List<AccessKey> keys() {
    return db.withConnection("list access keys", c -> {
      List<AccessKey> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, secret, role, description, created FROM access_keys ORDER BY created, id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(key(rs));
        }
      }
      return out;
    });
  }

  @Override
  public Optional<AccessKey> keyDescribed(String description) {
    return db.withConnection("find an access key by description", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, secret, role, description, created FROM access_keys WHERE description = ? ORDER BY created, id LIMIT 1")) {
        ps.setString(1, description);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(key(rs)) : Optional.empty();
        }
      }
    });
  }

  /** The access key of the current row of a {@code SELECT id, secret, role, description, created}. */
  private static AccessKey key(ResultSet rs) throws java.sql.SQLException {
    return new AccessKey(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)), rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)));
  }

  @Override
  public void addKey(AccessKey k) {
    db.withConnection("add access key " + k.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO access_keys (id, secret, role, description, created) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, k.id());
        ps.setString(2, k.secret());
        ps.setString(3, k.role().id());
        ps.setString(4, k.description());
        ps.setLong(5, k.created().toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean revokeKey(String id) {
    return delete("access_keys", id);
  }

  private boolean delete(String table, String id) {
    return db.withConnection("revoke " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void close() {
    db.close();
  }
}
