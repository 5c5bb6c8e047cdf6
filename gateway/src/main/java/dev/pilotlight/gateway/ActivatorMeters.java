package dev.pilotlight.gateway;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.MemoryBudget;
import dev.pilotlight.activation.ScalingStatus;
import dev.pilotlight.model.PoolSnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Gauges read from the activator at scrape time: per function the ready, starting and desired
 * instances, requests in flight and queued, whether the autoscaler panics; for the node the memory
 * budget and its use. {@link #refresh} registers the gauges of new functions and removes those of
 * removed ones; the gateway calls it before every scrape.
 */
public final class ActivatorMeters {
  private static final double MB = 1024.0 * 1024.0;

  private final Activator activator;
  private final MeterRegistry registry;
  private final Map<String, List<Meter>> byFunction = new HashMap<>();

  public ActivatorMeters(Activator activator, MeterRegistry registry) {
    this.activator = activator;
    this.registry = registry;
    MemoryBudget budget = activator.memory();
    if (budget.limitMb() != Long.MAX_VALUE) {
      Gauge.builder("pilotlight.memory.budget", budget, b -> b.limitMb() * MB).strongReference(true).baseUnit("bytes")
          .description("The node's memory budget for instances and the warm pool").register(registry);
    }
    Gauge.builder("pilotlight.memory.used", budget, b -> b.usedMb() * MB).strongReference(true).baseUnit("bytes")
        .description("Memory settings of running and starting instances plus the warm pool's runners").register(registry);
    Gauge.builder("pilotlight.memory.instances", budget, b -> b.instancesMb() * MB).strongReference(true).baseUnit("bytes")
        .description("Memory settings of running and starting instances").register(registry);
  }

  /** Brings the per-function gauges in line with the functions the activator has now. */
  public synchronized void refresh() {
    Set<String> now = new HashSet<>();
    for (PoolSnapshot s : activator.snapshots()) {
      now.add(s.function());
    }
    for (String name : now) {
      byFunction.computeIfAbsent(name, this::register);
    }
    for (String gone : new ArrayList<>(byFunction.keySet())) {
      if (!now.contains(gone)) {
        byFunction.remove(gone).forEach(registry::remove);
      }
    }
  }

  private List<Meter> register(String name) {
    List<Meter> meters = new ArrayList<>();
    meters.add(pool(name, "pilotlight.instances.ready", "Instances ready to serve", PoolSnapshot::ready));
    meters.add(pool(name, "pilotlight.instances.starting", "Instances being launched", PoolSnapshot::starting));
    meters.add(pool(name, "pilotlight.requests.in.flight", "Requests being served", PoolSnapshot::inFlight));
    meters.add(pool(name, "pilotlight.requests.queued", "Requests waiting for a free instance", PoolSnapshot::queued));
    meters.add(Gauge.builder("pilotlight.instances.desired", activator,
            a -> a.scaling(name).map(ScalingStatus::desired).filter(d -> d >= 0).map(Integer::doubleValue).orElse(Double.NaN))
        .strongReference(true).tag("function", name).description("Instances the autoscaler wants").register(registry));
    meters.add(Gauge.builder("pilotlight.autoscaler.panic", activator,
            a -> a.scaling(name).map(s -> s.panicking() ? 1.0 : 0.0).orElse(0.0))
        .strongReference(true).tag("function", name).description("1 while the autoscaler is in panic mode").register(registry));
    return meters;
  }

  private Gauge pool(String name, String meter, String description, ToIntFunction<PoolSnapshot> value) {
    return Gauge.builder(meter, activator, a -> a.snapshot(name).map(s -> (double) value.applyAsInt(s)).orElse(Double.NaN))
        .strongReference(true).tag("function", name).description(description).register(registry);
  }
}
