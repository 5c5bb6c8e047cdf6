package dev.pilotlight.sources;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.pilotlight.model.io.Ticker;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingSpec;
import dev.pilotlight.model.source.MappingStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The daemon's event source mappings and their pollers: created (after the broker and the queue were
 * checked), listed with their state, paused, resumed and removed; stored in the {@link MappingStore},
 * so they poll again after a restart. A mapping whose function was removed is stopped within a few
 * seconds (the pollers are reconciled with the store every {@link #RECONCILE}).
 */
public final class EventSources implements AutoCloseable {
  /** Lambda's default batch size for Amazon MQ (RabbitMQ) and Kafka sources. */
  public static final int DEFAULT_BATCH_SIZE = 100;
  /** Lambda's largest batch for Amazon MQ and Kafka sources. */
  public static final int MAX_BATCH_SIZE = 10_000;
  /** Lambda's default batching window for Amazon MQ and Kafka sources. */
  public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(500);
  /** Lambda's largest batching window. */
  public static final Duration MAX_BATCH_WINDOW = Duration.ofMinutes(5);
  /** Retries of a failed batch before its messages are given up on (as asynchronous invocations: 2). */
  public static final int DEFAULT_MAX_RETRIES = 2;

  /** {@code source} (a stored mapping's URI) taken apart as its poller reads it, without its password. */
  public static SourceDescription describe(String source) {
    return SourceDescription.of(source, dev.pilotlight.model.source.EventSourceMapping.redact(source));
  }

  static final Duration RECONCILE = Duration.ofSeconds(2);

  /** Where pollers note state changes and failures: a line in the function's log. */
  @FunctionalInterface
  public interface Log {
    void line(String function, String message);
  }

  /** A mapping with what its poller is doing. */
  public record View(EventSourceMapping mapping, String state, String lastError, long batches, long messages, long failedMessages,
      long filteredMessages, long queueDepth) {}

  private final MappingStore store;
  private final EventInvoker invoker;
  private final InstantSource clock;
  private final Log log;
  private final Map<String, SourcePoller> pollers = new ConcurrentHashMap<>();
  private final Ticker reconciler = new Ticker("event-sources", this::reconcile);

  public EventSources(MappingStore store, EventInvoker invoker, InstantSource clock, Log log) {
    this.store = store;
    this.invoker = invoker;
    this.clock = clock;
    this.log = log;
  }

  /** Starts a poller for every stored mapping (paused ones wait). */
  private volatile Predicate<EventSourceMapping> runsHere = m -> true;

  /**
   * Polls only the mappings {@code here} accepts, asked again at every reconcile: several daemons
   * sharing their mappings each poll their share, and a lost daemon's share moves to the others
   * within a reconcile (its unacknowledged messages are delivered again by the broker). Every
   * mapping by default.
   */
  public void runsHere(Predicate<EventSourceMapping> here) {
    runsHere = here;
  }

  public void start() {
    reconcile();
    reconciler.start(RECONCILE);
  }

  /**
   * Maps {@code source} to {@code function}; checks first that the broker answers, accepts the
   * credentials and has the queue (and the failure queue).
   *
   * @param batchSize null: {@link #DEFAULT_BATCH_SIZE}
   * @param window null: {@link #DEFAULT_BATCH_WINDOW}
   * @param maxRetries null: {@link #DEFAULT_MAX_RETRIES}
   * @param onFailure a queue on the same broker for messages given up on; null: the function's failures list
   * @param filters Lambda's filter patterns; a message goes to the function when one matches (at most 5; none: every message)
   * @throws IllegalArgumentException naming what is wrong
   */
  public View add(String function, String source, Integer batchSize, Duration window, Integer maxRetries, String onFailure,
      List<String> filters) {
    List<String> patterns = checkedFilters(filters == null ? List.of() : filters);
    int size = checkedBatchSize(batchSize == null ? DEFAULT_BATCH_SIZE : batchSize);
    Duration w = checkedWindow(window == null ? DEFAULT_BATCH_WINDOW : window);
    int retries = checkedRetries(maxRetries == null ? DEFAULT_MAX_RETRIES : maxRetries);
    if (onFailure != null && onFailure.isBlank()) {
      onFailure = null;
    }
    String uuid = UUID.randomUUID().toString();
    if (KafkaSource.handles(source)) {
      KafkaSource ks = KafkaSource.parse(source);
      if (onFailure != null) {
        throw new IllegalArgumentException("--on-failure names a RabbitMQ queue; a Kafka source's given-up batches go to the failures list");
      }
      KafkaClients.check(ks, KafkaClients.group(ks, uuid)); // outside the lock: up to 5 s on the network (a few round trips)
    } else if (NatsSource.handles(source)) {
      NatsSource ns = NatsSource.parse(source);
      if (onFailure != null) {
        throw new IllegalArgumentException("--on-failure names a RabbitMQ queue; a NATS source's given-up batches go to the failures list");
      }
      NatsPoller.check(ns); // outside the lock: up to 5 s on the network
    } else if (MqttSource.handles(source)) {
      MqttSource ms = MqttSource.parse(source);
      if (onFailure != null) {
        throw new IllegalArgumentException("--on-failure names a RabbitMQ queue; an MQTT source's given-up batches go to the failures list");
      }
      MqttPoller.check(ms); // outside the lock: up to 5 s on the network
    } else {
      check(RabbitSource.parse(source), onFailure); // outside the lock: up to 5 s on the network
    }
    EventSourceMapping m = new EventSourceMapping(uuid, function, source, size, w, retries, onFailure, patterns,
        true, clock.instant());
    synchronized (this) { // the store and the pollers change together (see reconcile)
      store.add(m);
      SourcePoller p = poller(m);
      pollers.put(m.uuid(), p);
      p.start();
      return view(p);
    }
  }

  private static List<String> checkedFilters(List<String> patterns) {
    if (patterns.size() > FilterPattern.MAX_FILTERS) {
      throw new IllegalArgumentException(patterns.size() + " filters (at most " + FilterPattern.MAX_FILTERS + ", as on Lambda)");
    }
    patterns.forEach(FilterPattern::parse);
    return patterns;
  }

  private static int checkedBatchSize(int size) {
    if (size < 1 || size > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("batch size " + size + " (expected: 1 to " + MAX_BATCH_SIZE + ")");
    }
    return size;
  }

  private static Duration checkedWindow(Duration w) {
    if (w.isNegative() || w.compareTo(MAX_BATCH_WINDOW) > 0) {
      throw new IllegalArgumentException("batch window " + w + " (expected: 0s to 5m)");
    }
    return w;
  }

  private static int checkedRetries(int retries) {
    if (retries < 0 || retries > 100) {
      throw new IllegalArgumentException("max retries " + retries + " (expected: 0 to 100)");
    }
    return retries;
  }

  /**
   * Changes a mapping's batch size, window, retries, filters or paused state (null: as it is),
   * keeping its id, source and progress at the broker; its poller starts again with them (a batch in
   * flight may then be delivered once more, as after any reconnect). Empty when {@code function}
   * has no mapping of that id.
   *
   * @throws IllegalArgumentException naming a setting out of range
   */
  public Optional<View> update(String function, String uuid, Integer batchSize, Duration window, Integer maxRetries, List<String> filters,
      Boolean enabled) {
    synchronized (this) { // the store and the pollers change together (see reconcile)
      Optional<EventSourceMapping> found = find(function, uuid).map(View::mapping);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      EventSourceMapping old = found.get();
      EventSourceMapping m = new EventSourceMapping(uuid, function, old.source(),
          batchSize == null ? old.batchSize() : checkedBatchSize(batchSize), window == null ? old.batchWindow() : checkedWindow(window),
          maxRetries == null ? old.maxRetries() : checkedRetries(maxRetries), old.onFailure(),
          filters == null ? old.filters() : checkedFilters(filters), enabled == null ? old.enabled() : enabled, old.createdAt());
      if (m.equals(old)) {
        return find(function, uuid);
      }
      if (!store.update(m)) {
        return Optional.empty();
      }
      SourcePoller before = pollers.remove(uuid);
      if (before != null) {
        before.close();
      }
      SourcePoller p = poller(m);
      pollers.put(uuid, p);
      p.start();
      return Optional.of(view(p));
    }
  }

  /**
   * Makes {@code declared} the mappings of {@code function} (a deploy whose pilotlight.yaml has an
   * {@code events:} list): a mapping whose source is declared stays, with its progress, and takes
   * the declared settings; a declared source without a mapping gets one (checked at the broker, as
   * {@link #add} does); a mapping whose source is not declared is removed. Returns what could not be
   * done, one line each (a broker that did not answer, a failure queue that would change); the rest
   * is done all the same.
   */
  public List<String> sync(String function, List<MappingSpec> declared) {
    List<String> problems = new ArrayList<>();
    Map<String, View> existing = new java.util.LinkedHashMap<>();
    for (View v : list(function)) {
      existing.putIfAbsent(v.mapping().source(), v);
    }
    java.util.Set<String> keep = new java.util.HashSet<>();
    for (int i = 0; i < declared.size(); i++) {
      MappingSpec d = declared.get(i);
      String at = "events: entry " + (i + 1) + " (" + EventSourceMapping.redact(d.source()) + "): ";
      View v = existing.get(d.source());
      try {
        if (v == null) {
          View added = add(function, d.source(), d.batchSize(), d.batchWindow(), d.maxRetries(), d.onFailure(), d.filters());
          keep.add(added.mapping().uuid());
          if (Boolean.FALSE.equals(d.enabled())) {
            enable(function, added.mapping().uuid(), false);
          }
          continue;
        }
        keep.add(v.mapping().uuid());
        String onFailure = d.onFailure() == null || d.onFailure().isBlank() ? null : d.onFailure();
        if (!java.util.Objects.equals(onFailure, v.mapping().onFailure())) {
          problems.add(at + "its failure queue cannot change (remove the mapping with `events rm` and deploy again); kept as it was");
        }
        update(function, v.mapping().uuid(), d.batchSize() == null ? DEFAULT_BATCH_SIZE : d.batchSize(),
            d.batchWindow() == null ? DEFAULT_BATCH_WINDOW : d.batchWindow(), d.maxRetries() == null ? DEFAULT_MAX_RETRIES : d.maxRetries(),
            d.filters(), d.enabled() == null || d.enabled());
      } catch (IllegalArgumentException e) {
        problems.add(at + "not applied: " + e.getMessage());
      }
    }
    for (View v : existing.values()) {
      if (!keep.contains(v.mapping().uuid())) {
        remove(function, v.mapping().uuid());
      }
    }
    for (View v : list(function)) { // a second mapping of one source, made before (events add allows it)
      if (!keep.contains(v.mapping().uuid()) && declared.stream().anyMatch(d -> d.source().equals(v.mapping().source()))) {
        remove(function, v.mapping().uuid());
      }
    }
    return problems;
  }

  /** Connects once, as the poller will, and asks for the queues without creating them. */
  static void check(RabbitSource s, String onFailure) {
    try (Connection c = RabbitPoller.factory(s).newConnection("pilotlight check")) {
      for (String q : onFailure == null ? List.of(s.queue()) : List.of(s.queue(), onFailure)) {
        try (Channel ch = c.createChannel()) {
          ch.queueDeclarePassive(q);
        } catch (Exception e) {
          throw new IllegalArgumentException("queue '" + q + "' does not exist in virtual host '" + s.vhost() + "' of " + s.host() + ":"
              + s.port() + " (" + BatchPoller.describe(e) + ")");
        }
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      String why = BatchPoller.describe(e);
      throw new IllegalArgumentException(why.startsWith("the broker refused")
          ? "the broker at " + s.host() + ":" + s.port() + " refused the credentials of user '" + s.user() + "'"
          : "cannot reach the broker at " + s.host() + ":" + s.port() + " (" + why + ")");
    }
  }

  /** Every mapping, oldest first (for metrics). */
  public List<View> all() {
    return store.mappings().stream().map(this::view).toList();
  }

  /** The mappings of {@code function}, oldest first. */
  public List<View> list(String function) {
    return store.mappings().stream().filter(m -> m.function().equals(function)).map(this::view).toList();
  }

  public Optional<View> find(String function, String uuid) {
    return list(function).stream().filter(v -> v.mapping().uuid().equals(uuid)).findFirst();
  }

  /** The mapping of that id, whichever function it invokes. */
  public Optional<View> find(String uuid) {
    return store.mappings().stream().filter(m -> m.uuid().equals(uuid)).findFirst().map(this::view);
  }

  /** A stored mapping with what its poller is doing (none yet: Creating, or Disabled while paused). */
  private View view(EventSourceMapping m) {
    SourcePoller p = pollers.get(m.uuid());
    return p == null ? new View(m, m.enabled() ? "Creating" : "Disabled", null, 0, 0, 0, 0, -1) : view(p);
  }

  /** Pauses ({@code false}) or resumes a mapping of {@code function}; false when it has none of that id. */
  public synchronized boolean enable(String function, String uuid, boolean enabled) {
    if (find(function, uuid).isEmpty() || !store.setEnabled(uuid, enabled)) {
      return false;
    }
    SourcePoller p = pollers.get(uuid);
    if (p != null) {
      p.enable(enabled);
    }
    return true;
  }

  public synchronized boolean remove(String function, String uuid) {
    if (find(function, uuid).isEmpty() || !store.removeMapping(uuid)) {
      return false;
    }
    SourcePoller p = pollers.remove(uuid);
    if (p != null) {
      p.close();
      p.forget();
    }
    return true;
  }

  private static View view(SourcePoller p) {
    return new View(p.mapping(), p.state(), p.lastError(), p.batches(), p.messages(), p.failedMessages(), p.filteredMessages(),
        p.queueDepth());
  }

  private SourcePoller poller(EventSourceMapping m) {
    if (KafkaSource.handles(m.source())) {
      return new KafkaPoller(m, invoker, store, clock, log);
    }
    if (NatsSource.handles(m.source())) {
      return new NatsPoller(m, invoker, store, clock, log);
    }
    return MqttSource.handles(m.source()) ? new MqttPoller(m, invoker, store, clock, log) : new RabbitPoller(m, invoker, store, clock, log);
  }

  /**
   * Pollers for the stored mappings, each paused or not as stored, and none for the others (removed
   * with their function). Under the same lock as add, remove and enable, so a change of theirs is
   * never undone by a pass that read the store before it.
   */
  synchronized void reconcile() {
    Map<String, EventSourceMapping> stored = new ConcurrentHashMap<>();
    Predicate<EventSourceMapping> here = runsHere;
    store.mappings().stream().filter(here).forEach(m -> stored.put(m.uuid(), m));
    for (var e : pollers.entrySet()) {
      if (!stored.containsKey(e.getKey()) && pollers.remove(e.getKey(), e.getValue())) {
        e.getValue().close();
        e.getValue().forget();
      }
    }
    for (EventSourceMapping m : stored.values()) {
      SourcePoller existing = pollers.get(m.uuid());
      if (existing != null) {
        if (existing.mapping().enabled() != m.enabled()) {
          existing.enable(m.enabled());
        }
        continue;
      }
      SourcePoller p = poller(m);
      pollers.put(m.uuid(), p);
      p.start();
    }
  }

  @Override
  public synchronized void close() {
    reconciler.close();
    pollers.values().forEach(SourcePoller::close);
    pollers.clear();
  }
}
