package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The python, node and provided runtimes on a real daemon: Pilotlight's own bootstraps (and a
 * package's own bootstrap) talking to the Runtime API, through the function URL, the invoke API
 * and the CLI. Needs python3 and node on the PATH.
 */
class OtherRuntimesIT {
  static final Path FUNCTIONS = DaemonFixture.ROOT.resolve("dist/src/test/resources/functions");
  static DaemonFixture d;

  @BeforeAll
  static void start(@TempDir Path data) {
    d = new DaemonFixture(data);
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  static String functions(String dir) {
    return FUNCTIONS.resolve(dir).toString();
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return DaemonFixture.JSON.readTree(r.body());
  }

  HttpResponse<String> invoke(String name, String event) {
    return d.post("/api/v1/functions/" + name + "/invoke", event);
  }

  @Test
  void helloPythonThroughTheFunctionUrlAndTheCli() throws Exception {
    d.deploy(example("hello-python"));
    HttpResponse<String> url = d.get("/fn/hello-python/?name=Ann");
    assertThat(url.statusCode()).as(url.body()).isEqualTo(200);
    assertThat(url.body()).isEqualTo("Hello, Ann");
    assertThat(url.headers().firstValue("content-type")).hasValue("text/plain");

    DaemonFixture.CliResult inv = d.cli("invoke", "hello-python", "--data", "{\"name\":\"Ann\"}");
    assertThat(inv.exit()).as(inv.err()).isZero();
    assertThat(inv.out()).contains("Hello, Ann");
    assertThat(json(invoke("hello-python", "{\"name\":\"Ann\"}")).path("message").asText()).isEqualTo("Hello, Ann");

    JsonNode s = d.status("hello-python");
    assertThat(s.path("runtime").asText()).isEqualTo("python");
    assertThat(s.path("coldStarts").asInt()).isEqualTo(1);
  }

  @Test
  void helloNodeThroughTheFunctionUrlAndTheCli() throws Exception {
    d.deploy(example("hello-node"));
    HttpResponse<String> url = d.get("/fn/hello-node/?name=Ann");
    assertThat(url.statusCode()).as(url.body()).isEqualTo(200);
    assertThat(url.body()).isEqualTo("Hello, Ann");

    DaemonFixture.CliResult inv = d.cli("invoke", "hello-node", "--data", "{\"name\":\"Ann\"}");
    assertThat(inv.exit()).as(inv.err()).isZero();
    assertThat(inv.out()).contains("Hello, Ann");
    assertThat(json(invoke("hello-node", "{\"name\":\"Ann\"}")).path("message").asText()).isEqualTo("Hello, Ann");
    assertThat(d.status("hello-node").path("runtime").asText()).isEqualTo("node");
  }

  @Test
  void pythonExceptionsAreLambdaErrors() throws Exception {
    d.deploy(functions("python"), "--name", "py-fail", "--runtime", "python3.12", "--handler", "errors.fail");
    HttpResponse<String> r = invoke("py-fail", "{}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Pilotlight-Function-Error")).hasValue("ValueError");
    JsonNode error = json(r);
    assertThat(error.path("errorMessage").asText()).isEqualTo("boom from python");
    assertThat(error.path("errorType").asText()).isEqualTo("ValueError");
    assertThat(error.path("stackTrace").get(0).asText()).contains("errors.py").contains("in fail");
    assertThat(d.get("/fn/py-fail/").statusCode()).isEqualTo(502);
    assertThat(d.logs("py-fail")).contains("[ERROR] ValueError: boom from python");
  }

  @Test
  void nodeExceptionsAndCallbackErrorsAreLambdaErrors() throws Exception {
    d.deploy(functions("node"), "--name", "node-fail", "--runtime", "nodejs20.x", "--handler", "errors.fail");
    HttpResponse<String> r = invoke("node-fail", "{}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Pilotlight-Function-Error")).hasValue("TypeError");
    JsonNode error = json(r);
    assertThat(error.path("errorMessage").asText()).isEqualTo("boom from node");
    assertThat(error.path("errorType").asText()).isEqualTo("TypeError");
    assertThat(error.path("trace").toString()).contains("errors.js");

    d.deploy(functions("node"), "--name", "node-cb-fail", "--runtime", "node", "--handler", "callback.failing");
    HttpResponse<String> cb = invoke("node-cb-fail", "{}");
    assertThat(cb.headers().firstValue("X-Pilotlight-Function-Error")).hasValue("Error");
    assertThat(json(cb).path("errorMessage").asText()).isEqualTo("callback error from node");
  }

  @Test
  void initErrorsReachTheCallerAndTheLogs() {
    d.deploy(functions("python"), "--name", "py-init", "--runtime", "python", "--handler", "badinit.handler");
    HttpResponse<String> py = invoke("py-init", "{}");
    assertThat(py.statusCode()).isEqualTo(502);
    assertThat(py.body()).contains("InstanceFailed").contains("init failed on purpose in python").contains("RuntimeError");
    assertThat(d.logs("py-init")).contains("init failed on purpose in python");

    d.deploy(functions("python"), "--name", "py-import", "--runtime", "python", "--handler", "nosuchmodule.handler");
    HttpResponse<String> missing = invoke("py-import", "{}");
    assertThat(missing.statusCode()).isEqualTo(502);
    assertThat(missing.body()).contains("Runtime.ImportModuleError").contains("Unable to import module 'nosuchmodule'");

    d.deploy(functions("node"), "--name", "node-init", "--runtime", "node", "--handler", "badinit.handler");
    HttpResponse<String> node = invoke("node-init", "{}");
    assertThat(node.statusCode()).isEqualTo(502);
    assertThat(node.body()).contains("init failed on purpose in node");
    assertThat(d.logs("node-init")).contains("init failed on purpose in node");
  }

  @Test
  void pythonContextMatchesTheInvocation() throws Exception {
    d.deploy(functions("python"), "--name", "py-ctx", "--runtime", "python", "--handler", "context.handler", "--memory", "192");
    JsonNode c = json(invoke("py-ctx", "{}"));
    assertThat(c.path("function_name").asText()).isEqualTo("py-ctx");
    assertThat(c.path("function_version").asText()).isEqualTo("$LATEST");
    assertThat(c.path("memory_limit_in_mb").asText()).isEqualTo("192");
    assertThat(c.path("invoked_function_arn").asText()).endsWith(":function:py-ctx");
    assertThat(c.path("log_group_name").asText()).isEqualTo("/aws/lambda/py-ctx");
    assertThat(c.path("log_stream_name").asText()).contains("[$LATEST]py-ctx-");
    assertThat(c.path("remaining_ms").asLong()).isPositive().isLessThanOrEqualTo(30_000);
    assertThat(c.path("aws_request_id").asText()).isEqualTo(startLineRequestId("py-ctx"));
  }

  @Test
  void nodeContextMatchesTheInvocation() throws Exception {
    d.deploy(functions("node"), "--name", "node-ctx", "--runtime", "node", "--handler", "context.handler", "--memory", "192");
    JsonNode c = json(invoke("node-ctx", "{}"));
    assertThat(c.path("functionName").asText()).isEqualTo("node-ctx");
    assertThat(c.path("functionVersion").asText()).isEqualTo("$LATEST");
    assertThat(c.path("memoryLimitInMB").asText()).isEqualTo("192");
    assertThat(c.path("invokedFunctionArn").asText()).endsWith(":function:node-ctx");
    assertThat(c.path("logGroupName").asText()).isEqualTo("/aws/lambda/node-ctx");
    assertThat(c.path("logStreamName").asText()).contains("[$LATEST]node-ctx-");
    assertThat(c.path("remainingMs").asLong()).isPositive().isLessThanOrEqualTo(30_000);
    assertThat(c.path("callbackWaitsForEmptyEventLoop").asBoolean()).isTrue();
    assertThat(c.path("awsRequestId").asText()).isEqualTo(startLineRequestId("node-ctx"));
  }

  private static String startLineRequestId(String name) {
    String start = d.logs(name).lines().filter(l -> l.contains("START RequestId:")).findFirst().orElseThrow();
    return start.substring(start.indexOf("START RequestId: ") + "START RequestId: ".length()).split(" ")[0];
  }

  @Test
  void nodeCallbackHandlersWaitForTheEventLoopUnlessTold() throws Exception {
    d.deploy(functions("node"), "--name", "node-cb", "--runtime", "node", "--handler", "callback.waits");
    JsonNode waited = json(invoke("node-cb", "{\"name\":\"Ann\"}"));
    assertThat(waited.path("greeting").asText()).isEqualTo("Hello, Ann");
    assertThat(waited.path("timerRan").asBoolean()).isTrue();

    d.deploy(functions("node"), "--name", "node-cb-now", "--runtime", "node", "--handler", "callback.noWait");
    JsonNode now = json(invoke("node-cb-now", "{\"name\":\"Bo\"}"));
    assertThat(now.path("greeting").asText()).isEqualTo("Hello, Bo");
    assertThat(now.path("timerRan").asBoolean()).isFalse();
  }

  @Test
  void pythonSeesTheEnvironmentAwsSets() throws Exception {
    d.deploy(functions("python"), "--name", "py-env", "--runtime", "python", "--handler", "env.handler", "--env", "GREETING=hi");
    JsonNode e = json(invoke("py-env", "{}"));
    assertThat(e.path("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("py-env");
    assertThat(e.path("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo("$LATEST");
    assertThat(e.path("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText()).isEqualTo("256");
    assertThat(e.path("AWS_REGION").asText()).isEqualTo("us-east-1");
    assertThat(e.path("AWS_DEFAULT_REGION").asText()).isEqualTo("us-east-1");
    assertThat(e.path("_HANDLER").asText()).isEqualTo("env.handler");
    assertThat(e.path("TZ").asText()).isEqualTo(":UTC");
    assertThat(e.path("AWS_LAMBDA_RUNTIME_API").asText()).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(e.path("AWS_LAMBDA_LOG_GROUP_NAME").asText()).isEqualTo("/aws/lambda/py-env");
    assertThat(e.path("_X_AMZN_TRACE_ID").asText()).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
    assertThat(e.path("GREETING").asText()).isEqualTo("hi");
    assertThat(e.path("AWS_EXECUTION_ENV").asText()).matches("AWS_Lambda_python3(\\.\\d+)?");
    assertThat(e.path("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isEqualTo("on-demand");
    assertThat(e.path("PYTHONPATH").asText()).startsWith(e.path("LAMBDA_RUNTIME_DIR").asText()).endsWith(e.path("LAMBDA_TASK_ROOT").asText());
    assertThat(e.path("AWS_ENDPOINT_URL").asText()).isEqualTo(d.url());
    assertThat(e.path("AWS_ACCESS_KEY_ID").asText()).startsWith("PLAK");
    assertThat(e.path("AWS_SECRET_ACCESS_KEY").asText()).isNotBlank();
    // a string, as AWS's own Python runtime interface client gives it (read from the environment)
    assertThat(e.path("memory_limit_in_mb").asText()).isEqualTo("256");
    assertThat(e.path("invoked_function_arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:py-env");
    Path taskRoot = Path.of(e.path("LAMBDA_TASK_ROOT").asText());
    assertThat(taskRoot).isEqualTo(Path.of(e.path("cwd").asText()));
    if (d.get("/healthz").body().contains("isolation: bubblewrap")) {
      assertThat(taskRoot).as("in a sandbox, the code is where Lambda has it").isEqualTo(Path.of("/var/task"));
    } else {
      assertThat(taskRoot).startsWith(d.dataDir);
      assertThat(taskRoot.resolve("env.py")).exists();
    }
    Path runtimeDir = Path.of(e.path("LAMBDA_RUNTIME_DIR").asText());
    assertThat(runtimeDir).endsWith(Path.of("runtimes/python"));
    assertThat(runtimeDir.resolve("bootstrap.py")).exists();
  }

  @Test
  void providedRunsThePackagesOwnBootstrap() throws Exception {
    d.deploy(functions("provided"), "--name", "custom", "--runtime", "provided.al2023", "--handler", "function.handler");
    JsonNode echo = json(invoke("custom", "{\"x\":1}"));
    assertThat(echo.path("handler").asText()).isEqualTo("function.handler");
    assertThat(echo.path("event").path("x").asInt()).isEqualTo(1);
    assertThat(echo.path("requestId").asText()).isEqualTo(startLineRequestId("custom"));

    HttpResponse<String> url = d.get("/fn/custom/hi?a=b");
    assertThat(url.statusCode()).isEqualTo(200);
    assertThat(json(url).path("event").path("rawPath").asText()).isEqualTo("/hi");

    HttpResponse<String> failed = invoke("custom", "{\"fail\":true}");
    assertThat(failed.statusCode()).isEqualTo(200);
    assertThat(failed.headers().firstValue("X-Pilotlight-Function-Error")).hasValue("CustomError");
    assertThat(json(failed).path("errorMessage").asText()).isEqualTo("failing as asked");
    assertThat(d.status("custom").path("runtime").asText()).isEqualTo("provided");
  }

  @Test
  void providedWithoutABootstrapIsRefusedAtDeploy() {
    DaemonFixture.CliResult r = d.cli("deploy", functions("provided-without-bootstrap"), "--name", "no-bootstrap",
        "--runtime", "provided");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("runtime provided: the package has no bootstrap file at its root");
    assertThat(d.get("/api/v1/functions/no-bootstrap").statusCode()).isEqualTo(404);
    assertThat(Files.exists(FUNCTIONS.resolve("provided-without-bootstrap/bootstrap"))).isFalse();
  }

  @Test
  void concurrencyAboveOneServesParallelRequestsOnOneInstance() {
    for (String[] fn : List.of(new String[] {"py-par", "python", "slow.handler", "python"},
        new String[] {"node-par", "node", "slow.handler", "node"})) {
      d.deploy(functions(fn[3]), "--name", fn[0], "--runtime", fn[1], "--handler", fn[2], "--concurrency", "4",
          "--max-instances", "1");
      invoke(fn[0], "{\"ms\":1}"); // cold start first, so the parallel calls meet a ready instance
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        calls.add(d.http.sendAsync(d.authorized(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/" + fn[0] + "/invoke"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":400}")).build()), HttpResponse.BodyHandlers.ofString()));
      }
      for (var c : calls) {
        HttpResponse<String> r = c.join();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"slept\"");
      }
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(elapsedMs).as("%s: four 400 ms calls at once on one instance", fn[0]).isLessThan(1_200);
      assertThat(d.status(fn[0]).path("instances").asInt()).isEqualTo(1);
    }
  }
}
