package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.server.DaemonConfig;
import dev.pilotlight.server.Wiring;
import dev.pilotlight.testing.Zips;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door as an attacker and a careless client meet it, on a real daemon at its defaults:
 * every API needs credentials with the right role, signatures are checked, browsers and foreign
 * host names cannot drive the APIs, function URLs follow their {@code auth} setting, idle
 * connections are closed. Each test fails if the attack succeeds.
 */
class SecurityIT {
  static DaemonFixture d;
  static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start(@TempDir Path data) {
    d = new DaemonFixture(data);
    d.deploy(example("hello-python"), "--name", "public-fn", "--env", "SECRET=s3cr3t");
    d.deploy(example("hello-python"), "--name", "token-fn", "--auth", "token");
    d.deploy(example("hello-python"), "--name", "iam-fn", "--auth", "aws_iam");
    d.deploy(example("hello-http"), "--name", "token-app", "--auth", "token");
  }

  @AfterAll
  static void stop() {
    d.close();
  }

  /** Sends exactly this request: no credentials are added. */
  static HttpResponse<String> raw(HttpRequest req) throws Exception {
    return RAW.send(req, HttpResponse.BodyHandlers.ofString());
  }

  static HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create(d.url() + path)).timeout(Duration.ofSeconds(30));
  }

  @Test
  void theAdminTokenIsWrittenOwnerOnlyAndTheCliFindsIt() throws Exception {
    Path token = d.dataDir.resolve("admin.token");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.dataDir.resolve("credentials.db")))).isEqualTo("rw-------");
    DaemonFixture.CliResult ls = d.cli("ls");
    assertThat(ls.exit()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("public-fn");
    DaemonFixture.CliResult without = DaemonFixture.cliAt(d.url(), null, "ls");
    assertThat(without.exit()).isEqualTo(1);
    assertThat(without.err()).contains("no token found");
  }

  @Test
  void nothingButHealthAndPublicUrlsAnswersWithoutCredentials() throws Exception {
    HttpResponse<String> health = raw(to("/healthz").build());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).startsWith("ok\n").contains("auth: on\n").contains("tls: off\n").contains("instance limits: ");
    assertThat(raw(to("/fn/public-fn/?name=Ann").build()).body()).contains("Ann");
    HttpResponse<String> deploy = raw(to("/api/v1/functions/evil").PUT(HttpRequest.BodyPublishers.ofByteArray(
        Zips.ofText("pilotlight.yaml", "runtime: http\ncommand: id\n"))).build());
    assertThat(deploy.statusCode()).isEqualTo(401);
    assertThat(deploy.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"pilotlight\"");
    for (String path : List.of("/api/v1/functions", "/api/v1/functions/public-fn", "/api/v1/functions/public-fn/logs", "/metrics",
        "/api/v1/tokens", "/api/v1/keys", "/api/v1/secrets", "/api/v1/secrets/any", "/api/v1/node", "/api/v1/functions/public-fn/metrics",
        "/api/v1/functions/public-fn/idle-times", "/api/v1/functions/public-fn/usage")) {
      assertThat(raw(to(path).build()).statusCode()).as(path).isEqualTo(401);
    }
    // secrets: nobody sets, lists or removes one without credentials
    assertThat(raw(to("/api/v1/secrets/planted").PUT(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/secrets/planted").DELETE().build()).statusCode()).isEqualTo(401);
    assertThat(d.get("/api/v1/secrets/planted").statusCode()).as("nothing was set").isEqualTo(404);
    assertThat(raw(to("/api/v1/functions").header("Authorization", "Bearer plt_forged").build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/functions/public-fn/invoke").POST(HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode())
        .isEqualTo(401);
    assertThat(d.status("public-fn").path("revision").asInt()).isEqualTo(1);
    assertThat(raw(to("/api/v1/functions/evil").header("Authorization", "Bearer " + d.token()).build()).statusCode())
        .as("nothing was deployed").isEqualTo(404);
    // releases: nobody moves traffic, rolls back or reads revisions without credentials
    assertThat(raw(to("/api/v1/functions/public-fn/traffic").PUT(HttpRequest.BodyPublishers.ofString("{\"traffic\":\"latest=100\"}"))
        .build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/functions/public-fn/rollback").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/functions/public-fn/revisions").build()).statusCode()).isEqualTo(401);
    // schedules: nobody adds or reads one without credentials
    assertThat(raw(to("/api/v1/functions/public-fn/schedules").POST(HttpRequest.BodyPublishers.ofString("{\"expression\":\"rate(1 minute)\"}"))
        .build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/functions/public-fn/schedules").build()).statusCode()).isEqualTo(401);
    // event sources: nobody maps a queue, or reads the mappings (they name brokers), without credentials
    assertThat(raw(to("/api/v1/functions/public-fn/event-sources").POST(HttpRequest.BodyPublishers.ofString(
        "{\"source\":\"rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=q\"}")).build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/functions/public-fn/event-sources").build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/api/v1/functions/public-fn@1/invoke").POST(HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode())
        .isEqualTo(401);
    // a revision of a private function through its URL needs the function's credentials, however the URL spells it
    assertThat(raw(to("/fn/token-fn@1/").build()).statusCode()).isEqualTo(401);
    assertThat(raw(to("/fn/token-fn@latest/").build()).statusCode()).isEqualTo(401);
    for (String odd : List.of("/fn/token-fn:1/", "/fn/token-fn:latest/", "/fn/token-fn:$LATEST/", "/fn/token-fn@1%2F../", "/fn/Token-Fn/")) {
      assertThat(raw(to(odd).build()).statusCode()).as(odd).isEqualTo(404);
    }
    HttpResponse<String> publish = raw(to("/2015-03-31/functions/public-fn/versions").POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(publish.statusCode()).isEqualTo(403);
    HttpResponse<String> alias = raw(to("/2015-03-31/functions/public-fn/aliases").POST(HttpRequest.BodyPublishers.ofString(
        "{\"Name\":\"x\",\"FunctionVersion\":\"1\"}")).build());
    assertThat(alias.statusCode()).isEqualTo(403);
  }

  @Test
  void theLambdaApiRefusesMissingGarbageAndWrongSignatures() throws Exception {
    HttpResponse<String> unsigned = raw(to("/2015-03-31/functions/").build());
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).contains("MissingAuthenticationTokenException");
    // the function URL configuration operations too: nobody makes a private URL public unsigned
    HttpResponse<String> urlConfig = raw(to("/2021-10-31/functions/token-fn/url").PUT(HttpRequest.BodyPublishers.ofString(
        "{\"AuthType\":\"NONE\"}")).build());
    assertThat(urlConfig.statusCode()).isEqualTo(403);
    assertThat(d.status("token-fn").path("auth").asText()).isEqualTo("token");
    // and the event source mapping operations: nobody reads a mapping's broker or wires a queue to a function unsigned
    HttpResponse<String> mappings = raw(to("/2015-03-31/event-source-mappings/").build());
    assertThat(mappings.statusCode()).isEqualTo(403);
    assertThat(mappings.headers().firstValue("x-amzn-ErrorType")).contains("MissingAuthenticationTokenException");
    HttpResponse<String> map = raw(to("/2015-03-31/event-source-mappings/").POST(HttpRequest.BodyPublishers.ofString(
        "{\"FunctionName\":\"public-fn\",\"EventSourceArn\":\"mqtt://127.0.0.1:1883?topic=x\"}")).build());
    assertThat(map.statusCode()).isEqualTo(403);
    // nor points a function's failed events at a queue of their choosing
    HttpResponse<String> destinations = raw(to("/2019-09-25/functions/public-fn/event-invoke-config").PUT(HttpRequest.BodyPublishers.ofString(
        "{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"amqp://evil:5672/%2F?queue=x\"}}}")).build());
    assertThat(destinations.statusCode()).isEqualTo(403);
    assertThat(d.status("public-fn").has("onFailure")).isFalse();
    // nor tags, reserves the node's capacity, adds a policy statement, reads the account, or reaches an unserved operation
    for (var call : List.of(
        to("/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Apublic-fn").POST(HttpRequest.BodyPublishers.ofString(
            "{\"Tags\":{\"a\":\"b\"}}")).build(),
        to("/2017-10-31/functions/public-fn/concurrency").PUT(HttpRequest.BodyPublishers.ofString("{\"ReservedConcurrentExecutions\":1}")).build(),
        to("/2015-03-31/functions/public-fn/policy").POST(HttpRequest.BodyPublishers.ofString(
            "{\"StatementId\":\"x\",\"Action\":\"lambda:InvokeFunction\",\"Principal\":\"*\"}")).build(),
        to("/2016-08-19/account-settings/").build(), to("/2018-10-31/layers").build(), to("/2020-04-22/code-signing-configs/").build())) {
      HttpResponse<String> refused = raw(call);
      assertThat(refused.statusCode()).as(call.uri().toString()).isEqualTo(403);
      assertThat(refused.headers().firstValue("x-amzn-ErrorType")).as(call.uri().toString()).contains("MissingAuthenticationTokenException");
    }
    assertThat(d.status("public-fn").has("tags")).isFalse();
    assertThat(d.status("public-fn").has("reservedConcurrency")).isFalse();
    HttpResponse<String> garbage = raw(to("/2015-03-31/functions/public-fn").header("Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=" + "ab".repeat(32)).header("X-Amz-Date", "20261203T000000Z").build());
    assertThat(garbage.statusCode()).isEqualTo(403);
    assertThat(garbage.body()).doesNotContain("s3cr3t");
    HttpResponse<String> create = raw(TestAuth.signed(new TestAuth.Key(d.adminKey().id(), "not-the-secret"), "POST",
        URI.create(d.url() + "/2015-03-31/functions"), "{\"FunctionName\":\"evil\"}", Map.of()));
    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(create.headers().firstValue("x-amzn-ErrorType")).contains("InvalidSignatureException");
  }

  @Test
  void rolesLimitWhatAKeyOrTokenMayDo() throws Exception {
    TestAuth.Key invoker = TestAuth.issueKey(RAW, d.url(), d.token(), "invoke");
    HttpResponse<String> run = raw(TestAuth.signed(invoker, "POST", URI.create(d.url() + "/2015-03-31/functions/public-fn/invocations"),
        "{\"name\":\"Bo\"}", Map.of()));
    assertThat(run.statusCode()).isEqualTo(200);
    assertThat(run.body()).contains("Bo");
    HttpResponse<String> get = raw(TestAuth.signed(invoker, "GET", URI.create(d.url() + "/2015-03-31/functions/public-fn"), "", Map.of()));
    assertThat(get.statusCode()).isEqualTo(403);
    // an invoke key may not publish versions or point aliases
    HttpResponse<String> publish = raw(TestAuth.signed(invoker, "POST", URI.create(d.url() + "/2015-03-31/functions/public-fn/versions"),
        "{}", Map.of()));
    assertThat(publish.statusCode()).isEqualTo(403);
    assertThat(publish.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
    // nor configure where its asynchronous invocations' records go
    HttpResponse<String> invokeConfig = raw(TestAuth.signed(invoker, "PUT",
        URI.create(d.url() + "/2019-09-25/functions/public-fn/event-invoke-config"), "{\"MaximumRetryAttempts\":0}", Map.of()));
    assertThat(invokeConfig.statusCode()).isEqualTo(403);
    assertThat(invokeConfig.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
    // nor reserve capacity or grant itself a policy statement
    HttpResponse<String> reserve = raw(TestAuth.signed(invoker, "PUT", URI.create(d.url() + "/2017-10-31/functions/public-fn/concurrency"),
        "{\"ReservedConcurrentExecutions\":1}", Map.of()));
    assertThat(reserve.statusCode()).isEqualTo(403);
    assertThat(reserve.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
    HttpResponse<String> grant = raw(TestAuth.signed(invoker, "POST", URI.create(d.url() + "/2015-03-31/functions/public-fn/policy"),
        "{\"StatementId\":\"x\",\"Action\":\"lambda:*\",\"Principal\":\"*\"}", Map.of()));
    assertThat(grant.statusCode()).isEqualTo(403);
    assertThat(get.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
    assertThat(get.body()).doesNotContain("s3cr3t");
    // an invoke key may not list or make event source mappings (the deploy role may)
    HttpResponse<String> listMappings = raw(TestAuth.signed(invoker, "GET", URI.create(d.url() + "/2015-03-31/event-source-mappings/"), "",
        Map.of()));
    assertThat(listMappings.statusCode()).isEqualTo(403);
    assertThat(listMappings.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");

    // an invoke token (every function's code holds an invoke key) may not set, list, read or remove secrets
    String invokeToken = lastLine(d.cli("tokens", "create", "--role", "invoke").out());
    for (HttpRequest.Builder b : List.of(to("/api/v1/secrets"), to("/api/v1/secrets/s"),
        to("/api/v1/secrets/s").PUT(HttpRequest.BodyPublishers.ofString("x")), to("/api/v1/secrets/s").DELETE())) {
      HttpResponse<String> refused = raw(b.header("Authorization", "Bearer " + invokeToken).build());
      assertThat(refused.statusCode()).as(refused.request().method() + " " + refused.request().uri()).isEqualTo(403);
    }
    assertThat(d.get("/api/v1/secrets/s").statusCode()).as("nothing was set").isEqualTo(404);
    // nor read what the console reads, nor change a function's settings
    for (HttpRequest.Builder b : List.of(to("/api/v1/node"), to("/api/v1/functions/public-fn/metrics"), to("/api/v1/functions/public-fn/idle-times"),
        to("/api/v1/functions/public-fn").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"memoryMb\": 1024}")))) {
      HttpResponse<String> refused = raw(b.header("Authorization", "Bearer " + invokeToken).build());
      assertThat(refused.statusCode()).as(refused.request().method() + " " + refused.request().uri()).isEqualTo(403);
    }
    assertThat(raw(to("/api/v1/functions/public-fn").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"memoryMb\": 1024}")).build())
        .statusCode()).isEqualTo(401);
    assertThat(d.status("public-fn").path("memoryMb").asInt()).as("nothing was changed").isNotEqualTo(1024);

    DaemonFixture.CliResult created = d.cli("tokens", "create", "--role", "deploy", "--description", "ci");
    assertThat(created.exit()).as(created.err()).isZero();
    String[] lines = created.out().strip().split("\n");
    String deploy = lines[lines.length - 1];
    assertThat(deploy).startsWith("plt_");
    assertThat(raw(to("/api/v1/functions").header("Authorization", "Bearer " + deploy).build()).statusCode()).isEqualTo(200);
    // the deploy role sets, lists and removes secrets, and is never shown a value
    HttpResponse<String> setSecret = raw(to("/api/v1/secrets/ci-secret").header("Authorization", "Bearer " + deploy)
        .PUT(HttpRequest.BodyPublishers.ofString("ci-value-4711")).build());
    assertThat(setSecret.statusCode()).as(setSecret.body()).isEqualTo(201);
    HttpResponse<String> secrets = raw(to("/api/v1/secrets").header("Authorization", "Bearer " + deploy).build());
    assertThat(secrets.body()).contains("ci-secret").doesNotContain("ci-value-4711");
    assertThat(raw(to("/api/v1/secrets/ci-secret").header("Authorization", "Bearer " + deploy).DELETE().build()).statusCode())
        .isEqualTo(204);
    HttpResponse<String> escalate = raw(to("/api/v1/tokens").header("Authorization", "Bearer " + deploy)
        .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"admin\"}")).build());
    assertThat(escalate.statusCode()).isEqualTo(403);

    JsonNode listed = DaemonFixture.JSON.readTree(d.get("/api/v1/tokens").body());
    String id = null;
    for (JsonNode t : listed.path("tokens")) {
      assertThat(t.toString()).doesNotContain("plt_");
      if (t.path("description").asText().equals("ci")) {
        id = t.path("id").asText();
      }
    }
    assertThat(d.cli("tokens", "revoke", id).exit()).isZero();
    assertThat(raw(to("/api/v1/functions").header("Authorization", "Bearer " + deploy).build()).statusCode()).isEqualTo(401);
  }

  /**
   * The key every function's instances get (AWS_ACCESS_KEY_ID, docs/security.md "A function's own
   * key"): code that reads it from its environment can invoke, and nothing more; it dies with the function.
   */
  @Test
  void aFunctionsOwnKeyInvokesButCannotDeployOrDeleteAndIsRevokedWithTheFunction(@TempDir Path pkg) throws Exception {
    Files.writeString(pkg.resolve("app.py"), """
        import os

        def handler(event, context):
            return {"id": os.environ["AWS_ACCESS_KEY_ID"], "secret": os.environ["AWS_SECRET_ACCESS_KEY"]}
        """);
    d.deploy(pkg.toString(), "--name", "key-holder", "--runtime", "python3.12", "--handler", "app.handler");
    HttpResponse<String> leaked = d.post("/api/v1/functions/key-holder/invoke", "{}");
    assertThat(leaked.statusCode()).as(leaked.body()).isEqualTo(200);
    JsonNode own = DaemonFixture.JSON.readTree(leaked.body());
    TestAuth.Key key = new TestAuth.Key(own.path("id").asText(), own.path("secret").asText());
    URI lambda = URI.create(d.url() + "/2015-03-31/functions");

    // as an execution role on Lambda, it may invoke only what a resource policy allows it
    HttpResponse<String> notGranted = raw(TestAuth.signed(key, "POST", URI.create(lambda + "/public-fn/invocations"), "{\"name\":\"Kay\"}",
        Map.of()));
    assertThat(notGranted.statusCode()).as(notGranted.body()).isEqualTo(403);
    assertThat(notGranted.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
    assertThat(notGranted.body()).contains("arn:aws:iam::000000000000:role/pilotlight/key-holder").contains("lambda:InvokeFunction");
    HttpResponse<String> grant = d.lambda("POST", "/2015-03-31/functions/public-fn/policy", "{\"StatementId\":\"key-holder\","
        + "\"Action\":\"lambda:InvokeFunction\",\"Principal\":\"arn:aws:iam::000000000000:role/pilotlight/key-holder\"}",
        Map.of("Content-Type", "application/json"));
    assertThat(grant.statusCode()).as(grant.body()).isEqualTo(201);
    HttpResponse<String> run = raw(TestAuth.signed(key, "POST", URI.create(lambda + "/public-fn/invocations"), "{\"name\":\"Kay\"}", Map.of()));
    assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
    assertThat(run.body()).contains("Kay");
    // the grant names the function: another stays closed, and so does a version the statement does not name
    HttpResponse<String> other = raw(TestAuth.signed(key, "POST", URI.create(lambda + "/token-fn/invocations"), "{}", Map.of()));
    assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
    HttpResponse<String> version = raw(TestAuth.signed(key, "POST", URI.create(lambda + "/public-fn/invocations?Qualifier=1"), "{}", Map.of()));
    assertThat(version.statusCode()).as(version.body()).isEqualTo(403);

    String zip = java.util.Base64.getEncoder().encodeToString(Zips.ofText("app.py", "def handler(e, c):\n    return 'owned'\n"));
    List<HttpRequest> management = List.of(
        TestAuth.signed(key, "POST", lambda, "{\"FunctionName\":\"planted\",\"Runtime\":\"python3.12\",\"Handler\":\"app.handler\","
            + "\"Role\":\"arn:aws:iam::000000000000:role/x\",\"Code\":{\"ZipFile\":\"" + zip + "\"}}", Map.of()),
        TestAuth.signed(key, "PUT", URI.create(lambda + "/public-fn/code"), "{\"ZipFile\":\"" + zip + "\"}", Map.of()),
        TestAuth.signed(key, "PUT", URI.create(lambda + "/public-fn/configuration"), "{\"Timeout\":1}", Map.of()),
        TestAuth.signed(key, "DELETE", URI.create(lambda + "/public-fn"), "", Map.of()),
        TestAuth.signed(key, "GET", URI.create(lambda + "/key-holder"), "", Map.of())); // not even its own configuration
    for (HttpRequest req : management) {
      HttpResponse<String> refused = raw(req);
      assertThat(refused.statusCode()).as(req.method() + " " + req.uri() + ": " + refused.body()).isEqualTo(403);
      assertThat(refused.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
    }
    assertThat(d.get("/api/v1/functions/planted").statusCode()).isEqualTo(404);
    assertThat(d.post("/api/v1/functions/public-fn/invoke", "{\"name\":\"Ann\"}").body()).doesNotContain("owned").contains("Ann");

    // taking the grant back closes the function again
    assertThat(d.lambda("DELETE", "/2015-03-31/functions/public-fn/policy/key-holder", "", Map.of()).statusCode()).isEqualTo(204);
    assertThat(raw(TestAuth.signed(key, "POST", URI.create(lambda + "/public-fn/invocations"), "{}", Map.of())).statusCode()).isEqualTo(403);
    // deleting the function revokes its key
    assertThat(d.send(d.authorized(to("/api/v1/functions/key-holder").DELETE().build())).statusCode()).isEqualTo(204);
    HttpResponse<String> after = raw(TestAuth.signed(key, "POST", URI.create(lambda + "/public-fn/invocations"), "{}", Map.of()));
    assertThat(after.statusCode()).isEqualTo(403);
    assertThat(after.headers().firstValue("x-amzn-ErrorType")).contains("UnrecognizedClientException");
  }

  @Test
  void aWebPageCannotDriveTheApisThroughABrowser() throws Exception {
    // What a cross-site form or fetch with no preflight sends: text/plain, the page's Origin; even a
    // browser holding a token (it would not) is refused.
    HttpResponse<String> crossSite = raw(to("/api/v1/functions/evil").header("Authorization", "Bearer " + d.token())
        .header("Content-Type", "text/plain").header("Origin", "https://evil.example")
        .PUT(HttpRequest.BodyPublishers.ofString("zip")).build());
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("cross-origin");
    assertThat(rawHttp("GET /api/v1/functions HTTP/1.1\r\nHost: rebind.attacker.example:" + d.daemon.port()
        + "\r\nAuthorization: Bearer " + d.token() + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 403");
    assertThat(rawHttp("GET /api/v1/functions HTTP/1.1\r\nHost: localhost:" + d.daemon.port()
        + "\r\nAuthorization: Bearer " + d.token() + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
  }

  @Test
  void functionUrlsFollowTheirAuthSetting() throws Exception {
    assertThat(raw(to("/fn/token-fn/?name=A").build()).statusCode()).isEqualTo(401);
    TestAuth.Key invoker = TestAuth.issueKey(RAW, d.url(), d.token(), "invoke");
    String invokeToken = lastLine(d.cli("tokens", "create", "--role", "invoke").out());
    assertThat(raw(to("/fn/token-fn/?name=A").header("Authorization", "Bearer " + invokeToken).build()).body()).contains("A");

    assertThat(raw(to("/fn/iam-fn/?name=B").header("Authorization", "Bearer " + invokeToken).build()).statusCode()).isEqualTo(403);
    // an invoke token calls functions; it does not schedule them
    assertThat(raw(to("/api/v1/functions/token-fn/schedules").header("Authorization", "Bearer " + invokeToken)
        .POST(HttpRequest.BodyPublishers.ofString("{\"expression\":\"rate(1 minute)\"}")).build()).statusCode()).isEqualTo(403);
    assertThat(raw(to("/api/v1/functions/token-fn/event-sources").header("Authorization", "Bearer " + invokeToken).build()).statusCode())
        .isEqualTo(403);
    HttpResponse<String> signed = raw(TestAuth.signed(invoker, "GET", URI.create(d.url() + "/fn/iam-fn/?name=B"), "", Map.of()));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    assertThat(signed.body()).contains("B");
    assertThat(d.status("token-fn").path("auth").asText()).isEqualTo("token");
  }

  @Test
  void aStreamedUploadOrAWebSocketToATokenAppNeedsCredentials() throws Exception { // HTTP/1.1 and HTTP/2
    // the body streams past the aggregator: the credentials are checked on the head, before any of it reaches the app
    byte[] body = new byte[1 << 20];
    assertThat(raw(to("/fn/token-app/count").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()).statusCode()).isEqualTo(401);
    assertThat(rawHttp("GET /fn/token-app/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")).startsWith("HTTP/1.1 401");
    // the same over HTTP/2, whose calls to http apps stream too
    Process h2 = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "--http2-prior-knowledge", "--data-binary", "@-",
        "-w", "%{http_version} %{http_code}", d.url() + "/fn/token-app/count").redirectErrorStream(true).start();
    try (var stdin = h2.getOutputStream()) {
      stdin.write(body);
    } catch (IOException refusedMidBody) {
      // the daemon may answer and reset the stream before the whole body is sent
    }
    assertThat(new String(h2.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("2 401");
    assertThat(d.logs("token-app")).doesNotContain("POST /count").doesNotContain("/ws");
    String invokeToken = lastLine(d.cli("tokens", "create", "--role", "invoke").out());
    HttpResponse<String> allowed = raw(to("/fn/token-app/count").header("Authorization", "Bearer " + invokeToken)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.body()).contains(Integer.toString(body.length));
  }

  @Test
  void anEnvironmentOverLambdasFourKilobytesIsRefusedAtDeploy() {
    DaemonFixture.CliResult big = d.cli("deploy", example("hello-python"), "--name", "big-env", "--env", "BLOB=" + "x".repeat(5000));
    assertThat(big.exit()).isEqualTo(1);
    assertThat(big.err()).contains("env: ").contains("4096");
  }

  @Test
  void idleAndSlowHeaderConnectionsAreClosed() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket("127.0.0.1", d.daemon.port());
        s.setSoTimeout(30_000);
        if (i % 2 == 0) {
          s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)); // never finished
        }
        sockets.add(s);
      }
      long start = System.nanoTime();
      for (Socket s : sockets) {
        InputStream in = s.getInputStream();
        try {
          assertThat(in.read()).as("closed by the daemon").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
          throw new AssertionError("a connection was still open 30 s later", e);
        } catch (SocketException reset) {
          // closed, as a reset
        }
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    assertThat(raw(to("/healthz").build()).statusCode()).as("the daemon serves on").isEqualTo(200);
  }

  @Test
  void withAuthTurnedOffExplicitlyNoCredentialsAreAsked(@TempDir Path data) throws Exception {
    DaemonConfig open = DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0)
        .withSecurity(new DaemonConfig.Security(false, Set.of(), Set.of(), null, null));
    try (DaemonFixture o = new DaemonFixture(open)) {
      assertThat(raw(HttpRequest.newBuilder(URI.create(o.url() + "/api/v1/functions")).build()).statusCode()).isEqualTo(200);
      assertThat(raw(HttpRequest.newBuilder(URI.create(o.url() + "/api/v1/functions")).header("Origin", "https://evil.example").build())
          .statusCode()).as("the browser guard stays").isEqualTo(403);
    }
  }

  @Test
  void tlsServesHttpsWithTheGivenCertificate(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl;
    try {
      openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
          cert.toString(), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      assumeTrue(false, "no openssl to make a certificate: " + e.getMessage());
      return;
    }
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0).isTrue();
    DaemonConfig tls = DaemonConfig.defaults(dir.resolve("data"), DaemonFixture.RUNNER).withPort(0)
        .withSecurity(new DaemonConfig.Security(true, Set.of(), Set.of(), cert, key));
    var daemon = Wiring.start(tls);
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(cert)) {
        trust.setCertificateEntry("pilotlight", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
      String token = TestAuth.adminToken(dir.resolve("data"));
      HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.port() + "/api/v1/functions"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.version()).as("ALPN chose HTTP/2").isEqualTo(HttpClient.Version.HTTP_2);
      HttpClient https11 = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> r11 = https11.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.port() + "/api/v1/functions"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(r11.body()).isEqualTo(r.body());
      assertThat(https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.port() + "/api/v1/functions")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).as("no credentials over HTTP/2 either").isEqualTo(401);
      assertThat(rawHttpAt(daemon.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
          .as("plain HTTP on the TLS port is told to use HTTPS, and served nothing").startsWith("HTTP/1.1 400").contains("use https://");
    } finally {
      daemon.close();
    }
  }

  static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  static String rawHttp(String request) throws Exception {
    return rawHttpAt(d.daemon.port(), request);
  }

  static String rawHttpAt(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      try {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (SocketException e) {
        return "";
      }
    }
  }

  /**
   * Daemons sharing a database (docs/cluster.md): a call forwarded between them keeps its caller's
   * credentials, checked where it arrives and where it is served; there is no cluster credential.
   * Only these tests need the machine's PostgreSQL (a schema of their own).
   */
  @Nested
  class ClusterLink {
    @RegisterExtension final SharedDatabase cluster = new SharedDatabase();

    @Test
    void theClusterLinkNeedsTheCallersOwnCredentialsAndAForgedMarkSkipsNoCheck(@TempDir Path a, @TempDir Path b) throws Exception {
      try (DaemonFixture first = new DaemonFixture(cluster.config(a, "node-a")); DaemonFixture second = new DaemonFixture(cluster.config(b, "node-b"))) {
        first.deploy(example("hello-java"));
        for (DaemonFixture n : List.of(first, second)) {
          DaemonFixture.eventually(Duration.ofSeconds(15), "both see both and the function",
              () -> SharedDatabase.liveNodes(n) == 2 && n.get("/api/v1/functions/hello-java").statusCode() == 200);
        }
        TestAuth.Key key = TestAuth.issueKey(first.http, first.url(), TestAuth.adminToken(a), "invoke");
        // a key issued on one daemon is known to the others at their next reload of the credentials (within a second)
        DaemonFixture.eventually(Duration.ofSeconds(5), "the key known to the second daemon", () -> {
          try {
            return second.http.send(TestAuth.signed(key, "POST", URI.create(second.url() + "/2015-03-31/functions/hello-java/invocations"),
                "{}", java.util.Map.of()), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        });
        for (DaemonFixture n : List.of(first, second)) {
          URI invoke = URI.create(n.url() + "/2015-03-31/functions/hello-java/invocations");
          // no credentials: refused where it arrives (403 Missing Authentication Token, as AWS answers), forwarded or not
          HttpResponse<String> bare = n.http.send(HttpRequest.newBuilder(invoke).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(bare.statusCode()).as(bare.body()).isEqualTo(403);
          assertThat(bare.body()).contains("Missing Authentication Token");
          // the forwarding mark, forged: served where it arrives, still checked
          HttpResponse<String> forged = n.http.send(HttpRequest.newBuilder(invoke).header("X-Pilotlight-Forwarded-By", "node-a")
              .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
          // a bad signature: refused before any hop
          TestAuth.Key wrong = new TestAuth.Key(key.id(), "not-the-secret");
          HttpResponse<String> badSig = n.http.send(TestAuth.signed(wrong, "POST", invoke, "{\"name\":\"x\"}", java.util.Map.of()),
              HttpResponse.BodyHandlers.ofString());
          assertThat(badSig.statusCode()).as(badSig.body()).isIn(401, 403);
          // the caller's own signature works through either daemon, forwarded with it
          HttpResponse<String> ok = n.http.send(TestAuth.signed(key, "POST", invoke, "{\"name\":\"Ann\"}", java.util.Map.of()),
              HttpResponse.BodyHandlers.ofString());
          assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
          assertThat(ok.body()).contains("Hello, Ann");
        }
      }
    }
  }
}
