package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code secrets set|ls|rm}: the daemon's write-only secrets, which functions get through their
 * {@code secrets} and {@code secretFiles} settings. A value is never taken from an argument (the
 * command lines of running processes are readable by every local user through {@code ps}): it
 * comes from a file, from standard input, or typed at a prompt that does not echo it.
 */
final class SecretCommands {
  private SecretCommands() {}

  static final String PATH = "/api/v1/secrets";

  /** The largest value a secret may hold (the daemon's limit); more is refused before anything is sent. */
  static final int MAX_VALUE_BYTES = 64 * 1024;

  @Command(description = "Secrets functions get as environment variables or files (needs a deploy token).",
      synopsisSubcommandLabel = "COMMAND")
  static final class Group extends GroupCommand {
    Group(CliContext ctx) {
      super(ctx);
    }
  }

  @Command(name = "set", description = "Set a secret's value (a new version; the running instances of the functions that use it are "
      + "replaced, without a redeploy). The value comes from --from-file, else standard input (one trailing newline removed), or "
      + "is asked for without echo on a terminal; never from an argument.")
  static final class Set extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name: [a-z0-9][a-z0-9-]{0,62}, e.g. db-password.")
    String name;

    @Option(names = "--from-file", paramLabel = "FILE", description = "Take the value from this file, byte for byte.")
    Path fromFile;

    Set(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      byte[] value = fromFile != null ? readFile(fromFile) : fromInput();
      try {
        if (value.length == 0) {
          throw new CliFailure.Failed("the value is empty (give it on standard input or with --from-file)");
        }
        if (value.length > MAX_VALUE_BYTES) {
          throw new CliFailure.Failed("the value is " + value.length + " bytes (at most " + MAX_VALUE_BYTES + ")");
        }
        JsonNode answer = Json.parse(client().send("PUT", PATH + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8),
            DaemonClient.Body.of(value, "application/octet-stream"), DaemonClient.READ_TIMEOUT_MS).body());
        StringBuilder line = new StringBuilder("set secret " + Json.text(answer, "name") + " (version " + Json.text(answer, "version") + ")");
        JsonNode replacing = answer.path("replacing");
        if (!replacing.isEmpty()) {
          line.append("; replacing the instances of ");
          for (int i = 0; i < replacing.size(); i++) {
            line.append(i == 0 ? "" : ", ").append(replacing.get(i).asText());
          }
        }
        ctx.out().println(line);
        return 0;
      } finally {
        Arrays.fill(value, (byte) 0);
      }
    }

    private static byte[] readFile(Path file) {
      try {
        if (Files.size(file) > MAX_VALUE_BYTES) {
          throw new CliFailure.Failed(file + " is " + Files.size(file) + " bytes (a secret holds at most " + MAX_VALUE_BYTES + ")");
        }
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new CliFailure.Failed("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    /** Standard input: typed without echo on a terminal, else read to its end with one trailing newline removed. */
    private byte[] fromInput() {
      Console console = System.console();
      if (ctx.in() == System.in && console != null && console.isTerminal()) {
        char[] typed = console.readPassword("value of secret %s (not shown): ", name);
        if (typed == null) {
          return new byte[0];
        }
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(typed));
        Arrays.fill(typed, '\0');
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      }
      return withoutTrailingNewline(readAll(ctx.in()));
    }

    private static byte[] readAll(InputStream in) {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
          if (out.size() > MAX_VALUE_BYTES + 2) {
            throw new CliFailure.Failed("standard input holds more than " + MAX_VALUE_BYTES + " bytes (a secret's limit)");
          }
        }
        return out.toByteArray();
      } catch (IOException e) {
        throw new CliFailure.Failed("cannot read standard input: " + e.getMessage(), e);
      }
    }

    /** {@code echo value |} and here-strings add a newline nobody means to be part of a password. */
    static byte[] withoutTrailingNewline(byte[] v) {
      int end = v.length;
      if (end > 0 && v[end - 1] == '\n') {
        end--;
        if (end > 0 && v[end - 1] == '\r') {
          end--;
        }
      }
      return end == v.length ? v : Arrays.copyOf(v, end);
    }
  }

  @Command(name = "ls", description = "List the secrets: names, versions, when set, which functions use them (never values).")
  static final class Ls extends DaemonCommand {
    @Option(names = "--json", description = "Print the daemon's JSON.")
    boolean json;

    Ls(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode answer = client().getJson(PATH);
      if (json) {
        ctx.out().println(Json.pretty(answer));
        return 0;
      }
      Table table = new Table().left("NAME").right("VERSION").left("UPDATED").left("USED BY");
      for (JsonNode s : answer.path("secrets")) {
        StringBuilder users = new StringBuilder();
        for (JsonNode u : s.path("usedBy")) {
          users.append(users.isEmpty() ? "" : ",").append(u.asText());
        }
        table.row(Json.text(s, "name"), Json.text(s, "version"), Json.text(s, "updated"), users.isEmpty() ? "-" : users.toString());
      }
      ctx.out().print(table.render());
      return 0;
    }
  }

  @Command(name = "rm", description = "Remove a secret; refused while a function uses it.")
  static final class Rm extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name.")
    String name;

    Rm(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      client().send("DELETE", PATH + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8), null, DaemonClient.READ_TIMEOUT_MS);
      ctx.out().println("removed secret " + name);
      return 0;
    }
  }
}
