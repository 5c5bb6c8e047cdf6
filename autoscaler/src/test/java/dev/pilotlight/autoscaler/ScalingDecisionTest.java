package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.autoscaler.ScalingDecision.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The decision record: its reasons keep the words printed before they were an enum, and it checks itself. */
class ScalingDecisionTest {

  @Test
  void reasonsPrintTheShortWords() {
    assertThat(Arrays.stream(Reason.values()).map(Reason::id))
        .containsExactly("stable", "panic", "demand", "delay", "starting", "idle", "zero", "expected", "min", "max");
    assertThat(Reason.KEEP_ALIVE).hasToString("idle");
  }

  @Test
  void preWarmsAreNoneOrUpToTheDesiredCount() {
    assertThat(decision(3, 3).prewarms()).isEqualTo(3);
    assertThat(decision(0, 0).prewarms()).isZero();
    assertThatThrownBy(() -> decision(2, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prewarms: 3 (expected: 0..2)");
    assertThatThrownBy(() -> decision(2, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prewarms: -1 (expected: 0..2)");
    assertThatThrownBy(() -> decision(-1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("desired: -1 (expected: >= 0)");
  }

  private static ScalingDecision decision(int desired, int prewarms) {
    return new ScalingDecision(desired, prewarms, false, 0, 0, Reason.EXPECTED_BURST, ScalingState.INITIAL);
  }
}
