package dev.pilotlight.executor;

import java.util.Optional;

/**
 * Where an instance's secrets come from: the current value of a secret by name, read when an
 * instance of a function that uses it starts (never when a warm pool runner, an AOT training run
 * or a snapshot starts). Declared here, where instances start; the server reads the store.
 */
@FunctionalInterface
public interface SecretValues {
  /** No store: every secret is missing. */
  SecretValues NONE = name -> Optional.empty();

  /**
   * {@code name}'s current value, or empty when there is no such secret; called off the event loops.
   * May throw a runtime exception saying why a value cannot be read (a missing key file).
   */
  Optional<byte[]> value(String name);
}
