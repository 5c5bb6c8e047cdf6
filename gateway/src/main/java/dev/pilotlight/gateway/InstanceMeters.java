package dev.pilotlight.gateway;

import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.model.Instance;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Instance lifecycle as metrics: launches by strategy with their init durations (launch → ready:
 * what a cold start waits for), failed launches, and evictions for memory.
 */
public final class InstanceMeters implements ActivationEvents {
  private final MeterRegistry registry;

  public InstanceMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void instanceReady(Instance i) {
    String function = i.deployment().name();
    registry.counter("pilotlight.instance.starts", "function", function, "strategy", i.launchStrategy()).increment();
    Timer.builder("pilotlight.instance.init.duration").description("Instance launches, from launch to ready, by launch strategy")
        .tags("function", function, "strategy", i.launchStrategy()).serviceLevelObjectives(FunctionInvoker.BUCKETS).register(registry)
        .record(i.initDuration());
  }

  @Override
  public void instanceFailedToStart(String function, Throwable error) {
    registry.counter("pilotlight.instance.start.failures", "function", function).increment();
  }

  @Override
  public void instanceGone(Instance instance, String reason) {}

  @Override
  public void instanceEvicted(Instance instance, String forFunction) {
    registry.counter("pilotlight.instance.evictions", "function", instance.deployment().name()).increment();
  }
}
