package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

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
        env: Object.fromEntries(['AWS_EXECUTION_ENV', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'NODE_PATH', 'LAMBDA_TASK_ROOT',
          'LAMBDA_RUNTIME_DIR', '_X_AMZN_TRACE_ID', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_REGION']
          .map((k) => [k, process.env[k]])),
        awslambda: typeof awslambda === 'object' && typeof awslambda.streamifyResponse === 'function'
          && typeof awslambda.HttpResponseStream.from === 'function',
        memoryLimitInMB: context.memoryLimitInMB,
        remaining: context.getRemainingTimeInMillis(),
        version: context.functionVersion,
      });
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
  static void start(@TempDir Path data, @TempDir Path caller, @TempDir Path callee, @TempDir Path streamer) throws Exception {
    Path sdk = jsSdk();
    Files.writeString(caller.resolve("index.js"), CALLER);
    ResponseStreamingIT.run(List.of("cp", "-r", sdk.resolve("node_modules").toString(), caller.toString()), Path.of("."));
    Files.writeString(callee.resolve("index.js"), CALLEE);
    d = new DaemonFixture(data);
    d.deploy(callee.toString(), "--name", "callee", "--runtime", "nodejs22.x", "--handler", "index.handler");
    Files.writeString(streamer.resolve("index.js"), STREAMER);
    d.deploy(streamer.toString(), "--name", "streamer", "--runtime", "nodejs22.x", "--handler", "index.handler");
    d.deploy(caller.toString(), "--name", "caller", "--runtime", "nodejs20.x", "--handler", "index.handler", "--timeout", "30s");
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  /** The SDK from npm, installed once into a cache ({@code pilotlight.it.cache} moves it). */
  static Path jsSdk() throws Exception {
    Path cache = Path.of(System.getProperty("pilotlight.it.cache", System.getProperty("user.home") + "/.cache/pilotlight-it"))
        .resolve("client-lambda-" + SDK.substring(SDK.lastIndexOf('@') + 1));
    if (!Files.exists(cache.resolve("node_modules/@aws-sdk/client-lambda/package.json"))) {
      Files.createDirectories(cache);
      ResponseStreamingIT.run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", cache.toString(), SDK), cache);
    }
    return cache;
  }

  static JsonNode invoke(String path, String event) throws Exception {
    HttpResponse<String> r = d.post(path, event);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DaemonFixture.JSON.readTree(r.body());
  }

  @Test
  void aFunctionCallsAnotherThroughTheAwsSdkWithNoEndpointOrKeyInItsCode() throws Exception {
    JsonNode r = invoke("/api/v1/functions/caller/invoke", "{}");
    assertThat(r.path("status").asInt()).isEqualTo(200);
    assertThat(r.path("answer").path("event").path("from").asText()).isEqualTo("caller");
    assertThat(r.path("answer").path("arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:callee");
    // the function's own key invokes, and nothing more
    assertThat(r.path("deleteError").asText()).isEqualTo("AccessDeniedException");
    assertThat(d.get("/api/v1/functions/callee").statusCode()).isEqualTo(200);

    // one key per function, named after it, listed with the others; revoked with the function
    String keys = d.get("/api/v1/keys").body();
    assertThat(keys).contains("function caller: its instances' own key").contains("\"role\":\"invoke\"");
    assertThat(d.send(d.authorized(java.net.http.HttpRequest.newBuilder(java.net.URI.create(d.url() + "/api/v1/functions/caller"))
        .DELETE().build())).statusCode()).isEqualTo(204);
    assertThat(d.get("/api/v1/keys").body()).doesNotContain("function caller: its instances' own key");
  }

  @Test
  void theEnvironmentAndContextAreAwsDocumentsThem() throws Exception {
    JsonNode r = invoke("/api/v1/functions/callee/invoke", "{\"a\":1}");
    JsonNode env = r.path("env");
    assertThat(env.path("AWS_EXECUTION_ENV").asText()).isEqualTo("AWS_Lambda_nodejs22.x"); // the identifier it was deployed with
    assertThat(env.path("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isIn("on-demand", "provisioned-concurrency");
    String taskRoot = env.path("LAMBDA_TASK_ROOT").asText();
    assertThat(env.path("NODE_PATH").asText()).contains(taskRoot + "/node_modules").contains(env.path("LAMBDA_RUNTIME_DIR").asText());
    assertThat(env.path("_X_AMZN_TRACE_ID").asText()).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
    assertThat(env.path("AWS_ENDPOINT_URL").asText()).isEqualTo(d.url());
    assertThat(env.path("AWS_ENDPOINT_URL_LAMBDA").asText()).isEqualTo(d.url());
    assertThat(r.path("awslambda").asBoolean()).as("the awslambda global").isTrue();
    assertThat(r.path("memoryLimitInMB").asText()).isEqualTo("256"); // a string on AWS's Node.js runtime too
    assertThat(r.path("remaining").asLong()).isBetween(1L, 30_000L); // the default timeout, 30 s
    assertThat(r.path("version").asText()).isEqualTo("$LATEST");
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
