package dev.pilotlight.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Named secrets, write-only from the outside: a value goes in with {@link #put} and comes out only
 * through {@link #value}, which the daemon calls when an instance that uses it starts. Values are
 * encrypted with AES-256-GCM under a data key kept in a file outside the database (see
 * {@link SecretKeyFile}); the database holds only ciphertext. Thread-safe; durable once a method
 * returns.
 */
public interface SecretStore extends AutoCloseable {

  /**
   * Opens (creating or migrating as needed) the secrets database at {@code dbFile}, with its data
   * key in {@code keyFile}, which is created (mode 0600) by the first {@link #put} if it does not
   * exist and no secret is stored yet.
   */
  static SecretStore open(Path dbFile, Path keyFile) {
    return SqlSecretStore.open(dbFile, keyFile);
  }

  /**
   * Opens (creating or migrating as needed) the secrets in a PostgreSQL database several daemons
   * share, sealed under the key in {@code keyFile}, which every daemon must hold (none is made).
   */
  static SecretStore open(PostgresDatabase database, Path keyFile) {
    return SqlSecretStore.open(database, keyFile);
  }

  /**
   * A secret as listed: never its value.
   *
   * @param version 1 for the first value, one more at each {@link #put}
   * @param created when the secret was first set
   * @param updated when its current value was set
   */
  record Info(String name, long version, Instant created, Instant updated) {}

  /**
   * Sets {@code name}'s value: a new secret at version 1, or the next version of an existing one
   * (the previous value is overwritten, not kept).
   *
   * @throws dev.pilotlight.model.Failure.InvalidInput for a bad name or an empty value
   * @throws dev.pilotlight.model.Failure.PayloadTooLarge for a value over 64 KB
   * @throws StoreException when the key file cannot be read or made
   */
  Info put(String name, byte[] value, Instant now);

  /** Every secret, sorted by name. */
  List<Info> list();

  /** One secret's listing, if it exists. */
  Optional<Info> find(String name);

  /**
   * {@code name}'s current value, decrypted; empty when there is no such secret.
   *
   * @throws StoreException when it cannot be decrypted: the key file is missing or holds another
   *     key, or the stored ciphertext does not authenticate (changed, or moved from another name)
   */
  Optional<byte[]> value(String name);

  /** Removes {@code name}; false if it did not exist. */
  boolean delete(String name);

  @Override
  void close();
}
