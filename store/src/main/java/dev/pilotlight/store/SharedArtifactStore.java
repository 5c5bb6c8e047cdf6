package dev.pilotlight.store;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;

/**
 * Packages shared by the daemons of a cluster: each upload is stored in PostgreSQL
 * ({@code packages}: the zip by SHA-256) before the deploy that brought it is acknowledged, and
 * every daemon unpacks it into its own {@link FileArtifactStore} the first time it needs it,
 * checking that what it fetched hashes to the SHA-256 it asked for. The zip is kept in a
 * {@code BYTEA} column: simple, transactional, and fine at Lambda's 50 MB limit (PostgreSQL takes
 * up to 1 GB in one value).
 */
final class SharedArtifactStore implements ArtifactStore {
  /** The table, from its first version. Append only. */
  static final List<List<String>> POSTGRES_MIGRATIONS = List.of(
      List.of("""
          CREATE TABLE packages (
            sha256    TEXT   PRIMARY KEY,
            size      BIGINT NOT NULL,
            zip       BYTEA  NOT NULL,
            stored_at BIGINT NOT NULL
          )"""));

  /**
   * How long a stored package no revision refers to is kept before collection: a package is
   * stored before the revision that refers to it is saved, possibly by another daemon, and a
   * deploy takes far less than this between the two.
   */
  static final Duration UNREFERENCED_GRACE = Duration.ofHours(1);

  private final FileArtifactStore local;
  private final Database db;
  private final InstantSource clock;

  private SharedArtifactStore(FileArtifactStore local, Database db, InstantSource clock) {
    this.local = local;
    this.db = db;
    this.clock = clock;
  }

  static SharedArtifactStore open(Path root, PackageLimits limits, PostgresDatabase pg, InstantSource clock) {
    pg.migrate("packages", POSTGRES_MIGRATIONS);
    return new SharedArtifactStore(FileArtifactStore.open(root, limits), pg.forStore("packages"), clock);
  }

  @Override
  public StoredPackage store(InputStream zipStream) {
    StoredPackage p = local.store(zipStream);
    Path zip = local.zipPath(p.sha256());
    db.withConnection("store package " + p.sha256(), c -> {
      long now = clock.instant().toEpochMilli();
      // The same package again (a redeploy, another function with the same zip): its grace against
      // collection starts again, and the zip is not sent a second time. A collection that runs
      // meanwhile spares it: it only removes packages stored before the grace.
      try (PreparedStatement touch = c.prepareStatement("UPDATE packages SET stored_at = ? WHERE sha256 = ?")) {
        touch.setLong(1, now);
        touch.setString(2, p.sha256());
        if (touch.executeUpdate() == 1) {
          return 1;
        }
      }
      try (InputStream in = Files.newInputStream(zip);
          PreparedStatement ps = c.prepareStatement(
              "INSERT INTO packages (sha256, size, zip, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET stored_at = ?")) {
        ps.setString(1, p.sha256());
        ps.setLong(2, p.size());
        ps.setBinaryStream(3, in, p.size());
        ps.setLong(4, now);
        ps.setLong(5, now); // stored by another daemon in the meantime
        return ps.executeUpdate();
      } catch (java.io.IOException e) {
        throw new StoreException("packages: reading " + zip + " failed: " + e.getMessage(), e);
      }
    });
    return p;
  }

  @Override
  public Path codeDir(String sha256) {
    return local.codeDir(sha256);
  }

  @Override
  public Path ensure(String sha256) {
    Path dir = local.codeDir(sha256);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    StoredPackage fetched = db.withConnection("fetch package " + sha256, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT zip FROM packages WHERE sha256 = ?")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new StoreException("packages: package " + sha256 + " is not in the shared database (removed by hand?); "
                + "deploy the function again");
          }
          try (InputStream in = rs.getBinaryStream(1)) {
            return local.store(in);
          } catch (java.io.IOException e) {
            throw new StoreException("packages: fetching " + sha256 + " failed: " + e.getMessage(), e);
          }
        }
      }
    });
    if (!fetched.sha256().equals(sha256)) {
      throw new StoreException("packages: the package stored as " + sha256 + " hashes to " + fetched.sha256() + ": the shared "
          + "database's copy is damaged");
    }
    return fetched.dir();
  }

  /**
   * Drops the unpacked code here and the shared zips no revision refers to; a zip stored less than
   * {@link #UNREFERENCED_GRACE} ago stays (its revision may be being saved by another daemon).
   */
  @Override
  public void retainOnly(Set<String> liveShas) {
    local.retainOnly(liveShas);
    Instant before = clock.instant().minus(UNREFERENCED_GRACE);
    db.withConnection("collect unused packages", c -> {
      List<String> old;
      try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM packages WHERE stored_at < ?")) {
        ps.setLong(1, before.toEpochMilli());
        old = new java.util.ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            old.add(rs.getString(1));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM packages WHERE sha256 = ? AND stored_at < ?")) {
        for (String sha : old) {
          if (!liveShas.contains(sha)) {
            ps.setString(1, sha);
            ps.setLong(2, before.toEpochMilli());
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public String toString() {
    return "shared packages over " + local;
  }
}
