package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets end to end with a real python function: set with the CLI, given to the instance as a
 * variable and as a file, rotated without a redeploy (the running instance is replaced), never
 * shown by the function's view or the listing, never in the registry or the secrets database in
 * the clear, and not removable while a function uses it.
 */
class SecretsIT {
  static DaemonFixture d;
  static Path app;
  static Path values;

  /** Prints what it was given: the variable, the file's content and mode, and which instance it is. */
  static final String HANDLER = """
      import os, stat

      def handler(event, context):
          d = os.environ.get("PILOTLIGHT_SECRETS_DIR", "")
          path = os.path.join(d, "api-token")
          with open(path) as f:
              token = f.read()
          st = os.stat(path)
          return {"env": os.environ.get("DB_PASSWORD"), "file": token, "mode": oct(stat.S_IMODE(st.st_mode)), "dir": d,
                  "owned": st.st_uid == os.getuid(), "instance": os.environ.get("PILOTLIGHT_INSTANCE_ID")}
      """;

  static final String MANIFEST = """
      name: app
      runtime: python3.12
      handler: app.handler
      secrets:
        DB_PASSWORD: db-password
      secretFiles:
        api-token: api-token
      """;

  static final String FIRST = "db-pass-MARK-0f3a9c";
  static final String ROTATED = "db-pass-MARK-rotated-77e1";
  static final String TOKEN = "api-token-MARK-b41d";

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path dir, @TempDir Path files) throws Exception {
    d = new DaemonFixture(data);
    app = dir;
    values = files;
    Files.writeString(app.resolve("app.py"), HANDLER);
    Files.writeString(app.resolve("pilotlight.yaml"), MANIFEST);
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  static DaemonFixture.CliResult setSecret(String name, String value) throws Exception {
    Path f = values.resolve(name + "-" + System.nanoTime());
    Files.writeString(f, value);
    return d.cli("secrets", "set", name, "--from-file", f.toString());
  }

  static JsonNode invoke() throws Exception {
    HttpResponse<String> r = d.post("/api/v1/functions/app/invoke", "{}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DaemonFixture.JSON.readTree(r.body());
  }

  @Test
  void aFunctionGetsItsSecretsAtStartRotatedWithoutARedeployAndNobodyIsShownThem() throws Exception {
    // a function that refers to a secret that does not exist is refused at deploy
    DaemonFixture.CliResult refused = d.cli("deploy", app.toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("'db-password'").contains("exist (set").contains("pilotlight secrets set");

    assertThat(setSecret("db-password", FIRST).exit()).isZero();
    DaemonFixture.CliResult token = setSecret("api-token", TOKEN);
    assertThat(token.exit()).as(token.err()).isZero();
    assertThat(token.out()).contains("set secret api-token (version 1)");
    Path key = d.dataDir.resolve("keys/secrets.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    d.deploy(app.toString());

    JsonNode first = invoke();
    assertThat(first.path("env").asText()).isEqualTo(FIRST);
    assertThat(first.path("file").asText()).isEqualTo(TOKEN);
    assertThat(first.path("mode").asText()).isEqualTo("0o400");
    assertThat(first.path("owned").asBoolean()).isTrue();
    boolean sandboxed = d.get("/healthz").body().contains("instance isolation: bubblewrap");
    if (sandboxed) {
      assertThat(first.path("dir").asText()).isEqualTo("/run/secrets");
    }
    // warm: the same instance answers again
    assertThat(invoke().path("instance").asText()).isEqualTo(first.path("instance").asText());

    // the function's view names the secrets, never their values; so does the listing
    String view = d.get("/api/v1/functions/app").body();
    assertThat(view).contains("\"secrets\":{\"DB_PASSWORD\":\"db-password\"}").contains("\"secretFiles\":{\"api-token\":\"api-token\"}")
        .doesNotContain(FIRST).doesNotContain(TOKEN);
    assertThat(d.get("/api/v1/functions").body()).doesNotContain(FIRST).doesNotContain(TOKEN);
    JsonNode listed = DaemonFixture.JSON.readTree(d.get("/api/v1/secrets").body());
    assertThat(listed.toString()).doesNotContain(FIRST).doesNotContain(TOKEN);
    assertThat(listed.path("secrets").findValuesAsText("name")).containsExactly("api-token", "db-password");
    assertThat(listed.path("secrets").get(1).path("usedBy").toString()).isEqualTo("[\"app\"]");
    assertThat(listed.path("secrets").get(1).path("version").asInt()).isEqualTo(1);
    DaemonFixture.CliResult ls = d.cli("secrets", "ls");
    assertThat(ls.out()).contains("db-password").contains("app").doesNotContain(FIRST);

    // rotation: a new value reaches the function without a redeploy; the warm instance was replaced
    DaemonFixture.CliResult rotated = setSecret("db-password", ROTATED);
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(rotated.out()).contains("version 2").contains("replacing the instances of app");
    JsonNode after = invoke();
    assertThat(after.path("env").asText()).isEqualTo(ROTATED);
    assertThat(after.path("instance").asText()).isNotEqualTo(first.path("instance").asText());
    assertThat(d.status("app").path("revision").asInt()).as("no new revision").isEqualTo(1);
    assertThat(d.logs("app")).contains("SECRET db-password set (version 2)").doesNotContain(ROTATED).doesNotContain(FIRST);

    // no value in the clear in the registry, the secrets database or anything else the daemon keeps
    // (but the running instance's own secret files, which its sandbox reads)
    try (Stream<Path> files = Files.walk(d.dataDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (f.startsWith(d.dataDir.resolve("sandbox")) || f.startsWith(d.dataDir.resolve("secrets"))) {
          continue;
        }
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(bytes).as(f.toString()).doesNotContain(FIRST).doesNotContain(ROTATED).doesNotContain(TOKEN);
      }
    }
    assertThat(d.dataDir.resolve("registry.db")).exists();
    assertThat(d.dataDir.resolve("secrets.db")).exists();
    // a variable's value is nowhere on disk at all
    try (Stream<Path> files = Files.walk(d.dataDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(ROTATED);
      }
    }

    // removal is refused while the function uses it, naming it
    DaemonFixture.CliResult rm = d.cli("secrets", "rm", "db-password");
    assertThat(rm.exit()).isNotZero();
    assertThat(rm.err()).contains("secret 'db-password' is used by function app");
    HttpResponse<String> delete = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/secrets/db-password")).DELETE().build());
    assertThat(delete.statusCode()).isEqualTo(409);
    assertThat(invoke().path("env").asText()).isEqualTo(ROTATED);

    // once the function no longer uses them, they go
    Files.writeString(app.resolve("pilotlight.yaml"), "name: app\nruntime: python3.12\nhandler: app.handler\n");
    Files.writeString(app.resolve("app.py"), "def handler(event, context):\n    return {'ok': True}\n");
    d.deploy(app.toString());
    for (String name : List.of("db-password", "api-token")) {
      DaemonFixture.CliResult gone = d.cli("secrets", "rm", name);
      assertThat(gone.exit()).as(gone.err()).isZero();
    }
    assertThat(DaemonFixture.JSON.readTree(d.get("/api/v1/secrets").body()).path("secrets")).isEmpty();
    assertThat(d.get("/api/v1/secrets/db-password").statusCode()).isEqualTo(404);
  }
}
