package dev.pilotlight.gateway;

import dev.pilotlight.sources.EventSources;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Event source mappings as metrics, per mapping ({@code function}, {@code uuid} tags): messages
 * acknowledged after success, messages given up on (sent to the failure destination), batches, the
 * queue's depth and whether the poller has a problem. Brought in line with the mappings at each scrape.
 */
public final class SourceMeters {
  private final MeterRegistry registry;
  private final EventSources sources;
  private final Map<String, List<Meter>> byMapping = new HashMap<>();

  public SourceMeters(MeterRegistry registry, EventSources sources) {
    this.registry = registry;
    this.sources = sources;
  }

  public synchronized void refresh() {
    Map<String, EventSources.View> now = new HashMap<>();
    sources.all().forEach(v -> now.put(v.mapping().uuid(), v));
    now.forEach((uuid, v) -> byMapping.computeIfAbsent(uuid, u -> register(v.mapping().function(), u)));
    for (String gone : new ArrayList<>(byMapping.keySet())) {
      if (!now.containsKey(gone)) {
        byMapping.remove(gone).forEach(registry::remove);
      }
    }
  }

  private List<Meter> register(String function, String uuid) {
    List<Meter> meters = new ArrayList<>();
    meters.add(counter(function, uuid, "pilotlight.event.source.messages", "Messages acknowledged after the function succeeded",
        EventSources.View::messages));
    meters.add(counter(function, uuid, "pilotlight.event.source.failed.messages", "Messages given up on after the retries",
        EventSources.View::failedMessages));
    meters.add(counter(function, uuid, "pilotlight.event.source.batches", "Batches settled", EventSources.View::batches));
    meters.add(counter(function, uuid, "pilotlight.event.source.filtered.messages", "Messages no filter matched, acknowledged and dropped",
        EventSources.View::filteredMessages));
    meters.add(Gauge.builder("pilotlight.event.source.queue.depth", sources,
            s -> view(s, function, uuid).filter(v -> v.queueDepth() >= 0).map(v -> (double) v.queueDepth()).orElse(Double.NaN))
        .strongReference(true).tags("function", function, "uuid", uuid).description("Messages ready in the queue when last asked")
        .register(registry));
    meters.add(Gauge.builder("pilotlight.event.source.problem", sources,
            s -> view(s, function, uuid).map(v -> "Problem".equals(v.state()) ? 1.0 : 0.0).orElse(Double.NaN))
        .strongReference(true).tags("function", function, "uuid", uuid).description("1 while the poller cannot read its source")
        .register(registry));
    return meters;
  }

  private FunctionCounter counter(String function, String uuid, String name, String description, ToDoubleFunction<EventSources.View> value) {
    return FunctionCounter.builder(name, sources, s -> view(s, function, uuid).map(value::applyAsDouble).orElse(0.0))
        .tags("function", function, "uuid", uuid).description(description).register(registry);
  }

  private static Optional<EventSources.View> view(EventSources s, String function, String uuid) {
    return s.find(function, uuid);
  }
}
