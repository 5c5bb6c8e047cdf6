package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code secrets set|ls|rm} against a fake daemon: the value's way in (never an argument), what is sent and printed. */
class SecretCommandsTest extends AgainstFakeDaemon {
  private static final String SET = """
      {"name":"db-password","version":2,"created":"2026-12-03T10:00:00Z","updated":"2026-12-03T11:00:00Z","usedBy":["api"],
       "replacing":["api"]}""";

  private record Run(int exit, String out, String err) {}

  private Run run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of("PILOTLIGHT_URL", daemon.url()), new ByteArrayInputStream(stdin));
    int exit = Main.commandLine(ctx).execute(args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void setSendsStandardInputWithoutItsTrailingNewlineAndNamesWhatIsReplaced() {
    daemon.on("PUT", "/api/v1/secrets/db-password", Reply.json(200, SET));
    Run r = run("hunter2\n".getBytes(StandardCharsets.UTF_8), "secrets", "set", "db-password");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("set secret db-password (version 2); replacing the instances of api\n");
    FakeDaemon.Request put = daemon.only();
    assertThat(put.text()).isEqualTo("hunter2");
    assertThat(put.header("Content-Type")).isEqualTo("application/octet-stream");
  }

  @Test
  void setFromAFileSendsItByteForByte() throws Exception {
    Path file = Files.write(tmp.resolve("key.pem"), new byte[] {'k', '\n', 0, (byte) 0xff, '\n'});
    daemon.on("PUT", "/api/v1/secrets/tls-key", Reply.json(201, SET.replace("\"replacing\":[\"api\"]", "\"replacing\":[]")));
    Run r = run(new byte[0], "secrets", "set", "tls-key", "--from-file", file.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(daemon.only().body()).containsExactly('k', '\n', 0, 0xff, '\n');
    assertThat(r.out()).isEqualTo("set secret db-password (version 2)\n");
  }

  @Test
  void aValueIsNeverAnArgumentAndAnEmptyOneIsRefusedBeforeSending() {
    Run extra = run(new byte[0], "secrets", "set", "db-password", "hunter2");
    assertThat(extra.exit()).isEqualTo(CliFailure.EXIT_USAGE);
    Run empty = run("\n".getBytes(StandardCharsets.UTF_8), "secrets", "set", "db-password");
    assertThat(empty.exit()).isNotZero();
    assertThat(empty.err()).contains("the value is empty");
    assertThat(daemon.requests()).isEmpty();
  }

  @Test
  void lsShowsNamesVersionsAndUsersAndRmNamesWhatTheDaemonRefuses() {
    daemon.on("GET", "/api/v1/secrets", Reply.json(200, """
        {"secrets":[{"name":"db-password","version":2,"created":"2026-12-03T10:00:00Z","updated":"2026-12-03T11:00:00Z",
        "usedBy":["api","worker"]},{"name":"unused","version":1,"created":"2026-12-03T10:00:00Z","updated":"2026-12-03T10:00:00Z",
        "usedBy":[]}]}"""));
    var ls = cli.run("secrets", "ls");
    assertThat(ls.exit()).isZero();
    assertThat(ls.out()).contains("NAME", "VERSION", "USED BY", "db-password", "api,worker", "unused");
    daemon.on("DELETE", "/api/v1/secrets/db-password", Reply.error(409, "Conflict", "secret 'db-password' is used by functions api, worker"));
    var rm = cli.run("secrets", "rm", "db-password");
    assertThat(rm.exit()).isNotZero();
    assertThat(rm.err()).contains("is used by functions api, worker");
    daemon.on("DELETE", "/api/v1/secrets/unused", new Reply(204, Map.of(), ""));
    assertThat(cli.run("secrets", "rm", "unused").out()).isEqualTo("removed secret unused\n");
  }
}
