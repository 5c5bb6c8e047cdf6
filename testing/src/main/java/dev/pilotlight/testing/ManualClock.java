package dev.pilotlight.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link InstantSource} that only moves when a test moves it. Thread-safe: code under test may
 * read it from any thread while the test sets or advances it.
 */
public final class ManualClock implements InstantSource {

  /** Where a clock made with {@link #ManualClock()} starts: a fixed, readable instant. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;

  /** A clock at {@link #DEFAULT_START}. */
  public ManualClock() {
    this(DEFAULT_START);
  }

  public ManualClock(Instant start) {
    if (start == null) {
      throw new IllegalArgumentException("start: null (expected: an instant)");
    }
    this.now = new AtomicReference<>(start);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Moves the clock to {@code instant}, which may be earlier than now (to test retrograde time). */
  public ManualClock set(Instant instant) {
    if (instant == null) {
      throw new IllegalArgumentException("instant: null (expected: an instant)");
    }
    now.set(instant);
    return this;
  }

  /** Moves the clock forward by {@code amount} and returns the new instant. */
  public Instant advance(Duration amount) {
    if (amount == null || amount.isNegative()) {
      throw new IllegalArgumentException("amount: " + amount + " (expected: >= 0; use set() to go back)");
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /** Moves the clock forward by {@code millis} milliseconds and returns the new instant. */
  public Instant advanceMillis(long millis) {
    return advance(Duration.ofMillis(millis));
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
