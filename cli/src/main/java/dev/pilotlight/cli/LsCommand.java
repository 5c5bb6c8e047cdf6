package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ls}: one line per deployed function. */
@Command(name = "ls", description = "List deployed functions.")
final class LsCommand extends DaemonCommand {

  @Option(names = "--json", description = "Print the daemon's JSON.")
  boolean json;

  LsCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    JsonNode answer = client().getJson("/api/v1/functions");
    ctx.out().print(json ? Json.pretty(answer) + "\n" : render(answer));
    return 0;
  }

  static String render(JsonNode answer) {
    JsonNode functions = answer.path("functions");
    if (functions.isEmpty()) {
      return "no functions deployed (deploy one with: bin/pilotlight deploy PATH)\n";
    }
    Table table = new Table().left("NAME").left("RUNTIME").right("REVISION").right("INSTANCES")
        .right("INVOCATIONS").right("COLD STARTS");
    for (JsonNode f : functions) {
      table.row(Json.text(f, "name"), Json.text(f, "runtime"), Json.text(f, "revision"),
          Json.text(f, "instances"), Json.text(f, "invocations"), Json.text(f, "coldStarts"));
    }
    return table.render();
  }
}
