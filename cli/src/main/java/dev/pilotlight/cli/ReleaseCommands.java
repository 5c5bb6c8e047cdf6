package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The release commands: {@code revisions}, {@code traffic} and {@code rollback}. */
final class ReleaseCommands {
  private ReleaseCommands() {}

  /** {@code revisions NAME}: the kept revisions, which are published, and the share of traffic each takes. */
  @Command(name = "revisions", description = "List a function's kept revisions and the share of its traffic each takes.")
  static final class Revisions extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    Revisions(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode answer = client().getJson(DaemonClient.functionPath(name) + "/revisions");
      if (json) {
        ctx.out().println(Json.pretty(answer));
        return 0;
      }
      Table table = new Table().right("REVISION").left("DEPLOYED").left("RUNTIME").right("TRAFFIC").left("NOTE");
      for (JsonNode r : answer.path("revisions")) {
        List<String> notes = new ArrayList<>();
        if (r.path("latest").asBoolean()) {
          notes.add("latest");
        }
        if (r.path("published").asBoolean()) {
          notes.add("published");
        }
        table.row(r.path("revision").asText(), r.path("deployedAt").asText(), r.path("runtime").asText(),
            r.path("percent").asInt() + " %", notes.isEmpty() ? null : String.join(", ", notes));
      }
      ctx.out().print(table.render());
      return 0;
    }
  }

  /**
   * {@code traffic NAME [TARGET…]}: shows the split, or sets it, e.g. {@code 3=90 latest=10} or
   * {@code 4=100 canary:5=0} (a tag gives its revision the URL {@code /fn/NAME@TAG/}).
   */
  @Command(name = "traffic", description = "Show or set how a function's URL calls split between its revisions.")
  static final class TrafficCommand extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Parameters(index = "1..*", paramLabel = "TARGET", arity = "0..*",
        description = "[TAG:]REVISION=PERCENT, REVISION a number or latest; the percentages add up to 100. None: show the split.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    TrafficCommand(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode answer;
      if (targets.isEmpty()) {
        answer = client().getJson(DaemonClient.functionPath(name) + "/traffic");
      } else {
        var body = Json.object();
        body.put("traffic", String.join(" ", targets));
        answer = Json.parse(client().send("PUT", DaemonClient.functionPath(name) + "/traffic",
            DaemonClient.Body.of(Json.compact(body).getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json"),
            DaemonClient.READ_TIMEOUT_MS).body());
      }
      print(ctx, answer, json);
      return 0;
    }
  }

  /** {@code rollback NAME}: every call to the revision before the one that takes them all now. */
  @Command(name = "rollback", description = "Send all of a function's calls to the revision before the one serving them now.")
  static final class Rollback extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    Rollback(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode answer = Json.parse(client().send("POST", DaemonClient.functionPath(name) + "/rollback", null,
          DaemonClient.READ_TIMEOUT_MS).body());
      print(ctx, answer, json);
      return 0;
    }
  }

  /** {@code rollout status|promote|abort NAME}: a rollout's progress, or its end by hand. */
  @Command(name = "rollout", description = "Show a function's rollout (status), or end it: promote (all calls to the new revision) "
      + "or abort (all back to the stable one).")
  static final class RolloutCommand extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "ACTION", description = "status, promote or abort.")
    String action;

    @Parameters(index = "1", paramLabel = "NAME", description = "Function name.")
    String name;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    RolloutCommand(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode r = switch (action) {
        case "status" -> client().getJson(DaemonClient.functionPath(name) + "/rollout");
        case "promote", "abort" -> Json.parse(client().send("POST", DaemonClient.functionPath(name) + "/rollout/" + action, null,
            DaemonClient.READ_TIMEOUT_MS).body());
        default -> throw new CliFailure.Usage("rollout " + action + " (expected: status, promote or abort)");
      };
      if (json) {
        ctx.out().println(Json.pretty(r));
        return 0;
      }
      ctx.out().println(name + ": rollout of revision " + Json.text(r, "revision") + " over revision " + Json.text(r, "stable") + " "
          + Json.text(r, "status") + ", at " + Json.text(r, "percent") + " % (step " + Json.text(r, "step") + ", plan "
          + Json.text(r, "plan") + ")" + (r.hasNonNull("reason") ? ": " + Json.text(r, "reason") : ""));
      return 0;
    }
  }

  static void print(CliContext ctx, JsonNode answer, boolean json) {
    if (json) {
      ctx.out().println(Json.pretty(answer));
      return;
    }
    Table table = new Table().left("REVISION").right("PERCENT").left("TAG").left("URL");
    for (JsonNode t : answer.path("targets")) {
      String revision = t.path("revision").asText() + (t.path("latest").asBoolean() ? " (latest)" : "");
      table.row(revision, t.path("percent").asInt() + " %", t.path("tag").asText(null), t.path("url").asText(null));
    }
    ctx.out().print(table.render());
  }
}
