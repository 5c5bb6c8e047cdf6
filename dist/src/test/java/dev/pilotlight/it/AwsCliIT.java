package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.testing.Zips;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWS's own CLI v2 ({@code /usr/bin/aws}, Debian's {@code awscli}) against a real daemon with
 * {@code --endpoint-url} and dummy credentials: the management subset, Invoke (sync with the log
 * tail, Event, errors) and an API error reported by its AWS name.
 */
class AwsCliIT {
  static final Path AWS = Path.of("/usr/bin/aws");
  static DaemonFixture d;
  static Path work;

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path dir) {
    assertThat(Files.isExecutable(AWS))
        .as("the AWS CLI v2 is not installed at /usr/bin/aws: install it with 'apt-get install -y awscli' (.ci/run does)")
        .isTrue();
    work = dir;
    d = new DaemonFixture(data);
    // The key comes from `pilotlight keys create`, whose two lines a shell would eval.
    DaemonFixture.CliResult created = d.cli("keys", "create", "--role", "deploy", "--description", "aws cli test");
    assertThat(created.exit()).as(created.err()).isZero();
    for (String line : created.out().strip().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        keyEnv.put(line.substring(0, eq), line.substring(eq + 1));
      } else {
        assertThat(line).isEqualTo("export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY");
      }
    }
    assertThat(keyEnv).containsOnlyKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
  }

  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of an issued key. */
  static final Map<String, String> keyEnv = new HashMap<>();

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  record Result(int exit, String out, String err) {
    JsonNode json() {
      try {
        return DaemonFixture.JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + " / " + err, e);
      }
    }
  }

  /** Runs {@code aws lambda ARGS…} against the daemon, isolated from any AWS configuration on the machine. */
  static Result aws(String... args) throws Exception {
    return awsWith(keyEnv, args);
  }

  /** Runs {@code aws lambda ARGS…} with these credentials. */
  static Result awsWith(Map<String, String> credentials, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(AWS.toString(), "--endpoint-url", d.url(), "--output", "json", "lambda"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.putAll(credentials);
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    env.put("AWS_CONFIG_FILE", work.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString());
    env.put("HOME", work.toString());
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("aws " + String.join(" ", args) + " did not finish within 90 s");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static Path zip(String name, String version) throws IOException {
    String app = """
        import json

        VERSION = "%s"


        def handler(event, context):
            print("handled " + json.dumps(event, sort_keys=True))
            if isinstance(event, dict) and event.get("fail"):
                raise ValueError("asked to fail")
            return {"version": VERSION, "echo": event, "requestId": context.aws_request_id}
        """.formatted(version);
    Path zip = work.resolve(name);
    Files.write(zip, Zips.ofText("app.py", app));
    return zip;
  }

  static String sha256Base64(Path file) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void theAwsCliIsRefusedWithoutAnIssuedKey() throws Exception {
    Result unknown = awsWith(Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00", "AWS_SECRET_ACCESS_KEY", "x"), "list-functions");
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.err()).contains("UnrecognizedClientException");
    Result wrongSecret = awsWith(Map.of("AWS_ACCESS_KEY_ID", keyEnv.get("AWS_ACCESS_KEY_ID"), "AWS_SECRET_ACCESS_KEY", "not-the-secret"),
        "list-functions");
    assertThat(wrongSecret.exit()).isNotZero();
    assertThat(wrongSecret.err()).contains("InvalidSignatureException");
    assertThat(aws("list-functions").exit()).isZero();
  }

  @Test
  void aFunctionUrlIsMadePrivateWithItsUrlConfig() throws Exception {
    Path code = zip("url.zip", "url");
    assertThat(aws("create-function", "--function-name", "url-fn", "--runtime", "python3.12", "--handler", "app.handler",
        "--role", "arn:aws:iam::000000000000:role/any", "--zip-file", "fileb://" + code).exit()).isZero();
    assertThat(aws("get-function-url-config", "--function-name", "url-fn").json().path("AuthType").asText()).isEqualTo("NONE");
    assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/fn/url-fn/"))
        .header("Authorization", "none").build()).statusCode()).isEqualTo(200);
    Result created = aws("create-function-url-config", "--function-name", "url-fn", "--auth-type", "AWS_IAM");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.json().path("AuthType").asText()).isEqualTo("AWS_IAM");
    assertThat(created.json().path("FunctionUrl").asText()).endsWith("/fn/url-fn/");
    assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/fn/url-fn/"))
        .header("Authorization", "none").build()).statusCode()).as("unsigned, now refused").isEqualTo(403);
    assertThat(aws("update-function-url-config", "--function-name", "url-fn", "--auth-type", "NONE").json().path("AuthType").asText())
        .isEqualTo("NONE");
    assertThat(aws("delete-function", "--function-name", "url-fn").exit()).isZero();
  }

  @Test
  void theAwsCliManagesAndInvokesAFunction() throws Exception {
    Path v1 = zip("v1.zip", "v1");
    Result created = aws("create-function", "--function-name", "cli-fn", "--runtime", "python3.12", "--handler", "app.handler",
        "--role", "arn:aws:iam::000000000000:role/any", "--zip-file", "fileb://" + v1, "--timeout", "10",
        "--environment", "Variables={GREETING=hi}");
    assertThat(created.exit()).as(created.err()).isZero();
    JsonNode config = created.json();
    assertThat(config.path("FunctionName").asText()).isEqualTo("cli-fn");
    assertThat(config.path("FunctionArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:cli-fn");
    assertThat(config.path("Runtime").asText()).isEqualTo("python3.12");
    assertThat(config.path("State").asText()).isEqualTo("Active");
    assertThat(config.path("Timeout").asInt()).isEqualTo(10);
    assertThat(config.path("CodeSha256").asText()).isEqualTo(sha256Base64(v1));
    assertThat(config.path("Environment").path("Variables").path("GREETING").asText()).isEqualTo("hi");

    Result again = aws("create-function", "--function-name", "cli-fn", "--runtime", "python3.12", "--handler", "app.handler",
        "--role", "arn:aws:iam::000000000000:role/any", "--zip-file", "fileb://" + v1);
    assertThat(again.exit()).isNotZero();
    assertThat(again.err()).contains("ResourceConflictException");

    // sync, with the log tail
    Result sync = aws("invoke", "--function-name", "cli-fn", "--cli-binary-format", "raw-in-base64-out",
        "--payload", "{\"name\":\"Ann\"}", "--log-type", "Tail", "sync.json");
    assertThat(sync.exit()).as(sync.err()).isZero();
    JsonNode meta = sync.json();
    assertThat(meta.path("StatusCode").asInt()).isEqualTo(200);
    assertThat(meta.path("ExecutedVersion").asText()).isEqualTo("$LATEST");
    assertThat(meta.has("FunctionError")).isFalse();
    String tail = new String(Base64.getDecoder().decode(meta.path("LogResult").asText()), StandardCharsets.UTF_8);
    assertThat(tail).contains("START RequestId: ").contains("REPORT RequestId: ");
    JsonNode answer = DaemonFixture.JSON.readTree(work.resolve("sync.json").toFile());
    assertThat(answer.path("version").asText()).isEqualTo("v1");
    assertThat(answer.path("echo").path("name").asText()).isEqualTo("Ann");
    assertThat(tail).contains(answer.path("requestId").asText());

    // by ARN, with a function error
    Result failed = aws("invoke", "--function-name", "arn:aws:lambda:us-east-1:000000000000:function:cli-fn",
        "--cli-binary-format", "raw-in-base64-out", "--payload", "{\"fail\":true}", "failed.json");
    assertThat(failed.exit()).as(failed.err()).isZero();
    assertThat(failed.json().path("FunctionError").asText()).isEqualTo("Unhandled");
    assertThat(Files.readString(work.resolve("failed.json"))).contains("asked to fail").contains("ValueError");

    // asynchronous: 202 now, the function runs soon after
    Result event = aws("invoke", "--function-name", "cli-fn", "--invocation-type", "Event", "--cli-binary-format",
        "raw-in-base64-out", "--payload", "{\"marker\":\"evt-cli-1\"}", "event.json");
    assertThat(event.exit()).as(event.err()).isZero();
    assertThat(event.json().path("StatusCode").asInt()).isEqualTo(202);
    eventually(Duration.ofSeconds(30), "the Event invocation ran", () -> d.logs("cli-fn").contains("handled {\"marker\": \"evt-cli-1\"}"));

    Result dry = aws("invoke", "--function-name", "cli-fn", "--invocation-type", "DryRun", "dry.json");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.json().path("StatusCode").asInt()).isEqualTo(204);

    Result got = aws("get-function", "--function-name", "cli-fn");
    assertThat(got.exit()).as(got.err()).isZero();
    assertThat(got.json().path("Configuration").path("Handler").asText()).isEqualTo("app.handler");

    Result listed = aws("list-functions");
    assertThat(listed.exit()).as(listed.err()).isZero();
    assertThat(listed.json().path("Functions").findValuesAsText("FunctionName")).contains("cli-fn");

    Path v2 = zip("v2.zip", "v2");
    Result updated = aws("update-function-code", "--function-name", "cli-fn", "--zip-file", "fileb://" + v2);
    assertThat(updated.exit()).as(updated.err()).isZero();
    assertThat(updated.json().path("CodeSha256").asText()).isEqualTo(sha256Base64(v2));
    Result afterUpdate = aws("invoke", "--function-name", "cli-fn", "v2.json");
    assertThat(afterUpdate.exit()).as(afterUpdate.err()).isZero();
    assertThat(Files.readString(work.resolve("v2.json"))).contains("\"v2\"");

    Result reconfigured = aws("update-function-configuration", "--function-name", "cli-fn", "--timeout", "20", "--memory-size", "256");
    assertThat(reconfigured.exit()).as(reconfigured.err()).isZero();
    assertThat(reconfigured.json().path("Timeout").asInt()).isEqualTo(20);
    assertThat(aws("get-function-configuration", "--function-name", "cli-fn").json().path("MemorySize").asInt()).isEqualTo(256);

    // the same function, seen by Pilotlight's own CLI
    DaemonFixture.CliResult status = d.cli("status", "cli-fn", "--json");
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("\"memoryMb\" : 256").contains("\"revision\" : 3");

    Result missing = aws("invoke", "--function-name", "no-such-fn", "missing.json");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("ResourceNotFoundException").contains("Function not found");

    Result deleted = aws("delete-function", "--function-name", "cli-fn");
    assertThat(deleted.exit()).as(deleted.err()).isZero();
    Result gone = aws("get-function", "--function-name", "cli-fn");
    assertThat(gone.exit()).isNotZero();
    assertThat(gone.err()).contains("ResourceNotFoundException");
  }
}
