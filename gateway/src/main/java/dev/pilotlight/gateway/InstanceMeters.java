package dev.pilotlight.gateway;

import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.model.Instance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Instance lifecycle as metrics: launches by strategy with their init durations (launch → ready:
 * what a cold start waits for), failed launches, and evictions for memory.
 */
public final class InstanceMeters implements ActivationEvents {
  private final MeterRegistry registry;
  /**
   * The meters of each function and launch strategy, looked up once: a registry lookup builds and
   * sorts the tags (and a timer's buckets) each time, on the path of every cold start. The registry
   * keeps the meters of a removed function anyway.
   */
  private final Map<String, Map<String, Starts>> starts = new ConcurrentHashMap<>();

  public InstanceMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  private record Starts(Counter count, Timer initDuration) {}

  @Override
  public void instanceReady(Instance i) {
    String function = i.deployment().name();
    Starts s = starts.computeIfAbsent(function, f -> new ConcurrentHashMap<>()).computeIfAbsent(i.launchStrategy(), strategy -> new Starts(
        registry.counter("pilotlight.instance.starts", "function", function, "strategy", strategy),
        Timer.builder("pilotlight.instance.init.duration").description("Instance launches, from launch to ready, by launch strategy")
            .tags("function", function, "strategy", strategy).serviceLevelObjectives(FunctionInvoker.BUCKETS).register(registry)));
    s.count().increment();
    s.initDuration().record(i.initDuration());
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
