package dev.pilotlight.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;

/** Opens the daemon's SQLite files the one way they are all opened, and runs their schema migrations. */
final class SqliteDatabase {
  private SqliteDatabase() {}

  /**
   * Opens {@code file} (creating it and its directory if needed) in WAL mode with
   * {@code synchronous=FULL}, then brings its schema to {@code migrations.size()}.
   *
   * @param migrations {@code migrations.get(i)} takes the schema from version i to i+1; append only
   * @param label what the file is, for error messages ("registry", "event queue")
   */
  static Connection open(Path file, List<List<String>> migrations, String label) {
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new StoreException(label + " " + file + ": cannot create its directory: " + e.getMessage(), e);
    }
    var config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL: a commit is on disk before it returns, so anything acknowledged survives power loss.
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.enforceForeignKeys(true);
    // IMMEDIATE: take the write lock at BEGIN, so a second process fails fast instead of deadlocking.
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    config.setBusyTimeout(5_000);
    Connection c = null;
    try {
      c = config.createConnection("jdbc:sqlite:" + file);
      migrate(c, file, migrations, label);
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw new StoreException(label + " " + file + ": cannot open: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static void migrate(Connection c, Path file, List<List<String>> migrations, String label) throws SQLException {
    int target = migrations.size();
    try (Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    }
    c.setAutoCommit(false);
    try {
      int version;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > target) {
        throw new StoreException(label + " " + file + ": schema version " + version
            + " was written by a newer Pilotlight (this one knows up to " + target + ")");
      }
      for (int v = version; v < target; v++) {
        try (Statement s = c.createStatement()) {
          for (String sql : migrations.get(v)) {
            s.executeUpdate(sql);
          }
        }
      }
      if (version < target) {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("DELETE FROM schema_version");
          s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + target + ")");
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Creates {@code file} (and its directory) readable by the daemon's user only, or makes it so: for files that hold secrets. */
  static void createOwnerOnly(Path file, String label) {
    try {
      Files.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      }
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (IOException | UnsupportedOperationException e) {
      throw new StoreException(label + " " + file + ": cannot make it owner-only: " + e.getMessage(), e);
    }
  }

  /** Makes the WAL and shared-memory files of {@code file} owner-only: they carry the same data, and SQLite creates them with the umask's mode. */
  static void sideFilesOwnerOnly(Path file, String label) {
    for (String suffix : List.of("-wal", "-shm")) {
      Path side = file.resolveSibling(file.getFileName() + suffix);
      try {
        if (Files.exists(side)) {
          Files.setPosixFilePermissions(side, OWNER_ONLY);
        }
      } catch (IOException e) {
        throw new StoreException(label + " " + side + ": cannot make it owner-only: " + e.getMessage(), e);
      }
    }
  }

  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already failing; the original error is the one worth reporting
      }
    }
  }
}
