package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lambda operations deploy tools call, through AWS's CLI v2 against a real daemon with a SigV4
 * key it issued: fields kept at create (Description, Role, Tags, the runtime identifier as written),
 * tags, reserved concurrency, account settings, layers, and an operation Pilotlight does not serve
 * named {@code UnknownOperationException}.
 */
class LambdaOperationsIT {
  static DaemonFixture d;
  static Path work;
  static final Map<String, String> keyEnv = new HashMap<>();

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path dir) {
    work = dir;
    d = new DaemonFixture(data);
    DaemonFixture.CliResult created = d.cli("keys", "create", "--role", "deploy", "--description", "lambda operations test");
    assertThat(created.exit()).as(created.err()).isZero();
    for (String line : created.out().strip().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        keyEnv.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    assertThat(keyEnv).containsOnlyKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  record Result(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return DaemonFixture.JSON.readTree(out);
    }
  }

  static Result aws(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(AwsCliIT.AWS.toString(), "--endpoint-url", d.url(), "--output", "json", "lambda"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.putAll(keyEnv);
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

  static Result ok(String... args) throws Exception {
    Result r = aws(args);
    assertThat(r.exit()).as("aws lambda %s: %s", String.join(" ", args), r.err()).isZero();
    return r;
  }

  /** boto3 (Debian's python3-boto3), as AWS's Python samples call it: GetAccountSettings first, then the rest by their error codes. */
  @Test
  void boto3SeesTheAccountTheTagsAndNamedErrors() throws Exception {
    String script = """
        import json, sys, boto3, botocore.exceptions
        c = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1")
        out = {"account": c.get_account_settings()["AccountLimit"]}
        c.create_function(FunctionName="boto", Runtime="nodejs24.x", Handler="index.handler", Role="arn:aws:iam::1:role/r",
            Code={"ZipFile": open(sys.argv[2], "rb").read()}, Tags={"via": "boto3"}, Description="from boto3")
        f = c.get_function(FunctionName="boto")
        out["runtime"] = f["Configuration"]["Runtime"]
        out["tags"] = f["Tags"]
        out["concurrency"] = c.put_function_concurrency(FunctionName="boto", ReservedConcurrentExecutions=1)["ReservedConcurrentExecutions"]
        for name, call in [("provisioned", lambda: c.get_provisioned_concurrency_config(FunctionName="boto", Qualifier="1")),
                           ("missing", lambda: c.list_tags(Resource="arn:aws:lambda:us-east-1:000000000000:function:nope"))]:
            try:
                call()
                out[name] = "no error"
            except botocore.exceptions.ClientError as e:
                out[name] = e.response["Error"]["Code"]
        c.delete_function(FunctionName="boto")
        print(json.dumps(out))
        """;
    Path py = work.resolve("ops.py");
    Files.writeString(py, script);
    Path zip = work.resolve("boto.zip");
    Files.write(zip, Zips.ofText("index.js", "exports.handler = async () => ({ok: true});\n"));
    ProcessBuilder pb = new ProcessBuilder("python3", py.toString(), d.url(), zip.toString()).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(keyEnv);
    pb.environment().put("AWS_CONFIG_FILE", work.resolve("no-config").toString());
    pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString());
    Path out = work.resolve("boto.out");
    Path err = work.resolve("boto.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    JsonNode r = DaemonFixture.JSON.readTree(Files.readString(out));
    assertThat(r.path("account").path("ConcurrentExecutions").asInt()).isPositive();
    assertThat(r.path("runtime").asText()).isEqualTo("nodejs24.x");
    assertThat(r.path("tags").path("via").asText()).isEqualTo("boto3");
    assertThat(r.path("concurrency").asInt()).isEqualTo(1);
    assertThat(r.path("provisioned").asText()).isEqualTo("UnknownOperationException");
    assertThat(r.path("missing").asText()).isEqualTo("ResourceNotFoundException");
  }

  @Test
  void deployToolOperationsWorkAndUnservedOnesAreNamed() throws Exception {
    Path zip = work.resolve("ops.zip");
    Files.write(zip, Zips.ofText("app.py", "def handler(event, context):\n    return {'ok': True}\n"));
    String role = "arn:aws:iam::123456789012:role/service-role/ops-role";
    JsonNode created = ok("create-function", "--function-name", "ops", "--runtime", "python3.14", "--handler", "app.handler",
        "--role", role, "--description", "the operations test", "--tags", "team=core,stage=test",
        "--zip-file", "fileb://" + zip).json();
    assertThat(created.path("Runtime").asText()).isEqualTo("python3.14");
    assertThat(created.path("Description").asText()).isEqualTo("the operations test");
    assertThat(created.path("Role").asText()).isEqualTo(role);

    JsonNode got = ok("get-function", "--function-name", "ops").json();
    assertThat(got.path("Configuration").path("Runtime").asText()).isEqualTo("python3.14");
    assertThat(got.path("Configuration").path("Description").asText()).isEqualTo("the operations test");
    assertThat(got.path("Tags").path("team").asText()).isEqualTo("core");
    assertThat(ok("list-functions").json().path("Functions").get(0).path("Role").asText()).isEqualTo(role);
    Path response = work.resolve("response.json");
    ok("invoke", "--function-name", "ops", response.toString());
    assertThat(Files.readString(response)).contains("\"ok\": true");
    assertThat(d.get("/healthz").body()).as("what python3.14 actually runs on").contains("runtimes: ").contains("python3.x on /");

    String arn = created.path("FunctionArn").asText();
    ok("tag-resource", "--resource", arn, "--tags", "owner=ops");
    ok("untag-resource", "--resource", arn, "--tag-keys", "stage");
    assertThat(ok("list-tags", "--resource", arn).json().path("Tags").properties().stream().map(Map.Entry::getKey).toList())
        .containsExactlyInAnyOrder("team", "owner");

    assertThat(ok("put-function-concurrency", "--function-name", "ops", "--reserved-concurrent-executions", "2").json()
        .path("ReservedConcurrentExecutions").asInt()).isEqualTo(2);
    assertThat(ok("get-function-concurrency", "--function-name", "ops").json().path("ReservedConcurrentExecutions").asInt()).isEqualTo(2);
    assertThat(ok("get-function", "--function-name", "ops").json().path("Concurrency").path("ReservedConcurrentExecutions").asInt())
        .isEqualTo(2);
    ok("invoke", "--function-name", "ops", response.toString()); // still runs under its reservation
    JsonNode account = ok("get-account-settings").json();
    int total = account.path("AccountLimit").path("ConcurrentExecutions").asInt();
    assertThat(total).isPositive();
    assertThat(account.path("AccountLimit").path("UnreservedConcurrentExecutions").asInt()).isLessThan(total);
    assertThat(account.path("AccountUsage").path("FunctionCount").asInt()).isEqualTo(1);
    assertThat(account.path("AccountUsage").path("TotalCodeSize").asLong()).isEqualTo(Files.size(zip));
    Result tooMuch = aws("put-function-concurrency", "--function-name", "ops", "--reserved-concurrent-executions", Integer.toString(total));
    assertThat(tooMuch.exit()).isNotZero();
    assertThat(tooMuch.err()).contains("InvalidParameterValueException").contains("UnreservedConcurrentExecution below its minimum");
    ok("delete-function-concurrency", "--function-name", "ops");
    assertThat(ok("get-function-concurrency", "--function-name", "ops").json().has("ReservedConcurrentExecutions")).isFalse();

    assertThat(ok("list-layers").json().path("Layers").isEmpty()).isTrue();
    assertThat(ok("list-layer-versions", "--layer-name", "none").json().path("LayerVersions").isEmpty()).isTrue();

    Result noPolicy = aws("get-policy", "--function-name", "ops");
    assertThat(noPolicy.err()).contains("(ResourceNotFoundException)");
    JsonNode added = ok("add-permission", "--function-name", "ops", "--statement-id", "s3-invoke", "--action", "lambda:InvokeFunction",
        "--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::my-bucket", "--source-account", "123456789012").json();
    JsonNode statement = DaemonFixture.JSON.readTree(added.path("Statement").asText());
    assertThat(statement.path("Principal").path("Service").asText()).isEqualTo("s3.amazonaws.com");
    assertThat(statement.path("Condition").path("ArnLike").path("AWS:SourceArn").asText()).isEqualTo("arn:aws:s3:::my-bucket");
    assertThat(aws("add-permission", "--function-name", "ops", "--statement-id", "s3-invoke", "--action", "lambda:InvokeFunction",
        "--principal", "*").err()).contains("(ResourceConflictException)");
    ok("add-permission", "--function-name", "ops", "--statement-id", "url", "--action", "lambda:InvokeFunctionUrl", "--principal", "*",
        "--function-url-auth-type", "NONE");
    JsonNode policy = ok("get-policy", "--function-name", "ops").json();
    JsonNode document = DaemonFixture.JSON.readTree(policy.path("Policy").asText());
    assertThat(document.path("Statement").findValuesAsText("Sid")).containsExactly("s3-invoke", "url");
    assertThat(policy.path("RevisionId").asText()).isNotEmpty();
    ok("remove-permission", "--function-name", "ops", "--statement-id", "s3-invoke");
    assertThat(aws("remove-permission", "--function-name", "ops", "--statement-id", "s3-invoke").err())
        .contains("(ResourceNotFoundException)");
    assertThat(DaemonFixture.JSON.readTree(ok("get-policy", "--function-name", "ops").json().path("Policy").asText())
        .path("Statement").findValuesAsText("Sid")).containsExactly("url");

    Result signing = aws("list-code-signing-configs");
    assertThat(signing.err()).contains("(UnknownOperationException)");
  }
}
