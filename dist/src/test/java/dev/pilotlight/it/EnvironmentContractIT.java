package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a function finds inside its instance, as AWS documents it: the reserved environment
 * variables, the X-Ray trace header, qualified ARNs, Node's {@code awslambda} global, and its own
 * credentials with the daemon as {@code AWS_ENDPOINT_URL} — so a function that calls another
 * through AWS's JS SDK v3 (installed from npm, unchanged) reaches Pilotlight with no endpoint and no
 * key in its code, and its key can invoke but not manage functions.
 */
class EnvironmentContractIT {
  /** AWS's Lambda client for JavaScript, v3: the SDK AWS's Node.js samples use. */
  static final String SDK = "@aws-sdk/client-lambda@3.1178.0";

  static DaemonFixture d;

  static final String CALLER = """
      const { LambdaClient, InvokeCommand, DeleteFunctionCommand } = require('@aws-sdk/client-lambda');
      const client = new LambdaClient({});
      exports.handler = async (event, context) => {
        const r = await client.send(new InvokeCommand({ FunctionName: 'callee', Qualifier: event.qualifier,
          Payload: Buffer.from(JSON.stringify({ from: context.functionName })) }));
        let deleteError = 'none';
        try {
          await client.send(new DeleteFunctionCommand({ FunctionName: 'callee' }));
        } catch (e) {
          deleteError = e.name;
        }
        return { status: r.StatusCode, answer: JSON.parse(Buffer.from(r.Payload).toString()), deleteError };
      };
      """;

  static final String CALLEE = """
      exports.handler = async (event, context) => ({
        event,
        arn: context.invokedFunctionArn,
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AWS_|LAMBDA_|_)/.test(k)
          || ['TZ', 'LANG', 'PATH', 'LD_LIBRARY_PATH', 'NODE_PATH'].includes(k))),
        awslambda: typeof awslambda === 'object' && typeof awslambda.streamifyResponse === 'function'
          && typeof awslambda.HttpResponseStream.from === 'function',
        memoryLimitInMB: context.memoryLimitInMB,
        remaining: context.getRemainingTimeInMillis(),
        version: context.functionVersion,
        context: { awsRequestId: context.awsRequestId, functionName: context.functionName, logGroupName: context.logGroupName,
          logStreamName: context.logStreamName, callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
          identity: context.identity === undefined ? 'undefined' : context.identity,
          clientContext: context.clientContext === undefined ? 'undefined' : context.clientContext },
      });
      """;

  /** A python function reporting its environment and context (the fields of AWS's Python LambdaContext). */
  static final String PY_CONTRACT = """
      import os

      def handler(event, context):
          env = {k: v for k, v in os.environ.items()
                 if k.startswith(("AWS_", "LAMBDA_", "_")) or k in ("TZ", "LANG", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH")}
          identity = context.identity
          return {"env": env, "context": {
              "aws_request_id": context.aws_request_id, "function_name": context.function_name,
              "function_version": context.function_version, "memory_limit_in_mb": context.memory_limit_in_mb,
              "memory_type": type(context.memory_limit_in_mb).__name__, "invoked_function_arn": context.invoked_function_arn,
              "log_group_name": context.log_group_name, "log_stream_name": context.log_stream_name,
              "remaining": context.get_remaining_time_in_millis(),
              "identity": [identity.cognito_identity_id, identity.cognito_identity_pool_id],
              "client_context": context.client_context}}
      """;

  /**
   * A python function calling another through boto3 with no endpoint or key in its code. boto3
   * reads {@code AWS_ENDPOINT_URL} from botocore 1.31.57 on (Lambda's Python runtimes ship newer);
   * with an older botocore it reports its version and calls nothing (it would go to AWS).
   */
  static final String PY_CALLER = """
      import json
      import botocore
      import boto3

      VERSION = tuple(int(p) for p in botocore.__version__.split(".")[:3])
      client = boto3.client("lambda") if VERSION >= (1, 31, 57) else None

      def handler(event, context):
          if client is None:
              return {"botocore": botocore.__version__}
          r = client.invoke(FunctionName="callee", Payload=json.dumps({"from": context.function_name}))
          return {"botocore": botocore.__version__, "status": r["StatusCode"], "answer": json.loads(r["Payload"].read())}
      """;

  static final String STREAMER = """
      exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
        for (const part of ['one ', 'two ', 'three']) {
          responseStream.write(part);
          await new Promise((r) => setTimeout(r, 20));
        }
        if (event.fail) {
          throw new Error('failed mid-stream');
        }
        responseStream.end();
      });
      """;

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path caller, @TempDir Path callee, @TempDir Path streamer, @TempDir Path python)
      throws Exception {
    Path sdk = jsSdk();
    Files.writeString(caller.resolve("index.js"), CALLER);
    ResponseStreamingIT.run(List.of("cp", "-r", sdk.resolve("node_modules").toString(), caller.toString()), Path.of("."));
    Files.writeString(callee.resolve("index.js"), CALLEE);
    d = new DaemonFixture(data);
    d.deploy(callee.toString(), "--name", "callee", "--runtime", "nodejs22.x", "--handler", "index.handler");
    Files.writeString(streamer.resolve("index.js"), STREAMER);
    d.deploy(streamer.toString(), "--name", "streamer", "--runtime", "nodejs22.x", "--handler", "index.handler");
    d.deploy(caller.toString(), "--name", "caller", "--runtime", "nodejs20.x", "--handler", "index.handler", "--timeout", "30s");
    Files.writeString(python.resolve("contract.py"), PY_CONTRACT);
    Files.writeString(python.resolve("caller.py"), PY_CALLER);
    d.deploy(python.toString(), "--name", "py-contract", "--runtime", "python3.12", "--handler", "contract.handler");
    d.deploy(python.toString(), "--name", "py-caller", "--runtime", "python3.12", "--handler", "caller.handler", "--timeout", "30s");
    d.deploy(DaemonFixture.testFunctions(), "--name", "java-contract", "--runtime", "java21", "--handler", "fixtures.Contract::handleRequest");
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  /** The SDK from npm, installed once into a cache. */
  static Path jsSdk() throws Exception {
    return NpmPackages.installed("@aws-sdk/client-lambda", SDK.substring(SDK.lastIndexOf('@') + 1), "package.json");
  }

  static JsonNode invoke(String path, String event) throws Exception {
    HttpResponse<String> r = d.post(path, event);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DaemonFixture.JSON.readTree(r.body());
  }

  /** AddPermission on {@code function} (optionally a qualifier) for the role a function's own key acts as. */
  static void grant(String function, String qualifier, String callerFunction) {
    HttpResponse<String> r = d.lambda("POST", "/2015-03-31/functions/" + function + "/policy" + (qualifier == null ? "" : "?Qualifier=" + qualifier),
        "{\"StatementId\":\"" + callerFunction + (qualifier == null ? "" : "-" + qualifier) + "\",\"Action\":\"lambda:InvokeFunction\","
            + "\"Principal\":\"arn:aws:iam::000000000000:role/pilotlight/" + callerFunction + "\"}",
        Map.of("Content-Type", "application/json"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void aFunctionCallsAnotherThroughTheAwsSdkWithNoEndpointOrKeyInItsCode() throws Exception {
    // as on Lambda, where an execution role has no lambda:InvokeFunction until granted: refused first
    HttpResponse<String> refused = d.post("/api/v1/functions/caller/invoke", "{}");
    assertThat(refused.headers().firstValue("X-Pilotlight-Function-Error")).as(refused.body()).hasValue("AccessDeniedException");
    assertThat(refused.body()).contains("is not authorized to perform: lambda:InvokeFunction");
    grant("callee", null, "caller");
    JsonNode r = invoke("/api/v1/functions/caller/invoke", "{}");
    assertThat(r.path("status").asInt()).isEqualTo(200);
    assertThat(r.path("answer").path("event").path("from").asText()).isEqualTo("caller");
    assertThat(r.path("answer").path("arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:callee");
    // the function's own key invokes, and nothing more
    assertThat(r.path("deleteError").asText()).isEqualTo("AccessDeniedException");
    assertThat(d.get("/api/v1/functions/callee").statusCode()).isEqualTo(200);
    // the SDK's Qualifier: the callee's invoked ARN names it, as on Lambda
    long revision = DaemonFixture.JSON.readTree(d.get("/api/v1/functions/callee").body()).path("revision").asLong();
    grant("callee", Long.toString(revision), "caller"); // a statement names the version or alias it opens, as on Lambda
    JsonNode qualified = invoke("/api/v1/functions/caller/invoke", "{\"qualifier\":\"" + revision + "\"}");
    assertThat(qualified.path("status").asInt()).isEqualTo(200);
    assertThat(qualified.path("answer").path("arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:callee:" + revision);

    // one key per function, named after it, listed with the others; revoked with the function
    String keys = d.get("/api/v1/keys").body();
    assertThat(keys).contains("function caller: its instances' own key").contains("\"role\":\"invoke\"");
    assertThat(d.send(d.authorized(java.net.http.HttpRequest.newBuilder(java.net.URI.create(d.url() + "/api/v1/functions/caller"))
        .DELETE().build())).statusCode()).isEqualTo(204);
    assertThat(d.get("/api/v1/keys").body()).doesNotContain("function caller: its instances' own key");
  }

  static final String TRACE = "Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0";

  /** What every Lambda-style function finds in its environment, whatever its runtime. */
  static void assertLambdaEnvironment(JsonNode env, String function, String runtimeId, String handler) {
    assertThat(env.path("AWS_EXECUTION_ENV").asText()).isEqualTo("AWS_Lambda_" + runtimeId); // the identifier it was deployed with
    assertThat(env.path("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isEqualTo("on-demand"); // a call waited for it
    assertThat(env.path("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo(function);
    assertThat(env.path("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo("$LATEST");
    assertThat(env.path("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText()).isEqualTo("256");
    assertThat(env.path("AWS_LAMBDA_LOG_GROUP_NAME").asText()).isEqualTo("/aws/lambda/" + function);
    assertThat(env.path("AWS_LAMBDA_LOG_STREAM_NAME").asText()).matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\]" + function + "-.+");
    assertThat(env.path("AWS_LAMBDA_RUNTIME_API").asText()).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(env.path("AWS_REGION").asText()).isEqualTo("us-east-1");
    assertThat(env.path("AWS_DEFAULT_REGION").asText()).isEqualTo("us-east-1");
    assertThat(env.path("_HANDLER").asText()).isEqualTo(handler);
    String taskRoot = env.path("LAMBDA_TASK_ROOT").asText();
    assertThat(taskRoot).startsWith("/");
    assertThat(env.path("LAMBDA_RUNTIME_DIR").asText()).startsWith("/");
    assertThat(env.path("TZ").asText()).isEqualTo(":UTC");
    assertThat(env.path("LANG").asText()).isNotBlank();
    assertThat(env.path("PATH").asText().split(":")).contains("/usr/bin");
    assertThat(env.path("LD_LIBRARY_PATH").asText()).isEqualTo(taskRoot + "/lib:" + taskRoot + "/opt/lib");
    assertThat(env.path("AWS_XRAY_CONTEXT_MISSING").asText()).isEqualTo("LOG_ERROR");
    // the function's own key and the daemon as the endpoint of AWS's SDKs
    assertThat(env.path("AWS_ACCESS_KEY_ID").asText()).startsWith("PLAK");
    assertThat(env.path("AWS_ACCESS_KEY").asText()).isEqualTo(env.path("AWS_ACCESS_KEY_ID").asText());
    assertThat(env.path("AWS_SECRET_ACCESS_KEY").asText()).isNotBlank();
    assertThat(env.path("AWS_ENDPOINT_URL").asText()).isEqualTo(d.url());
    assertThat(env.path("AWS_ENDPOINT_URL_LAMBDA").asText()).isEqualTo(d.url());
    assertThat(env.has("AWS_SESSION_TOKEN")).as("the key is not temporary").isFalse();
  }

  @Test
  void nodeFindsTheEnvironmentAndContextAsAwsDocumentsThem() throws Exception {
    JsonNode r = invoke("/api/v1/functions/callee/invoke", "{\"a\":1}");
    JsonNode env = r.path("env");
    assertLambdaEnvironment(env, "callee", "nodejs22.x", "index.handler");
    String taskRoot = env.path("LAMBDA_TASK_ROOT").asText();
    assertThat(env.path("NODE_PATH").asText().split(":")).contains(taskRoot + "/node_modules", env.path("LAMBDA_RUNTIME_DIR").asText());
    assertThat(env.path("_X_AMZN_TRACE_ID").asText()).matches(TRACE);
    assertThat(r.path("awslambda").asBoolean()).as("the awslambda global").isTrue();
    assertThat(r.path("memoryLimitInMB").asText()).isEqualTo("256"); // a string on AWS's Node.js runtime too
    assertThat(r.path("memoryLimitInMB").isTextual()).isTrue();
    assertThat(r.path("remaining").asLong()).isBetween(1L, 30_000L); // the default timeout, 30 s
    assertThat(r.path("version").asText()).isEqualTo("$LATEST");
    JsonNode c = r.path("context");
    assertThat(c.path("awsRequestId").asText()).matches("[0-9a-f-]{36}");
    assertThat(c.path("functionName").asText()).isEqualTo("callee");
    assertThat(c.path("logGroupName").asText()).isEqualTo("/aws/lambda/callee");
    assertThat(c.path("logStreamName").asText()).isEqualTo(env.path("AWS_LAMBDA_LOG_STREAM_NAME").asText());
    assertThat(c.path("callbackWaitsForEmptyEventLoop").asBoolean()).isTrue();
    assertThat(c.path("identity").asText()).isEqualTo("undefined");
    assertThat(c.path("clientContext").asText()).isEqualTo("undefined");
  }

  @Test
  void pythonFindsTheEnvironmentAndContextAsAwsDocumentsThem() throws Exception {
    JsonNode r = invoke("/api/v1/functions/py-contract/invoke", "{}");
    JsonNode env = r.path("env");
    assertLambdaEnvironment(env, "py-contract", "python3.12", "contract.handler");
    String taskRoot = env.path("LAMBDA_TASK_ROOT").asText();
    assertThat(env.path("PYTHONPATH").asText().split(":")).contains(taskRoot, env.path("LAMBDA_RUNTIME_DIR").asText());
    assertThat(env.path("_X_AMZN_TRACE_ID").asText()).matches(TRACE);
    JsonNode c = r.path("context");
    assertThat(c.path("aws_request_id").asText()).matches("[0-9a-f-]{36}");
    assertThat(c.path("function_name").asText()).isEqualTo("py-contract");
    assertThat(c.path("function_version").asText()).isEqualTo("$LATEST");
    // a str, as AWS's own Python runtime gives it (awslambdaric reads it from the environment)
    assertThat(c.path("memory_limit_in_mb").asText()).isEqualTo("256");
    assertThat(c.path("memory_type").asText()).isEqualTo("str");
    assertThat(c.path("invoked_function_arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:py-contract");
    assertThat(c.path("log_group_name").asText()).isEqualTo("/aws/lambda/py-contract");
    assertThat(c.path("log_stream_name").asText()).isEqualTo(env.path("AWS_LAMBDA_LOG_STREAM_NAME").asText());
    assertThat(c.path("remaining").asLong()).isBetween(1L, 30_000L);
    assertThat(c.path("identity").toString()).isEqualTo("[null,null]");
    assertThat(c.path("client_context").isNull()).isTrue();
  }

  @Test
  void javaFindsTheEnvironmentAndContextAsAwsDocumentsThem() throws Exception {
    JsonNode r = invoke("/api/v1/functions/java-contract/invoke", "{}");
    JsonNode env = r.path("env");
    assertLambdaEnvironment(env, "java-contract", "java21", "fixtures.Contract::handleRequest");
    // Java reads the trace header from a system property, as with AWS's runtime (its environment cannot change)
    assertThat(r.path("traceProperty").asText()).matches(TRACE);
    JsonNode c = r.path("context");
    assertThat(c.path("awsRequestId").asText()).matches("[0-9a-f-]{36}");
    assertThat(c.path("functionName").asText()).isEqualTo("java-contract");
    assertThat(c.path("functionVersion").asText()).isEqualTo("$LATEST");
    assertThat(c.path("invokedFunctionArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:java-contract");
    assertThat(c.path("memoryLimitInMB").asInt()).isEqualTo(256);
    assertThat(c.path("remainingTimeInMillis").asLong()).isBetween(1L, 30_000L);
    assertThat(c.path("logGroupName").asText()).isEqualTo("/aws/lambda/java-contract");
    assertThat(c.path("logStreamName").asText()).isEqualTo(env.path("AWS_LAMBDA_LOG_STREAM_NAME").asText());
    assertThat(c.path("logger").asBoolean()).isTrue();
    // null when no mobile SDK sent them, as from AWS's runtime
    assertThat(c.path("identity").asText()).isEqualTo("null");
    assertThat(c.path("clientContext").asText()).isEqualTo("null");
  }

  @Test
  void anInstanceStartedAheadOfCallsIsProvisionedConcurrency(@TempDir Path pkg) throws Exception {
    Files.writeString(pkg.resolve("contract.py"), PY_CONTRACT);
    d.deploy(pkg.toString(), "--name", "py-warm", "--runtime", "python3.12", "--handler", "contract.handler", "--min-instances", "1");
    DaemonFixture.eventually(java.time.Duration.ofSeconds(30), "the min instance is up", () -> d.status("py-warm").path("instances").asInt() == 1);
    JsonNode env = invoke("/api/v1/functions/py-warm/invoke", "{}").path("env");
    assertThat(env.path("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isEqualTo("provisioned-concurrency");
  }

  @Test
  void theTraceJoinsTheCallersAndIsNewForEachCall() throws Exception {
    String root = "1-5759e988-bd862e3fe1be46a994272793";
    HttpResponse<String> joined = d.lambda("POST", "/2015-03-31/functions/py-contract/invocations", "{}",
        Map.of("X-Amzn-Trace-Id", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1"));
    assertThat(joined.statusCode()).as(joined.body()).isEqualTo(200);
    String trace = DaemonFixture.JSON.readTree(joined.body()).path("env").path("_X_AMZN_TRACE_ID").asText();
    assertThat(trace).matches(TRACE).startsWith("Root=" + root + ";Parent=").doesNotContain("53995c3f42cd8ad8");
    String first = invoke("/api/v1/functions/py-contract/invoke", "{}").path("env").path("_X_AMZN_TRACE_ID").asText();
    String second = invoke("/api/v1/functions/py-contract/invoke", "{}").path("env").path("_X_AMZN_TRACE_ID").asText();
    assertThat(first).matches(TRACE).doesNotStartWith("Root=" + root);
    assertThat(first.substring(0, 40)).isNotEqualTo(second.substring(0, 40));
  }

  @Test
  void aPythonFunctionCallsAnotherThroughBoto3WithNoEndpointOrKeyInItsCode() throws Exception {
    grant("callee", null, "py-caller");
    JsonNode r = invoke("/api/v1/functions/py-caller/invoke", "{}");
    // Debian's python3-boto3 (1.26) predates AWS_ENDPOINT_URL; Lambda's Python runtimes ship a boto3 that reads it
    assumeTrue(r.has("status"), "botocore " + r.path("botocore").asText() + " does not read AWS_ENDPOINT_URL (1.31.57 and later do)");
    assertThat(r.path("status").asInt()).isEqualTo(200);
    assertThat(r.path("answer").path("event").path("from").asText()).isEqualTo("py-caller");
  }

  @Test
  void theInvokedArnIsQualifiedWhenTheCallNamedARevision() throws Exception {
    long revision = DaemonFixture.JSON.readTree(d.get("/api/v1/functions/callee").body()).path("revision").asLong();
    JsonNode r = invoke("/api/v1/functions/callee@" + revision + "/invoke", "{}");
    assertThat(r.path("arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:callee:" + revision);
  }

  @Test
  void reservedVariablesAreRefusedAtDeployAsLambdaRefusesThem() {
    DaemonFixture.CliResult r = d.cli("deploy", OtherRuntimesIT.functions("python"), "--name", "reserved", "--runtime", "python",
        "--handler", "env.handler", "--env", "AWS_REGION=eu-west-1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.out() + r.err()).contains("AWS_REGION is reserved");
    HttpResponse<String> lambda = d.lambda("PUT", "/2015-03-31/functions/callee/configuration",
        "{\"Environment\":{\"Variables\":{\"AWS_LAMBDA_RUNTIME_API\":\"elsewhere:1\"}}}", Map.of("Content-Type", "application/json"));
    assertThat(lambda.statusCode()).as(lambda.body()).isEqualTo(400);
    assertThat(lambda.body()).contains("AWS_LAMBDA_RUNTIME_API is reserved");
  }

  @Test
  void pilotlightsNodeRuntimeStreamsAHandlerWrappedInStreamifyResponse() {
    // a caller that does not take streams gets the stream collected whole, as Lambda's Invoke does
    HttpResponse<String> ok = d.post("/api/v1/functions/streamer/invoke", "{}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("one two three");
    HttpResponse<String> failed = d.post("/api/v1/functions/streamer/invoke", "{\"fail\":true}");
    // an error after the stream began comes in the trailers, and is the invocation's error
    assertThat(failed.headers().firstValue("X-Pilotlight-Function-Error")).hasValue("Error");
    assertThat(failed.body()).contains("\"errorMessage\":\"failed mid-stream\"");
  }
}
