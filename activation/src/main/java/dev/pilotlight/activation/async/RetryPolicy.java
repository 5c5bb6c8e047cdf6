package dev.pilotlight.activation.async;

import dev.pilotlight.model.AsyncEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * Decides what becomes of an event after an attempt, as Lambda does for asynchronous invocations:
 * a function error is retried up to {@code maxRetries} times, the first after {@code retryDelay}
 * and each later one after twice the previous wait (Lambda: 1 min, then 2 min); an event that could
 * not run (throttled) is tried again after {@code throttleDelay} without using up a retry; nothing
 * is retried past {@code maxEventAge} from acceptance. Pure: no I/O, time passed in.
 */
public final class RetryPolicy {
  private RetryPolicy() {}

  /**
   * The limits that apply to one function's events.
   *
   * @param maxRetries retries after a function error, 0..2
   * @param maxEventAge the latest an attempt may start, counted from acceptance
   * @param retryDelay the wait before the first retry
   * @param throttleDelay the wait before trying a throttled event again
   */
  public record Limits(int maxRetries, Duration maxEventAge, Duration retryDelay, Duration throttleDelay) {
    public Limits {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: >= 0)");
      }
      for (Duration d : new Duration[] {maxEventAge, retryDelay, throttleDelay}) {
        if (d == null || d.isNegative()) {
          throw new IllegalArgumentException("limits: " + d + " (expected: a duration >= 0)");
        }
      }
    }
  }

  /** What to do with the event. */
  public sealed interface Decision {
    /** It ran: remove it. */
    record Done() implements Decision {}

    /** Queue it again, due at {@code at}. */
    record RetryAt(Instant at, int attempts, String error) implements Decision {}

    /** Keep it as failed. */
    record GiveUp(int attempts, String error) implements Decision {}
  }

  /** Whether {@code event} is too old to start another attempt at {@code now}. */
  public static boolean expired(AsyncEvent event, Limits limits, Instant now) {
    return Duration.between(event.acceptedAt(), now).compareTo(limits.maxEventAge()) > 0;
  }

  public static Decision decide(AsyncEvent event, Outcome outcome, Limits limits, Instant now) {
    return switch (outcome) {
      case Outcome.Succeeded s -> new Decision.Done();
      case Outcome.Gone g -> new Decision.GiveUp(event.attempts(), g.reason());
      case Outcome.FunctionError f -> {
        int attempts = event.attempts() + 1;
        if (attempts > limits.maxRetries()) {
          yield new Decision.GiveUp(attempts, f.error());
        }
        // attempts 1 → retryDelay, 2 → 2 × retryDelay, …
        Instant at = now.plus(limits.retryDelay().multipliedBy(1L << Math.min(attempts - 1, 20)));
        yield schedule(event, at, attempts, f.error(), limits);
      }
      case Outcome.Throttled t -> schedule(event, now.plus(limits.throttleDelay()), event.attempts(), t.reason(), limits);
    };
  }

  private static Decision schedule(AsyncEvent event, Instant at, int attempts, String error, Limits limits) {
    if (Duration.between(event.acceptedAt(), at).compareTo(limits.maxEventAge()) > 0) {
      return new Decision.GiveUp(attempts, error + " (then the maximum event age of "
          + limits.maxEventAge().toMillis() + " ms left no time for another attempt)");
    }
    return new Decision.RetryAt(at, attempts, error);
  }
}
