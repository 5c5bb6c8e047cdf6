package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tokens create|ls|revoke} (bearer tokens for the native API and the CLI) and
 * {@code keys create|ls|revoke} (access keys for the Lambda API, SigV4). Both need an admin token.
 */
final class CredentialCommands {
  private CredentialCommands() {}

  /** Which credentials a group manages. */
  enum Kind {
    TOKENS("/api/v1/tokens", "tokens", "id"),
    KEYS("/api/v1/keys", "keys", "accessKeyId");

    final String path;
    final String listField;
    final String idField;

    Kind(String path, String listField, String idField) {
      this.path = path;
      this.listField = listField;
      this.idField = idField;
    }
  }

  /** The {@code tokens} or {@code keys} group itself: prints its usage. */
  @Command(description = "Manage credentials (needs an admin token).", synopsisSubcommandLabel = "COMMAND")
  static final class Group extends GroupCommand {
    Group(CliContext ctx) {
      super(ctx);
    }
  }

  @Command(name = "create", description = "Issue a new one and print it: a token alone on the last line; for keys, "
      + "AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=… lines and an export of both, so that eval \"$(pilotlight keys create)\" "
      + "or export $(pilotlight keys create) sets up a shell.")
  static final class Create extends DaemonCommand {
    private final Kind kind;

    @Option(names = "--role", paramLabel = "admin|deploy|invoke", defaultValue = "deploy",
        description = "What it may do: admin (everything), deploy (functions, logs, metrics, invoke) or invoke (invoke only) "
            + "(default: ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "", description = "A note to tell it apart in ls.")
    String description;

    Create(CliContext ctx, Kind kind) {
      super(ctx);
      this.kind = kind;
    }

    @Override
    public Integer call() {
      byte[] body = Json.compact(Json.object().put("role", role).put("description", description)).getBytes(StandardCharsets.UTF_8);
      JsonNode answer = Json.parse(client().send("POST", kind.path, DaemonClient.Body.of(body, "application/json"),
          DaemonClient.READ_TIMEOUT_MS).body());
      if (kind == Kind.TOKENS) {
        ctx.err().println("created token " + Json.text(answer, "id") + " (role " + Json.text(answer, "role")
            + "); it is shown only now:");
        ctx.out().println(Json.text(answer, "token"));
      } else {
        ctx.err().println("created access key " + Json.text(answer, "accessKeyId") + " (role " + Json.text(answer, "role")
            + "); the secret is shown only now");
        ctx.out().println("AWS_ACCESS_KEY_ID=" + Json.text(answer, "accessKeyId"));
        ctx.out().println("AWS_SECRET_ACCESS_KEY=" + Json.text(answer, "secretAccessKey"));
        // eval "$(…)" needs it to export them; export $(…) reads it as more names to export
        ctx.out().println("export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY");
      }
      return 0;
    }
  }

  @Command(name = "ls", description = "List them (never their secrets).")
  static final class Ls extends DaemonCommand {
    private final Kind kind;

    @Option(names = "--json", description = "Print the daemon's JSON.")
    boolean json;

    Ls(CliContext ctx, Kind kind) {
      super(ctx);
      this.kind = kind;
    }

    @Override
    public Integer call() {
      JsonNode answer = client().getJson(kind.path);
      if (json) {
        ctx.out().println(Json.pretty(answer));
        return 0;
      }
      Table table = new Table().left("ID").left("ROLE").left("CREATED").left("DESCRIPTION");
      for (JsonNode c : answer.path(kind.listField)) {
        table.row(Json.text(c, kind.idField), Json.text(c, "role"), Json.text(c, "created"), Json.text(c, "description"));
      }
      ctx.out().print(table.render());
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke one by id; it stops working at once.")
  static final class Revoke extends DaemonCommand {
    private final Kind kind;

    @Parameters(index = "0", paramLabel = "ID", description = "The id ls shows.")
    String id;

    Revoke(CliContext ctx, Kind kind) {
      super(ctx);
      this.kind = kind;
    }

    @Override
    public Integer call() {
      client().send("DELETE", kind.path + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, DaemonClient.READ_TIMEOUT_MS);
      ctx.out().println("revoked " + id);
      return 0;
    }
  }
}
