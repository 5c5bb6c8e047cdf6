package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.testing.Deployments;
import dev.pilotlight.testing.FakeInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InstanceMetersTest {
  @Test
  void everyReadyInstanceIsCountedAndTimedUnderItsFunctionAndStrategy() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InstanceMeters meters = new InstanceMeters(registry);

    meters.instanceReady(new FakeInstance("f-1", Deployments.java("f", 1, 10)));
    meters.instanceReady(new FakeInstance("f-2", Deployments.java("f", 1, 10)));
    meters.instanceReady(new FakeInstance("g-1", Deployments.java("g", 1, 10)));

    assertThat(registry.get("pilotlight.instance.starts").tag("function", "f").tag("strategy", "fake").counter().count()).isEqualTo(2.0);
    assertThat(registry.get("pilotlight.instance.starts").tag("function", "g").counter().count()).isEqualTo(1.0);
    var init = registry.get("pilotlight.instance.init.duration").tag("function", "f").tag("strategy", "fake").timer();
    assertThat(init.count()).isEqualTo(2);
    assertThat(init.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(2 * new FakeInstance("x", Deployments.java("f", 1, 10)).initDuration().toNanos());
  }
}
