package dev.pilotlight.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * Uploaded packages, stored by the SHA-256 of their zip: the zip under {@code root/sha256/} and
 * its unpacked tree under {@code root/code/<sha>/}. A code directory appears complete or not at
 * all, and once present it is never rewritten, so running instances may read it freely.
 *
 * <p>Layout under {@code root}: {@code code/<sha>/}, {@code sha256/<first 2 hex>/<sha>.zip},
 * {@code tmp/} (work in progress, cleared on open).
 */
public interface ArtifactStore {

  /** Opens (creating if needed) the store at {@code root}, enforcing {@code limits} on every upload. */
  static ArtifactStore open(Path root, PackageLimits limits) {
    return FileArtifactStore.open(root, limits);
  }

  /**
   * Opens a store at {@code root} whose packages are also kept in a PostgreSQL database several
   * daemons share: each daemon unpacks what it needs from there ({@link #ensure}).
   */
  static ArtifactStore open(Path root, PackageLimits limits, PostgresDatabase database, java.time.InstantSource clock) {
    return SharedArtifactStore.open(root, limits, database, clock);
  }

  /**
   * Reads a zip upload to its end (or to the size limit), checks it, and unpacks it unless a
   * package with the same SHA-256 is already stored. The caller closes {@code zipStream}.
   *
   * @throws dev.pilotlight.model.Failure.PayloadTooLarge past the zipped or unpacked size limit
   * @throws dev.pilotlight.model.Failure.InvalidInput not a zip, damaged, unsafe paths, links, or a zip bomb
   * @throws StoreException the disk failed
   */
  StoredPackage store(InputStream zipStream);

  /** Where the package with {@code sha256} is (or would be) unpacked. */
  Path codeDir(String sha256);

  /**
   * Makes sure the package with {@code sha256} is unpacked here, fetching it from where the
   * daemons share packages if this daemon does not hold it yet; returns its directory. A store of
   * one machine holds every package it was given, so for it this is {@link #codeDir}.
   *
   * @throws StoreException the package is nowhere to be found, or fetching it failed
   */
  default Path ensure(String sha256) {
    return codeDir(sha256);
  }

  /**
   * Deletes every stored package whose sha is not in {@code liveShas}. The caller must compute
   * {@code liveShas} after the last deploy that stored a package was saved in the registry, or a
   * package stored but not yet saved is lost: run deploys and collection under one lock.
   */
  void retainOnly(Set<String> liveShas);
}
