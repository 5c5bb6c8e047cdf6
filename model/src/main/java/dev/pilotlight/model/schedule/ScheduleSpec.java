package dev.pilotlight.model.schedule;

import java.util.Arrays;

/**
 * A schedule as a user declares it (a {@code schedule:} entry of {@code pilotlight.yaml}, or the
 * API's body), before it has a creation time and a next due time.
 *
 * @param id its name among the function's schedules
 * @param expression {@code rate(…)}, {@code cron(…)} or a 5-field cron line
 * @param zone the time zone id the cron fields are read in
 * @param payload the event each tick sends; null: EventBridge's scheduled-event shape
 * @param missed what happens to due times missed while the daemon was down
 */
public record ScheduleSpec(String id, String expression, String zone, byte[] payload, Schedule.Missed missed) {
  public ScheduleSpec {
    payload = payload == null ? null : payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload == null ? null : payload.clone();
  }

  /**
   * A checked declaration, with the expression and the zone in their normal form.
   *
   * @param missed null: {@link Schedule.Missed#ONCE}
   * @throws IllegalArgumentException for a bad id, expression or zone
   */
  public static ScheduleSpec of(String id, String expression, String zone, byte[] payload, Schedule.Missed missed) {
    if (!Schedule.validId(id)) {
      throw new IllegalArgumentException("schedule id '" + id + "' (expected: 1-64 of A-Z a-z 0-9 _ -)");
    }
    ScheduleExpression e = ScheduleExpression.parse(expression);
    java.time.ZoneId z = ScheduleExpression.zone(zone);
    return new ScheduleSpec(id, e.text(), z.equals(java.time.ZoneOffset.UTC) ? "UTC" : z.getId(), payload,
        missed == null ? Schedule.Missed.ONCE : missed);
  }

  /** Whether {@code s} is this declaration (then it keeps its progress across a redeploy). */
  public boolean sameAs(Schedule s) {
    return s.id().equals(id) && s.expression().equals(expression) && s.zone().equals(zone) && s.missed() == missed
        && Arrays.equals(s.payload(), payload);
  }
}
