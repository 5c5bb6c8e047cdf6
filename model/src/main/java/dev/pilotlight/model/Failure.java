package dev.pilotlight.model;

/**
 * The few named ways a request can fail. Each is turned into an HTTP status and a JSON error body
 * in exactly one place at the edge (the gateway's error mapper); everywhere else code throws or
 * completes futures with these.
 */
public abstract sealed class Failure extends RuntimeException {

  private Failure(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** A short stable name for the failure, used as the {@code error} field of JSON bodies. */
  public String code() {
    return getClass().getSimpleName();
  }

  /** Bad input from a client: a malformed manifest, a bad name, a hostile zip (HTTP 400). */
  public static final class InvalidInput extends Failure {
    public InvalidInput(String message) {
      super(message, null);
    }
  }

  /** No function by that name (HTTP 404). */
  public static final class FunctionNotFound extends Failure {
    private final String name;

    public FunctionNotFound(String name) {
      super("function '" + name + "' does not exist", null);
      this.name = name;
    }

    public String name() {
      return name;
    }
  }

  /** Something other than a function does not exist, e.g. a secret (HTTP 404); the message names it. */
  public static final class NotFound extends Failure {
    public NotFound(String message) {
      super(message, null);
    }
  }

  /** The request conflicts with the current state, e.g. creating a function that already exists (HTTP 409). */
  public static final class Conflict extends Failure {
    public Conflict(String message) {
      super(message, null);
    }
  }

  /** A request or package over a configured limit (HTTP 413). */
  public static final class PayloadTooLarge extends Failure {
    public PayloadTooLarge(String message) {
      super(message, null);
    }
  }

  /**
   * The function's request queue is full; the caller should retry later (HTTP 429). Or, made by
   * {@link #stopped}, the function takes no request at all (a reserved concurrency of 0): still
   * Lambda's throttle, but nothing to retry soon, so its code is {@code Throttled} and no
   * {@code Retry-After} goes with it.
   */
  public static final class QueueFull extends Failure {
    private final boolean reserved;
    private final boolean retryLater;

    public QueueFull(String message) {
      this(message, false);
    }

    /** @param reserved the function's reserved concurrency is what it is over (Lambda says so in the throttle's Reason) */
    public QueueFull(String message, boolean reserved) {
      this(message, reserved, true);
    }

    private QueueFull(String message, boolean reserved, boolean retryLater) {
      super(message, null);
      this.reserved = reserved;
      this.retryLater = retryLater;
    }

    /** Every call of a function whose reserved concurrency is 0. */
    public static QueueFull stopped(String message) {
      return new QueueFull(message, true, false);
    }

    public boolean reserved() {
      return reserved;
    }

    /** Whether a retry in a second may succeed (false: the function was stopped until its reservation changes). */
    public boolean retryLater() {
      return retryLater;
    }

    @Override
    public String code() {
      return retryLater ? "QueueFull" : "Throttled";
    }
  }

  /** No instance of the function became free within the queue wait; the caller should retry later (HTTP 429). */
  public static final class QueueTimeout extends Failure {
    private final boolean reserved;

    public QueueTimeout(String message) {
      this(message, false);
    }

    /** @param reserved the function's instances are capped by its reserved concurrency (see {@link QueueFull#reserved}) */
    public QueueTimeout(String message, boolean reserved) {
      super(message, null);
      this.reserved = reserved;
    }

    public boolean reserved() {
      return reserved;
    }
  }

  /**
   * No instance can be started now: the node's memory budget is in use and no idle instance of
   * another function could be stopped to make room; the caller should retry later (HTTP 429).
   */
  public static final class NoCapacity extends Failure {
    public NoCapacity(String message) {
      super(message, null);
    }
  }

  /** The function did not answer within its timeout; its instance is replaced (HTTP 504). */
  public static final class FunctionTimeout extends Failure {
    private final java.time.Duration timeout;

    public FunctionTimeout(String message) {
      this(message, null);
    }

    /** @param timeout the function's timeout that ran out, when known (Lambda's answers name it) */
    public FunctionTimeout(String message, java.time.Duration timeout) {
      super(message, null);
      this.timeout = timeout;
    }

    /** The function's timeout that ran out, when known. */
    public java.util.Optional<java.time.Duration> timeout() {
      return java.util.Optional.ofNullable(timeout);
    }
  }

  /** An instance could not start, failed its init, or crashed mid-request (HTTP 502). */
  public static final class InstanceFailed extends Failure {
    /**
     * How the reason of an instance the kernel ended at its memory limit begins (Lambda's error
     * type for it); the executor writes it, the Lambda API reads it ({@link #outOfMemory}).
     */
    public static final String OUT_OF_MEMORY = "Runtime.OutOfMemory";

    public InstanceFailed(String message) {
      super(message, null);
    }

    public InstanceFailed(String message, Throwable cause) {
      super(message, cause);
    }

    /** Whether the instance was ended for using more than its memory. */
    public boolean outOfMemory() {
      return String.valueOf(getMessage()).startsWith(OUT_OF_MEMORY);
    }
  }

  /** The daemon is shutting down or the function was removed while the request waited (HTTP 503). */
  public static final class Unavailable extends Failure {
    public Unavailable(String message) {
      super(message, null);
    }
  }
}
