package dev.pilotlight.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.auth.Role;
import dev.pilotlight.model.auth.UrlAuth;
import dev.pilotlight.testing.ManualClock;
import dev.pilotlight.testing.MemoryCredentialStore;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatekeeperTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-12-03T10:00:00Z"));
  final Credentials credentials = new Credentials(new MemoryCredentialStore(), clock);
  final Map<String, UrlAuth> urlAuth = Map.of("open", UrlAuth.NONE, "private", UrlAuth.TOKEN, "iam", UrlAuth.AWS_IAM);
  final Gatekeeper gate = gatekeeper(true);
  FullHttpRequest req;

  Gatekeeper gatekeeper(boolean authRequired) {
    return new Gatekeeper(credentials, new SigV4Verifier(credentials::key, clock, Duration.ofMinutes(15)),
        new BrowserGuard(Set.of(), Set.of()), authRequired, name -> Optional.ofNullable(urlAuth.get(name)));
  }

  FullHttpRequest request(HttpMethod method, String uri, String... headers) {
    req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    req.headers().set("Host", "127.0.0.1:8080");
    for (int i = 0; i < headers.length; i += 2) {
      req.headers().set(headers[i], headers[i + 1]);
    }
    return req;
  }

  @AfterEach
  void release() {
    if (req != null && req.refCnt() > 0) {
      req.release();
    }
  }

  static int status(Optional<FullHttpResponse> refusal) {
    return refusal.map(r -> r.status().code()).orElse(0);
  }

  static String body(Optional<FullHttpResponse> refusal) {
    return refusal.map(r -> r.content().toString(StandardCharsets.UTF_8)).orElse("");
  }

  @Test
  void theNativeApiNeedsAValidTokenWithTheRole() {
    String deploy = credentials.issueToken(Role.DEPLOY, "").token();
    String invoke = credentials.issueToken(Role.INVOKE, "").token();
    Optional<FullHttpResponse> none = gate.controlApi(request(HttpMethod.GET, "/api/v1/functions"), "/functions");
    assertThat(status(none)).isEqualTo(401);
    assertThat(none.get().headers().get("WWW-Authenticate")).startsWith("Bearer");
    assertThat(status(gate.controlApi(request(HttpMethod.GET, "/api/v1/functions", "Authorization", "Bearer plt_garbage"), "/functions")))
        .isEqualTo(401);
    assertThat(gate.controlApi(request(HttpMethod.GET, "/api/v1/functions", "Authorization", "Bearer " + deploy), "/functions")).isEmpty();
    assertThat(gate.controlApi(request(HttpMethod.GET, "/api/v1/functions", "Authorization", "bearer " + deploy), "/functions")).isEmpty();
    assertThat(status(gate.controlApi(request(HttpMethod.GET, "/api/v1/functions", "Authorization", "Bearer " + invoke), "/functions")))
        .isEqualTo(403);
    assertThat(gate.controlApi(request(HttpMethod.POST, "/api/v1/functions/f/invoke", "Authorization", "Bearer " + invoke),
        "/functions/f/invoke")).isEmpty();
    assertThat(status(gate.controlApi(request(HttpMethod.POST, "/api/v1/tokens", "Authorization", "Bearer " + deploy), "/tokens")))
        .isEqualTo(403);
    assertThat(status(gate.metrics(request(HttpMethod.GET, "/metrics")))).isEqualTo(401);
    assertThat(gate.metrics(request(HttpMethod.GET, "/metrics", "Authorization", "Bearer " + deploy))).isEmpty();
  }

  @Test
  void aCrossSiteOrForeignHostRequestIsRefusedEvenWithAToken() {
    String admin = credentials.issueToken(Role.ADMIN, "").token();
    FullHttpRequest crossSite = request(HttpMethod.POST, "/api/v1/functions/x", "Authorization", "Bearer " + admin,
        "Origin", "https://evil.example", "Content-Type", "text/plain");
    assertThat(status(gate.controlApi(crossSite, "/functions/x"))).isEqualTo(403);
    req.release();
    FullHttpRequest rebound = request(HttpMethod.GET, "/api/v1/functions", "Authorization", "Bearer " + admin);
    rebound.headers().set("Host", "rebind.attacker.example:8080");
    assertThat(status(gate.controlApi(rebound, "/functions"))).isEqualTo(403);
    req.release();
    Optional<FullHttpResponse> lambda = gate.lambdaApi(request(HttpMethod.GET, "/2015-03-31/functions/", "Origin", "https://evil.example"),
        "/functions/");
    assertThat(status(lambda)).isEqualTo(403);
    assertThat(lambda.get().headers().get("x-amzn-ErrorType")).isEqualTo("AccessDeniedException");
  }

  @Test
  void theLambdaApiNeedsASignature() {
    Optional<FullHttpResponse> unsigned = gate.lambdaApi(request(HttpMethod.GET, "/2015-03-31/functions/"), "/functions/");
    assertThat(status(unsigned)).isEqualTo(403);
    assertThat(unsigned.get().headers().get("x-amzn-ErrorType")).isEqualTo("MissingAuthenticationTokenException");
    req.release();
    Optional<FullHttpResponse> garbage = gate.lambdaApi(request(HttpMethod.GET, "/2015-03-31/functions/", "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64),
        "X-Amz-Date", "20261203T100000Z"), "/functions/");
    assertThat(status(garbage)).isEqualTo(403);
    assertThat(garbage.get().headers().get("x-amzn-ErrorType")).isEqualTo("UnrecognizedClientException");
  }

  @Test
  void functionUrlsFollowTheFunctionsAuthSetting() {
    String invoke = credentials.issueToken(Role.INVOKE, "").token();
    assertThat(gate.functionUrl(request(HttpMethod.GET, "/fn/open/"), "open")).isEmpty();
    assertThat(gate.functionUrl(request(HttpMethod.GET, "/fn/missing/"), "missing")).as("404 comes from the invoker").isEmpty();
    assertThat(status(gate.functionUrl(request(HttpMethod.GET, "/fn/private/"), "private"))).isEqualTo(401);
    assertThat(gate.functionUrl(request(HttpMethod.GET, "/fn/private/", "Authorization", "Bearer " + invoke), "private")).isEmpty();
    Optional<FullHttpResponse> iam = gate.functionUrl(request(HttpMethod.GET, "/fn/iam/", "Authorization", "Bearer " + invoke), "iam");
    assertThat(status(iam)).isEqualTo(403);
    assertThat(body(iam)).contains("Signature");
  }

  /** A head as it arrives before its body: not a {@link FullHttpRequest}. */
  static io.netty.handler.codec.http.HttpRequest head(HttpMethod method, String uri, String... headers) {
    var head = new io.netty.handler.codec.http.DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    head.headers().set("Host", "127.0.0.1:8080").set("Content-Length", "10485760");
    for (int i = 0; i < headers.length; i += 2) {
      head.headers().set(headers[i], headers[i + 1]);
    }
    return head;
  }

  @Test
  void aHeadIsRefusedBeforeItsBodyIsReadWhenItsCredentialsCannotPass() {
    String deploy = credentials.issueToken(Role.DEPLOY, "").token();
    String invokeToken = credentials.issueToken(Role.INVOKE, "").token();
    assertThat(status(gate.controlApiHead(head(HttpMethod.PUT, "/api/v1/functions/x"), "/functions/x"))).isEqualTo(401);
    assertThat(status(gate.controlApiHead(head(HttpMethod.PUT, "/api/v1/functions/x", "Authorization", "Bearer " + invokeToken),
        "/functions/x"))).isEqualTo(403);
    assertThat(gate.controlApiHead(head(HttpMethod.PUT, "/api/v1/functions/x", "Authorization", "Bearer " + deploy), "/functions/x"))
        .isEmpty();

    Optional<FullHttpResponse> unsigned = gate.lambdaApiHead(head(HttpMethod.POST, "/2015-03-31/functions"), "/functions");
    assertThat(status(unsigned)).isEqualTo(403);
    assertThat(unsigned.get().headers().get("x-amzn-ErrorType")).isEqualTo("MissingAuthenticationTokenException");
    String signedBy = "AWS4-HMAC-SHA256 Credential=%s/20261203/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature="
        + "0".repeat(64);
    Optional<FullHttpResponse> unknownKey = gate.lambdaApiHead(head(HttpMethod.POST, "/2015-03-31/functions", "Authorization",
        signedBy.formatted("AKIDEXAMPLE"), "X-Amz-Date", "20261203T100000Z"), "/functions");
    assertThat(unknownKey.get().headers().get("x-amzn-ErrorType")).isEqualTo("UnrecognizedClientException");
    var invokeKey = credentials.issueKey(Role.INVOKE, "");
    Optional<FullHttpResponse> wrongRole = gate.lambdaApiHead(head(HttpMethod.POST, "/2015-03-31/functions", "Authorization",
        signedBy.formatted(invokeKey.id()), "X-Amz-Date", "20261203T100000Z"), "/functions");
    assertThat(wrongRole.get().headers().get("x-amzn-ErrorType")).isEqualTo("AccessDeniedException");
    // a known key with the role passes the head: its signature, which covers the body, is checked once the body is here
    assertThat(gate.lambdaApiHead(head(HttpMethod.POST, "/2015-03-31/functions/x/invocations", "Authorization",
        signedBy.formatted(invokeKey.id()), "X-Amz-Date", "20261203T100000Z"), "/functions/x/invocations")).isEmpty();

    assertThat(gate.functionUrlHead(head(HttpMethod.POST, "/fn/open/"), "open")).isEmpty();
    assertThat(status(gate.functionUrlHead(head(HttpMethod.POST, "/fn/private/"), "private"))).isEqualTo(401);
    assertThat(gate.functionUrlHead(head(HttpMethod.POST, "/fn/private/", "Authorization", "Bearer " + invokeToken), "private")).isEmpty();
    assertThat(status(gate.functionUrlHead(head(HttpMethod.POST, "/fn/iam/"), "iam"))).isEqualTo(403);
    assertThat(gate.functionUrlHead(head(HttpMethod.POST, "/fn/iam/", "Authorization", signedBy.formatted(invokeKey.id()),
        "X-Amz-Date", "20261203T100000Z"), "iam")).isEmpty();
  }

  @Test
  void withAuthTurnedOffOnlyTheBrowserGuardRemains() {
    Gatekeeper open = gatekeeper(false);
    assertThat(open.controlApi(request(HttpMethod.PUT, "/api/v1/functions/x"), "/functions/x")).isEmpty();
    assertThat(open.lambdaApi(request(HttpMethod.GET, "/2015-03-31/functions/"), "/functions/")).isEmpty();
    assertThat(open.functionUrl(request(HttpMethod.GET, "/fn/private/"), "private")).isEmpty();
    assertThat(status(open.controlApi(request(HttpMethod.PUT, "/api/v1/functions/x", "Origin", "https://evil.example"), "/functions/x")))
        .isEqualTo(403);
  }
}
