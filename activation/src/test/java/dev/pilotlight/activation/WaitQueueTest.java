package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WaitQueueTest {
  final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void waitersAreServedInArrivalOrderAndMayLeaveFromAnywhereOnce() {
    WaitQueue q = new WaitQueue();
    long a = q.add(t0);
    long b = q.add(t0.plusSeconds(1));
    long c = q.add(t0.plusSeconds(2));
    assertThat(a).isNotEqualTo(PoolEffect.CALLER);
    assertThat(q.remove(b)).isTrue();
    assertThat(q.remove(b)).isFalse();
    assertThat(q.pollFirst()).isEqualTo(new WaitQueue.Waiter(a, t0));
    assertThat(q.size()).isEqualTo(1);
    long d = q.add(t0.plusSeconds(3));
    assertThat(q.clear()).containsExactly(c, d);
    assertThat(q.isEmpty()).isTrue();
  }
}
