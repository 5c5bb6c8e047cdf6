package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code schedule add|ls|rm}: a function's schedules, each due time of which invokes it
 * asynchronously (see docs/events.md).
 */
final class ScheduleCommands {
  private ScheduleCommands() {}

  /** The {@code schedule} group itself: prints its usage. */
  @Command(name = "schedule", description = "Invoke a function on a schedule: rate(…), cron(…) or a 5-field cron line.",
      synopsisSubcommandLabel = "COMMAND")
  static final class Group extends GroupCommand {
    Group(CliContext ctx) {
      super(ctx);
    }
  }

  @Command(name = "add", description = "Add a schedule to a function: each due time sends it one asynchronous event "
      + "(EventBridge's scheduled-event shape unless --payload is given). Examples: 'rate(5 minutes)', "
      + "'cron(0 9 ? * MON-FRI *)' (AWS's six fields), '30 2 * * *' (a 5-field cron line).")
  static final class Add extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Parameters(index = "1", paramLabel = "EXPRESSION", description = "rate(N minutes|hours|days), cron(M H DOM MON DOW YEAR) or M H DOM MON DOW.")
    String expression;

    @Option(names = "--tz", paramLabel = "ZONE", description = "Time zone the cron fields are read in, e.g. Asia/Seoul (default: UTC).")
    String zone;

    @Option(names = "--payload", paramLabel = "JSON", description = "The event each tick sends instead of the scheduled-event shape.")
    String payload;

    @Option(names = "--id", paramLabel = "ID", description = "The schedule's name (default: schedule-N).")
    String id;

    @Option(names = "--missed", paramLabel = "once|skip",
        description = "Due times missed while the daemon was down: one event for them all (once, the default) or none (skip).")
    String missed;

    Add(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      body.put("expression", expression);
      if (zone != null) {
        body.put("timezone", zone);
      }
      if (id != null) {
        body.put("id", id);
      }
      if (missed != null) {
        body.put("missed", missed);
      }
      if (payload != null) {
        JsonNode parsed = Json.tryParse(payload.getBytes(StandardCharsets.UTF_8));
        if (parsed == null) {
          throw new CliFailure.Usage("--payload: not JSON: " + payload);
        }
        body.set("payload", parsed);
      }
      JsonNode added = Json.parse(client().send("POST", DaemonClient.functionPath(name) + "/schedules",
          DaemonClient.Body.of(Json.compact(body).getBytes(StandardCharsets.UTF_8), "application/json"), DaemonClient.READ_TIMEOUT_MS).body());
      ctx.out().println("added schedule " + Json.text(added, "id") + " to " + name + ": " + Json.text(added, "expression")
          + " (" + Json.text(added, "timezone") + "), next due " + Json.text(added, "nextDue"));
      return 0;
    }
  }

  @Command(name = "ls", description = "List a function's schedules with their next due times.")
  static final class Ls extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Option(names = "--json", description = "Print the daemon's JSON.")
    boolean json;

    Ls(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode answer = client().getJson(DaemonClient.functionPath(name) + "/schedules");
      ctx.out().print(json ? Json.pretty(answer) + "\n" : render(name, answer));
      return 0;
    }

    static String render(String name, JsonNode answer) {
      JsonNode schedules = answer.path("schedules");
      if (schedules.isEmpty()) {
        return "no schedules for " + name + "; add one with: bin/pilotlight schedule add " + name + " 'rate(5 minutes)'\n";
      }
      Table table = new Table().left("ID").left("EXPRESSION").left("TIME ZONE").left("MISSED").left("NEXT DUE").left("PAYLOAD");
      for (JsonNode s : schedules) {
        JsonNode p = s.path("payload");
        table.row(Json.text(s, "id"), Json.text(s, "expression"), Json.text(s, "timezone"), Json.text(s, "missed"),
            s.path("nextDue").isNull() ? "never" : Json.text(s, "nextDue"), p.isNull() || p.isMissingNode() ? "(scheduled event)" : p.toString());
      }
      return table.render();
    }
  }

  @Command(name = "rm", description = "Remove one of a function's schedules.")
  static final class Rm extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Parameters(index = "1", paramLabel = "ID", description = "The schedule's id (as ls shows).")
    String id;

    Rm(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      client().send("DELETE", DaemonClient.functionPath(name) + "/schedules/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null,
          DaemonClient.READ_TIMEOUT_MS);
      ctx.out().println("removed schedule " + id + " of " + name);
      return 0;
    }
  }
}
