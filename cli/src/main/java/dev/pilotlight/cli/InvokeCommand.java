package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code invoke NAME}: sends one event to a function and prints its answer. */
@Command(name = "invoke", description = "Call a function once with an event and print its answer.")
final class InvokeCommand extends DaemonCommand {

  static final String FUNCTION_ERROR_HEADER = "X-Pilotlight-Function-Error";

  @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
  String name;

  @Option(names = "--data", paramLabel = "JSON|@FILE", description = "The event: JSON text, or @file to read it from a file (default: {}).")
  String data = "{}";

  @Option(names = "--json", description = "Print {statusCode, functionError, revision, payload} as JSON instead of the bare answer.")
  boolean json;

  @Option(names = "--qualifier", paramLabel = "Q", description = "Call one revision: its number, latest, an alias or a traffic tag "
      + "(default: the function's traffic split).")
  String qualifier;

  InvokeCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    byte[] event = event(data);
    String target = DaemonClient.functionPath(name);
    if (qualifier != null) {
      if (!qualifier.matches("[A-Za-z0-9_$-]{1,128}")) {
        throw new CliFailure.Usage("--qualifier '" + qualifier + "' (expected: a revision number, latest, an alias or a traffic tag)");
      }
      target += "@" + qualifier;
    }
    DaemonClient.Response r = client().send("POST", target + "/invoke",
        DaemonClient.Body.of(event, "application/json"), DaemonClient.NO_TIMEOUT);
    if (json) {
      var o = Json.object();
      o.put("statusCode", r.status());
      o.put("functionError", r.header(FUNCTION_ERROR_HEADER));
      String revision = r.header("X-Pilotlight-Revision");
      if (revision != null) {
        o.put("revision", Long.parseLong(revision));
      }
      JsonNode payload = Json.tryParse(r.body());
      if (payload != null) {
        o.set("payload", payload);
      } else {
        o.put("payload", new String(r.body(), StandardCharsets.UTF_8));
      }
      ctx.out().println(Json.pretty(o));
      ctx.out().flush();
      return r.header(FUNCTION_ERROR_HEADER) != null ? CliFailure.EXIT_FAILED : 0;
    }
    if (r.header(FUNCTION_ERROR_HEADER) != null) {
      print(ctx.err(), r.body());
      return CliFailure.EXIT_FAILED;
    }
    print(ctx.out(), r.body());
    return 0;
  }

  static byte[] event(String data) {
    if (!data.startsWith("@")) {
      return data.getBytes(StandardCharsets.UTF_8);
    }
    Path file = Path.of(data.substring(1));
    if (!Files.isRegularFile(file)) {
      throw new CliFailure.Usage("--data " + data + ": " + file + " is not a readable file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CliFailure.Usage("--data " + data + ": cannot read " + file + " (" + e.getMessage() + ")");
    }
  }

  /** Writes the answer's bytes as they are, ending with a newline so the shell prompt stays put. */
  private static void print(PrintStream stream, byte[] body) {
    stream.write(body, 0, body.length);
    if (body.length == 0 || body[body.length - 1] != '\n') {
      stream.println();
    }
    stream.flush();
  }
}
