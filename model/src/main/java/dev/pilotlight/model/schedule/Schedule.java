package dev.pilotlight.model.schedule;

import java.time.Instant;

/**
 * One schedule of a function, as the store keeps it: an expression ({@link ScheduleExpression}),
 * evaluated in a time zone, whose due times each put one asynchronous event in the function's queue.
 *
 * @param function the function it invokes
 * @param id its name among the function's schedules ({@code [A-Za-z0-9_-]}, 1–64 characters)
 * @param expression {@code rate(…)}, {@code cron(…)} or a 5-field cron line, as given
 * @param zone an IANA time zone id (or {@code UTC}) the cron fields are read in
 * @param payload the event each tick sends; null: EventBridge's scheduled-event shape
 * @param missed what happens to due times missed while the daemon was down
 * @param createdAt when it was created: a {@code rate(…)} counts its periods from here
 * @param nextDue the next due time not fired yet; null when it will never be due again
 */
public record Schedule(String function, String id, String expression, String zone, byte[] payload, Missed missed, Instant createdAt,
    Instant nextDue) {

  /** What a schedule does with due times that passed while the daemon was down (more than {@code MISSED_AFTER} late). */
  public enum Missed {
    /** One event, for the latest due time missed, then on as usual. */
    ONCE,
    /** None: on from the next due time. */
    SKIP;

    public static Missed parse(String s) {
      if (s == null || s.isBlank()) {
        return ONCE;
      }
      return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "once" -> ONCE;
        case "skip" -> SKIP;
        default -> throw new IllegalArgumentException("missed: '" + s + "' (expected: once or skip)");
      };
    }

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Schedule {
    if (function == null || id == null || expression == null || zone == null || missed == null || createdAt == null) {
      throw new IllegalArgumentException("schedule: function, id, expression, zone, missed and createdAt are required");
    }
    payload = payload == null ? null : payload.clone();
  }

  /** Whether {@code id} may name a schedule: 1–64 of {@code A-Z a-z 0-9 _ -}. */
  public static boolean validId(String id) {
    return id != null && id.matches("[A-Za-z0-9_-]{1,64}");
  }

  @Override
  public byte[] payload() {
    return payload == null ? null : payload.clone();
  }

  public Schedule withNextDue(Instant next) {
    return new Schedule(function, id, expression, zone, payload, missed, createdAt, next);
  }
}
