package dev.pilotlight.cli;

/**
 * The few ways a command fails. Each carries its exit code; {@link Main} prints the message as
 * {@code error: <message>} on stderr in exactly one place.
 */
abstract sealed class CliFailure extends RuntimeException {

  /** The command ran and failed (a daemon error, a bad manifest…). */
  static final int EXIT_FAILED = 1;
  /** The daemon could not be reached at all. */
  static final int EXIT_UNREACHABLE = 2;
  /** The command line was wrong (sysexits' EX_USAGE). */
  static final int EXIT_USAGE = 64;

  private CliFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  abstract int exitCode();

  /** A bad argument: a missing PATH, a malformed --env or --data (exit 64). */
  static final class Usage extends CliFailure {
    Usage(String message) {
      super(message, null);
    }

    @Override
    int exitCode() {
      return EXIT_USAGE;
    }
  }

  /** A failure found locally, such as an unreadable manifest (exit 1). */
  static final class Failed extends CliFailure {
    Failed(String message) {
      super(message, null);
    }

    Failed(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    int exitCode() {
      return EXIT_FAILED;
    }
  }

  /** The daemon answered with an error status; {@code code} is its {@code error} field, if any (exit 1). */
  static final class ApiError extends CliFailure {
    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
      super(message, null);
      this.status = status;
      this.code = code;
    }

    int status() {
      return status;
    }

    /** The daemon's error name, e.g. {@code FunctionNotFound}; null when the body was not a JSON error. */
    String code() {
      return code;
    }

    @Override
    int exitCode() {
      return EXIT_FAILED;
    }
  }

  /** Nothing answered at the daemon's address (exit 2). */
  static final class Unreachable extends CliFailure {
    Unreachable(String url, String reason) {
      super("cannot reach the Pilotlight daemon at " + url + " (" + reason + "). Start it with: bin/pilotlight serve", null);
    }

    @Override
    int exitCode() {
      return EXIT_UNREACHABLE;
    }
  }
}
