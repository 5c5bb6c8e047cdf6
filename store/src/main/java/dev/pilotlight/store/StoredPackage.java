package dev.pilotlight.store;

import java.nio.file.Path;

/**
 * An uploaded package after {@link ArtifactStore#store}: its identity and where it was unpacked.
 *
 * @param sha256 lowercase hex SHA-256 of the zip as uploaded
 * @param size size of the zip in bytes
 * @param dir the unpacked package; read-only by convention, shared by every deployment of this sha
 */
public record StoredPackage(String sha256, long size, Path dir) {
  public StoredPackage {
    if (sha256 == null || !Sha256.isValid(sha256)) {
      throw new IllegalArgumentException("sha256: '" + sha256 + "' (expected: 64 lowercase hex digits)");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
    }
    if (dir == null) {
      throw new IllegalArgumentException("dir: null (expected: a directory)");
    }
  }
}
