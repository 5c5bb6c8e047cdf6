package dev.pilotlight.activation.async;

import dev.pilotlight.model.io.Ticker;
import dev.pilotlight.model.schedule.Schedule;
import dev.pilotlight.model.schedule.ScheduleExpression;
import dev.pilotlight.model.schedule.ScheduleSpec;
import dev.pilotlight.model.schedule.ScheduleStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Functions' schedules: each due time of a schedule puts one asynchronous event in its function's
 * queue, where the {@link AsyncDispatcher} runs it with the retries every asynchronous event gets.
 * Nothing runs between ticks: no instance is held for a schedule, and a function called hourly
 * scales to zero in between like any other.
 *
 * <p>Each pass (once a second) fires the schedules that are due; which due times, and the next one,
 * is {@link #decide}, a pure function of the schedule and the time. The tick and the schedule's next
 * due time are stored in one transaction ({@link ScheduleStore#fire}), so each due time queues one
 * event, once, across restarts. A due time more than {@link #MISSED_AFTER} late when seen (the
 * daemon was down or stopped) is <em>missed</em>: with {@link Schedule.Missed#ONCE} (the default)
 * one event stands for all the missed due times, with {@link Schedule.Missed#SKIP} none is sent.
 */
public final class Scheduler implements AutoCloseable {
  /** How late a due time may be seen and still fire as usual; later, it was missed. */
  public static final Duration MISSED_AFTER = Duration.ofMinutes(1);
  /** Due times fired in one pass, at most (a {@code rate(1 second)} seen a minute late fires 60). */
  static final int MAX_TICKS_PER_PASS = 60;
  /** How often schedules are checked (in memory: a pass with nothing due reads nothing). */
  static final Duration PASS = Duration.ofSeconds(1);
  /**
   * How often the schedules are read from the store again although nothing changed here: what
   * another daemon sharing the database added, changed or fired. A change made here, and a pass
   * that fired anything, reads them again at once.
   */
  static final Duration RELOAD = Duration.ofSeconds(10);

  /** What one pass does for one schedule: queue an event for each of {@code fire}, then wait for {@code nextDue} (null: never). */
  public record Decision(List<Instant> fire, Instant nextDue, boolean missed) {}

  private final ScheduleStore store;
  private final Runnable queued;
  private final EventLog log;
  private final InstantSource clock;
  private final Map<String, ScheduleExpression> parsed = new ConcurrentHashMap<>();
  private final Ticker ticker = new Ticker("scheduler", this::pass);
  private volatile List<Schedule> schedules = List.of();
  private volatile Instant reloadedAt = Instant.MIN;

  /**
   * @param queued called after a pass queued events (wakes the dispatcher)
   * @param log where ticks and missed due times are noted, in the function's log
   */
  public Scheduler(ScheduleStore store, Runnable queued, EventLog log, InstantSource clock) {
    this.store = store;
    this.queued = queued;
    this.log = log;
    this.clock = clock;
  }

  /** Loads the stored schedules and starts checking them. */
  public void start() {
    reload();
    ticker.start(PASS);
  }

  /**
   * Adds a schedule to {@code function}; its first due time is the first after now.
   *
   * @throws IllegalArgumentException for a bad id, expression or zone, or one that is never due
   * @throws IllegalStateException when the function already has a schedule of that id
   */
  public Schedule add(String function, String id, String expression, String zone, byte[] payload, Schedule.Missed missed) {
    Schedule s = create(function, ScheduleSpec.of(id, expression, zone, payload, missed), clock.instant());
    if (!store.add(s)) {
      throw new IllegalStateException("function '" + function + "' already has a schedule '" + id + "'");
    }
    reload();
    return s;
  }

  /**
   * Makes {@code specs} the function's schedules (a deploy whose {@code pilotlight.yaml} declares
   * them): one declared as before keeps its progress, the others start from now.
   */
  public void replace(String function, List<ScheduleSpec> specs) {
    Map<String, Schedule> existing = new java.util.HashMap<>();
    store.schedules(function).forEach(s -> existing.put(s.id(), s));
    Instant now = clock.instant();
    List<Schedule> next = new ArrayList<>();
    for (ScheduleSpec spec : specs) {
      Schedule old = existing.get(spec.id());
      next.add(old != null && spec.sameAs(old) ? old : create(function, spec, now));
    }
    store.replace(function, next);
    reload();
  }

  private static Schedule create(String function, ScheduleSpec spec, Instant at) {
    Instant now = at.truncatedTo(ChronoUnit.MILLIS);
    ZoneId zone = ScheduleExpression.zone(spec.zone());
    Instant first = ScheduleExpression.parse(spec.expression()).next(now, zone, now);
    if (first == null) {
      throw new IllegalArgumentException("schedule '" + spec.expression() + "' is never due after now");
    }
    return new Schedule(function, spec.id(), spec.expression(), spec.zone(), spec.payload(), spec.missed(), now, first);
  }

  /** The schedules of {@code function}, by id. */
  public List<Schedule> list(String function) {
    return store.schedules(function);
  }

  public boolean remove(String function, String id) {
    boolean removed = store.remove(function, id);
    reload();
    return removed;
  }

  /** Removes every schedule of a removed function; returns how many. */
  public int removeAll(String function) {
    int n = store.removeAll(function);
    reload();
    return n;
  }

  /** Keeps only the schedules {@code keep} accepts (e.g. those of functions that still exist); returns how many went. */
  public int retain(Predicate<Schedule> keep) {
    int n = 0;
    for (Schedule s : store.schedules()) {
      if (!keep.test(s) && store.remove(s.function(), s.id())) {
        n++;
      }
    }
    reload();
    return n;
  }

  private void reload() {
    reloadedAt = clock.instant();
    schedules = List.copyOf(store.schedules());
  }

  /** One pass: fires what is due now; reads the store again when it fired anything or {@link #RELOAD} has passed. */
  void pass() {
    Instant now = clock.instant();
    boolean any = false;
    boolean seen = false;
    for (Schedule s : schedules) {
      if (s.nextDue() == null || s.nextDue().isAfter(now)) {
        continue;
      }
      seen = true;
      ScheduleExpression e;
      ZoneId zone;
      try {
        e = parsed.computeIfAbsent(s.expression(), ScheduleExpression::parse);
        zone = ScheduleExpression.zone(s.zone());
      } catch (RuntimeException bad) { // stored before a rule changed: said once, never fired
        log.line(s.function(), "-", "SCHEDULE " + s.id() + ": cannot be evaluated (" + bad.getMessage() + "); it is stopped");
        store.fire(s.function(), s.id(), s.nextDue(), null, List.of(), now);
        continue;
      }
      Decision d = decide(s, e, zone, now);
      List<ScheduleStore.Tick> ticks = new ArrayList<>();
      for (Instant due : d.fire()) {
        String requestId = UUID.randomUUID().toString();
        ticks.add(new ScheduleStore.Tick(requestId, s.payload() != null ? s.payload() : scheduledEvent(s, requestId, due)));
      }
      if (!store.fire(s.function(), s.id(), s.nextDue(), d.nextDue(), ticks, now)) {
        continue; // removed or replaced meanwhile
      }
      any |= !ticks.isEmpty();
      for (int i = 0; i < ticks.size(); i++) {
        log.line(s.function(), ticks.get(i).requestId(), "SCHEDULE " + s.id() + " (" + s.expression() + "): due " + d.fire().get(i)
            + (d.missed() ? ", one event for the due times missed since " + s.nextDue() : "") + ", queued");
      }
      if (d.missed() && ticks.isEmpty()) {
        log.line(s.function(), "-", "SCHEDULE " + s.id() + " (" + s.expression() + "): due times from " + s.nextDue()
            + " missed and skipped (missed: skip); next " + d.nextDue());
      }
    }
    if (any) {
      queued.run();
    }
    if (seen || !now.isBefore(reloadedAt.plus(RELOAD))) {
      reload();
    }
  }

  /**
   * What to fire for {@code s} at {@code now} (its next due time has come): every due time up to now
   * when it is at most {@link #MISSED_AFTER} late (at most {@link #MAX_TICKS_PER_PASS}; the rest next
   * pass); when it is later (missed), one event for the latest due time up to now under {@code once},
   * and under {@code skip} that one only if it is itself not missed. Then the first due time after
   * the last one considered.
   */
  public static Decision decide(Schedule s, ScheduleExpression e, ZoneId zone, Instant now) {
    Instant due = s.nextDue();
    if (due == null || due.isAfter(now)) {
      return new Decision(List.of(), due, false);
    }
    Instant cutoff = now.minus(MISSED_AFTER);
    if (!due.isBefore(cutoff)) {
      List<Instant> fire = new ArrayList<>();
      Instant t = due;
      while (t != null && !t.isAfter(now) && fire.size() < MAX_TICKS_PER_PASS) {
        fire.add(t);
        t = e.next(t, zone, s.createdAt());
      }
      return new Decision(List.copyOf(fire), t, false);
    }
    Instant latest = e.latestAtOrBefore(now, zone, s.createdAt(), due);
    if (latest == null) {
      latest = due;
    }
    boolean fireLatest = s.missed() == Schedule.Missed.ONCE || !latest.isBefore(cutoff);
    return new Decision(fireLatest ? List.of(latest) : List.of(), e.next(latest, zone, s.createdAt()), true);
  }

  /**
   * EventBridge's scheduled event ({@code detail-type: Scheduled Event}, {@code source: aws.events}),
   * with the due time as its {@code time} and the schedule as the rule in {@code resources}.
   */
  static byte[] scheduledEvent(Schedule s, String requestId, Instant due) {
    // function names, schedule ids and UUIDs need no escaping in JSON
    String json = "{\"version\":\"0\",\"id\":\"" + requestId + "\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
        + "\"account\":\"000000000000\",\"time\":\"" + due.truncatedTo(ChronoUnit.SECONDS) + "\",\"region\":\"us-east-1\","
        + "\"resources\":[\"arn:aws:events:us-east-1:000000000000:rule/" + s.function() + "-" + s.id() + "\"],\"detail\":{}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    ticker.close();
  }
}
