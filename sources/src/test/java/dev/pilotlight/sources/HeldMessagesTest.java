package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeldMessagesTest {
  /** A message: the same only to itself, as NATS's. */
  record Msg(String id) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  final Msg a = new Msg("a");
  final Msg b = new Msg("b");
  final Msg c = new Msg("c");
  final Msg d = new Msg("d");

  @Test
  void settlingTakesABatchOutAndLeavesTheRestInDeliveryOrder() {
    HeldMessages<Msg> held = new HeldMessages<>();
    held.hold(List.of(a, b, c));
    held.hold(List.of(d));
    assertThat(held.settle(List.of(a, b))).containsExactly(a, b);
    assertThat(held.snapshot()).containsExactly(c, d);
    assertThat(held.size()).isEqualTo(2);
  }

  @Test
  void whatWasHandedBackIsNotAcknowledgedAndTheOtherWayRound() {
    HeldMessages<Msg> held = new HeldMessages<>();
    held.hold(List.of(a, b, c));
    assertThat(held.settle(List.of(a))).containsExactly(a);
    // the poller leaves while b and c are held: they are handed back, once
    assertThat(held.drain()).containsExactly(b, c);
    assertThat(held.drain()).isEmpty();
    // the batch of b and c ends after that: nothing left to acknowledge
    assertThat(held.settle(List.of(b, c))).isEmpty();
    assertThat(held.snapshot()).isEmpty();
  }

  @Test
  void aMessageEqualInContentToAHeldOneIsAnother() {
    HeldMessages<Msg> held = new HeldMessages<>();
    held.hold(List.of(a));
    assertThat(held.settle(List.of(new Msg("a")))).isEmpty();
    assertThat(held.snapshot()).containsExactly(a);
  }
}
