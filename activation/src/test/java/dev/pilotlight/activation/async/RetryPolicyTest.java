package dev.pilotlight.activation.async;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.activation.async.RetryPolicy.Decision;
import dev.pilotlight.model.AsyncEvent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  /** Lambda's: two retries, 1 min then 2 min, events live 6 h. */
  private static final RetryPolicy.Limits LAMBDA = new RetryPolicy.Limits(2, Duration.ofHours(6), Duration.ofMinutes(1), Duration.ofSeconds(1));

  private static AsyncEvent event(int attempts) {
    return new AsyncEvent(1, "f", "req", new byte[0], T0, attempts, null, null);
  }

  @Test
  void successIsDone() {
    assertThat(RetryPolicy.decide(event(0), new Outcome.Succeeded(), LAMBDA, T0)).isEqualTo(new Decision.Done());
    assertThat(RetryPolicy.decide(event(2), new Outcome.Succeeded(), LAMBDA, T0)).isEqualTo(new Decision.Done());
  }

  @Test
  void functionErrorsAreRetriedAfterOneThenTwoMinutesThenGivenUp() {
    Instant first = T0.plusMillis(20);
    assertThat(RetryPolicy.decide(event(0), new Outcome.FunctionError("E: boom"), LAMBDA, first))
        .isEqualTo(new Decision.RetryAt(first.plus(Duration.ofMinutes(1)), 1, "E: boom"));
    Instant second = T0.plus(Duration.ofMinutes(1)).plusMillis(40);
    assertThat(RetryPolicy.decide(event(1), new Outcome.FunctionError("E: boom"), LAMBDA, second))
        .isEqualTo(new Decision.RetryAt(second.plus(Duration.ofMinutes(2)), 2, "E: boom"));
    assertThat(RetryPolicy.decide(event(2), new Outcome.FunctionError("E: boom"), LAMBDA, T0.plus(Duration.ofMinutes(3))))
        .isEqualTo(new Decision.GiveUp(3, "E: boom"));
  }

  @Test
  void noRetriesMeansTheFirstErrorIsFinal() {
    var none = new RetryPolicy.Limits(0, Duration.ofHours(6), Duration.ofMinutes(1), Duration.ofSeconds(1));
    assertThat(RetryPolicy.decide(event(0), new Outcome.FunctionError("E"), none, T0)).isEqualTo(new Decision.GiveUp(1, "E"));
  }

  @Test
  void aRetryThatWouldStartPastTheMaximumAgeIsNotScheduled() {
    var young = new RetryPolicy.Limits(2, Duration.ofSeconds(90), Duration.ofMinutes(1), Duration.ofSeconds(1));
    Instant now = T0.plusSeconds(31);
    assertThat(RetryPolicy.decide(event(0), new Outcome.FunctionError("E"), young, now))
        .isInstanceOfSatisfying(Decision.GiveUp.class, g -> {
          assertThat(g.attempts()).isEqualTo(1);
          assertThat(g.error()).startsWith("E (then the maximum event age of 90000 ms");
        });
    assertThat(RetryPolicy.decide(event(0), new Outcome.FunctionError("E"), young, T0.plusSeconds(30)))
        .isEqualTo(new Decision.RetryAt(T0.plusSeconds(90), 1, "E"));
  }

  @Test
  void throttledEventsWaitWithoutUsingARetry() {
    assertThat(RetryPolicy.decide(event(1), new Outcome.Throttled("queue full"), LAMBDA, T0))
        .isEqualTo(new Decision.RetryAt(T0.plusSeconds(1), 1, "queue full"));
    assertThat(RetryPolicy.decide(event(1), new Outcome.Throttled("queue full"), LAMBDA, T0.plus(Duration.ofHours(6))))
        .isInstanceOf(Decision.GiveUp.class);
  }

  @Test
  void aGoneFunctionEndsTheEvent() {
    assertThat(RetryPolicy.decide(event(1), new Outcome.Gone("function 'f' does not exist"), LAMBDA, T0))
        .isEqualTo(new Decision.GiveUp(1, "function 'f' does not exist"));
  }

  @Test
  void expiryCountsFromAcceptance() {
    assertThat(RetryPolicy.expired(event(0), LAMBDA, T0.plus(Duration.ofHours(6)))).isFalse();
    assertThat(RetryPolicy.expired(event(0), LAMBDA, T0.plus(Duration.ofHours(6)).plusMillis(1))).isTrue();
  }
}
