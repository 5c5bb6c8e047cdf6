package dev.pilotlight.model.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * An access key the daemon issued for the Lambda API (SigV4): its id ({@code AKIA…}-shaped), its secret,
 * which the daemon needs in the clear to check signatures, and its role.
 */
public record AccessKey(String id, String secret, Role role, String description, Instant created) {
  public AccessKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(role, "role");
    description = description == null ? "" : description;
    Objects.requireNonNull(created, "created");
  }

  @Override
  public String toString() {
    return "AccessKey[" + id + ", " + role.id() + "]"; // never the secret
  }
}
