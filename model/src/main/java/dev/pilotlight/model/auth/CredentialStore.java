package dev.pilotlight.model.auth;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable record of the credentials the daemon issued: bearer tokens (kept as their SHA-256 only)
 * and access keys (kept whole: a SigV4 check needs the secret). Declared here for the daemon's
 * authentication; implemented by the store ({@code credentials.db}, committed before a method returns).
 */
public interface CredentialStore extends AutoCloseable {

  /** A bearer token as stored: never the token itself, only its hex SHA-256. */
  record StoredToken(String id, String sha256, Role role, String description, Instant created) {
    public StoredToken {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(role, "role");
      description = description == null ? "" : description;
      Objects.requireNonNull(created, "created");
    }
  }

  /** Every token not revoked, oldest first. */
  List<StoredToken> tokens();

  /** Stores a new token. */
  void addToken(StoredToken token);

  /** Removes a token; false when there was none with that id. */
  boolean revokeToken(String id);

  /** Every access key not revoked, oldest first. */
  List<AccessKey> keys();

  /** The oldest access key not revoked whose description is {@code description}, if any. */
  default Optional<AccessKey> keyDescribed(String description) {
    return keys().stream().filter(k -> k.description().equals(description)).findFirst();
  }

  /** Stores a new access key. */
  void addKey(AccessKey key);

  /** Removes an access key; false when there was none with that id. */
  boolean revokeKey(String id);

  @Override
  void close();
}
