package dev.pilotlight.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the secrets API needs from the daemon: a write-only store that knows which functions use each secret. The server implements it. */
public interface SecretControl {
  /**
   * A secret as the API shows it: never its value.
   *
   * @param usedBy the functions whose current revision, or a revision their traffic split, an alias or
   *     a published version serves, refer to it
   */
  record View(String name, long version, Instant created, Instant updated, List<String> usedBy) {}

  /**
   * The outcome of a set.
   *
   * @param created whether the secret is new
   * @param replacing the functions whose instances are being replaced to get the new value
   */
  record Set(View secret, boolean created, List<String> replacing) {}

  /**
   * Sets {@code name}'s value (a new version) and replaces the running instances of the functions
   * that use it, gracefully.
   *
   * @throws dev.pilotlight.model.Failure.InvalidInput for a bad name or an empty value
   * @throws dev.pilotlight.model.Failure.PayloadTooLarge for a value over 64 KB
   */
  Set set(String name, byte[] value);

  /** Every secret, sorted by name. */
  List<View> list();

  Optional<View> find(String name);

  /**
   * Removes {@code name}.
   *
   * @throws dev.pilotlight.model.Failure.NotFound when there is no such secret
   * @throws dev.pilotlight.model.Failure.Conflict while a function uses it, naming them
   */
  void delete(String name);
}
