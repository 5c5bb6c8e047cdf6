package dev.pilotlight.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code logs NAME}: prints a function's recent log lines, and with {@code --follow} new ones as they come. */
@Command(name = "logs", description = "Print a function's log; --follow keeps printing new lines until Ctrl-C.")
final class LogsCommand extends DaemonCommand {

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @Option(names = "--tail", paramLabel = "N", description = "How many recent lines to start with (default: 100).")
  int tail = 100;

  @Option(names = {"-f", "--follow"}, description = "Keep the stream open and print new lines as they arrive.")
  boolean follow;

  LogsCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    if (tail < 0) {
      throw new CliFailure.Usage("--tail: " + tail + " (expected: >= 0)");
    }
    String path = DaemonClient.functionPath(name) + "/logs?tail=" + tail + (follow ? "&follow=true" : "");
    client().streamLines(path, line -> {
      ctx.out().println(line);
      ctx.out().flush();
    });
    return 0;
  }
}
