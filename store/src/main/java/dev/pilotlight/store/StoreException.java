package dev.pilotlight.store;

/**
 * Storage failed for a reason that is not the caller's input: a disk error, a damaged database, a
 * closed store. Bad input is reported as {@link dev.pilotlight.model.Failure.InvalidInput} instead.
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
