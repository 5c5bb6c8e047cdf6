package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

  @Option(names = "--json", description = "Print one JSON object per line: {timestamp, requestId, instance, message}.")
  boolean json;

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
      ctx.out().println(json ? Json.compact(parse(line)) : line);
      ctx.out().flush();
    });
    return 0;
  }

  /** Splits {@code <timestamp> <requestId|-> [<instance>] <message>}; a line of another shape is kept whole as the message. */
  static ObjectNode parse(String line) {
    var o = Json.object();
    String[] parts = line.split(" ", 4);
    if (parts.length >= 3 && parts[2].startsWith("[") && parts[2].endsWith("]")) {
      o.put("timestamp", parts[0]);
      o.put("requestId", parts[1].equals("-") ? null : parts[1]);
      o.put("instance", parts[2].substring(1, parts[2].length() - 1));
      o.put("message", parts.length == 4 ? parts[3] : "");
    } else {
      o.put("message", line);
    }
    return o;
  }
}
