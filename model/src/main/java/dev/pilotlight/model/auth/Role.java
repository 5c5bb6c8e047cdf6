package dev.pilotlight.model.auth;

import java.util.Locale;

/**
 * What a credential (a bearer token or an access key) may do. Each role includes the ones below it:
 * {@code admin} ⊃ {@code deploy} ⊃ {@code invoke}.
 */
public enum Role {
  /** Invoke functions (function URLs with {@code auth: token}, the native and Lambda invoke calls) and nothing else. */
  INVOKE,
  /** Everything about functions: deploy, list, read, remove, logs, metrics, invoke; not credentials. */
  DEPLOY,
  /** Everything, including creating and revoking tokens and keys. */
  ADMIN;

  /** Whether a credential with this role may do what {@code needed} allows. */
  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The lower-case name used in the API, the CLI and the store. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code admin}, {@code deploy} or {@code invoke} (any case). */
  public static Role parse(String id) {
    for (Role r : values()) {
      if (r.id().equalsIgnoreCase(id == null ? "" : id.strip())) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + id + "' (expected admin, deploy or invoke)");
  }
}
