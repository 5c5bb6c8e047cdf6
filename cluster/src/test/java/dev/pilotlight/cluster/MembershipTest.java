package dev.pilotlight.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  private static Node node(String id, Duration ago) {
    return new Node(id, id + ":8080", NOW.minus(ago), false, 0, 0);
  }

  @Test
  void aNodeIsAliveUntilItsHeartbeatIsOlderThanTheTimeout() {
    Membership m = new Membership(Duration.ofSeconds(5));
    Membership.View v = m.view(List.of(node("c", Duration.ofSeconds(5)), node("a", Duration.ZERO), node("b", Duration.ofMillis(5001))), NOW);
    assertThat(v.live()).extracting(Node::id).containsExactly("a", "c");
    assertThat(v.gone()).containsExactly("b");
    assertThat(v.forget()).isEmpty();
    assertThat(v.isLive("c")).isTrue();
    assertThat(v.isLive("b")).isFalse();
  }

  @Test
  void aNodeGoneForAnHourIsForgottenAndDrainingNodesServeNoNewCalls() {
    Membership m = new Membership(Membership.DEFAULT_TIMEOUT);
    Node draining = new Node("d", "d:1", NOW, true, 3, 10);
    Membership.View v = m.view(List.of(node("old", Duration.ofMinutes(61)), draining, node("a", Duration.ofSeconds(1))), NOW);
    assertThat(v.gone()).containsExactly("old");
    assertThat(v.forget()).containsExactly("old");
    assertThat(v.live()).extracting(Node::id).containsExactly("a", "d");
    assertThat(v.serving()).extracting(Node::id).containsExactly("a");
  }

  @Test
  void theTimeoutMustBePositive() {
    assertThatThrownBy(() -> new Membership(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
