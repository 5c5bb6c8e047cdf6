package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-level cache: a decision is made again only when the histogram, the policy or the idle timeout changed. */
class KeepAliveDecisionCacheTest {
  final FunctionSpec spec = FunctionSpec.of("f", Runtime.JAVA, "a.B", null);
  final KeepAliveDecisionCache cache = new KeepAliveDecisionCache();
  int decisions;

  KeepAliveDecision ask(long version, FunctionSpec s, KeepAlivePolicy policy) {
    return cache.get(version, s, policy, () -> {
      decisions++;
      return policy.decide(s, new IdleTimeHistogram());
    });
  }

  @Test
  void decidesOnceWhileNothingChanged() {
    KeepAliveDecision first = ask(0, spec, KeepAlivePolicy.fixed());
    assertThat(ask(0, spec, KeepAlivePolicy.fixed())).isSameAs(first);
    assertThat(decisions).isEqualTo(1);
  }

  @Test
  void decidesAgainForANewHistogramAnotherPolicyOrAnotherIdleTimeout() {
    ask(0, spec, KeepAlivePolicy.fixed());
    ask(1, spec, KeepAlivePolicy.fixed());
    assertThat(decisions).isEqualTo(2);
    assertThat(ask(1, spec, KeepAlivePolicy.off()).basis()).isEqualTo("off");
    assertThat(decisions).isEqualTo(3);
    FunctionSpec shorter = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").memoryMb(256)
        .timeout(Duration.ofSeconds(30)).concurrency(1).minInstances(0).maxInstances(10).idleTimeout(Duration.ofSeconds(7)).build();
    ask(1, spec, KeepAlivePolicy.fixed());
    assertThat(decisions).isEqualTo(4);
    assertThat(ask(1, shorter, KeepAlivePolicy.fixed()).keepUntil()).isEqualTo(Duration.ofSeconds(7));
    assertThat(decisions).isEqualTo(5);
  }
}
