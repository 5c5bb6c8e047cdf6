package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code failures NAME}: the function's asynchronous invocations that failed after their retries. */
@Command(name = "failures", description = "List a function's failed asynchronous (Event) invocations, with their payload and error.")
final class FailuresCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @Option(names = "--json", description = "Print the daemon's JSON.")
  boolean json;

  FailuresCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    JsonNode answer = client().getJson(DaemonClient.functionPath(name) + "/failures");
    ctx.out().print(json ? Json.pretty(answer) + "\n" : render(name, answer));
    return 0;
  }

  static String render(String name, JsonNode answer) {
    JsonNode failures = answer.path("failures");
    if (failures.isEmpty()) {
      return "no failed asynchronous invocations of " + name + "\n";
    }
    Table table = new Table().left("REQUEST ID").right("ATTEMPTS").left("FAILED AT").left("ERROR").left("PAYLOAD");
    for (JsonNode f : failures) {
      table.row(Json.text(f, "requestId"), Json.text(f, "attempts"), Json.text(f, "failedAt"),
          clip(Json.text(f, "error"), 80), clip(Json.text(f, "payload"), 60));
    }
    return table.render() + failures.size() + " failed; run them again with: bin/pilotlight redrive " + name + "\n";
  }

  private static String clip(String s, int max) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > max ? one.substring(0, max - 1) + "…" : one;
  }
}
