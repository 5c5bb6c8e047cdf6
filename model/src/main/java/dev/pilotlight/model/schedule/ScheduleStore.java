package dev.pilotlight.model.schedule;

import java.time.Instant;
import java.util.List;

/**
 * Where schedules and their progress are kept, beside the queue their ticks go to: the contract
 * between the scheduler and the control API (callers) and the store (implementer). A tick and the
 * schedule's next due time are written in one transaction ({@link #fire}), so each due time puts at
 * most one event in the queue and, once written, the event is durable: exactly one per due time
 * across restarts. Thread-safe.
 */
public interface ScheduleStore {

  /** Every schedule, by function then id. */
  List<Schedule> schedules();

  /** The schedules of {@code function}, by id. */
  List<Schedule> schedules(String function);

  /** Stores a new schedule; false when the function already has one of that id. */
  boolean add(Schedule schedule);

  /** Removes one schedule; false when there was none. */
  boolean remove(String function, String id);

  /**
   * Makes {@code schedules} the function's schedules, in one transaction: one of the same id whose
   * stored row equals the new one is left as it is (its progress kept), the others are written anew,
   * and any other schedule of the function is removed.
   */
  void replace(String function, List<Schedule> schedules);

  /** Removes every schedule of {@code function} (it was removed); returns how many. */
  int removeAll(String function);

  /**
   * One tick, in one transaction: the schedule's next due time moves from {@code expectedNextDue} to
   * {@code nextDue} and {@code ticks} are queued for its function as asynchronous events, due now.
   * Nothing happens, and false is returned, when the schedule is gone or its next due time is no
   * longer {@code expectedNextDue} (removed, replaced, or fired already).
   */
  boolean fire(String function, String id, Instant expectedNextDue, Instant nextDue, List<Tick> ticks, Instant now);

  /** One event a tick queues. */
  record Tick(String requestId, byte[] payload) {}
}
