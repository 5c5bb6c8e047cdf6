package dev.pilotlight.bench;

/**
 * A benchmark that cannot produce valid figures: a wrong answer, a daemon that does not start,
 * a call that was not cold. {@link Main} turns it into one {@code error:} line and exit code 1.
 */
final class BenchFailure extends RuntimeException {
  BenchFailure(String message) {
    super(message);
  }

  BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
