package dev.pilotlight.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rm NAME}: removes a function, its instances, code and logs. */
@Command(name = "rm", description = "Remove a function: its instances are stopped, its code and logs deleted.")
final class RmCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @picocli.CommandLine.Option(names = "--json", description = "Print {\"removed\": NAME} as JSON.")
  boolean json;

  RmCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    client().send("DELETE", DaemonClient.functionPath(name), null, DaemonClient.READ_TIMEOUT_MS);
    ctx.out().println(json ? Json.compact(Json.object().put("removed", name)) : "removed " + name);
    return 0;
  }
}
