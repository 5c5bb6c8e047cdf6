package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code redrive NAME}: queues every failed asynchronous invocation of a function again. */
@Command(name = "redrive", description = "Run a function's failed asynchronous (Event) invocations again, with fresh retries.")
final class RedriveCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @Option(names = "--json", description = "Print {\"function\": NAME, \"redriven\": N} as JSON.")
  boolean json;

  RedriveCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    JsonNode answer = Json.parse(client().send("POST", DaemonClient.functionPath(name) + "/redrive", null,
        DaemonClient.READ_TIMEOUT_MS).body());
    ctx.out().println(json ? Json.compact(answer) : "redriven " + Json.text(answer, "redriven") + " failed invocation(s) of " + name);
    return 0;
  }
}
