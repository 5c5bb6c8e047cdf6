package dev.pilotlight.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.testing.ManualClock;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Requests signed as AWS's SDKs sign them (their signer, on the URL a client would call) are
 * verified; any change to what was signed, a wrong secret, an unknown key or a stale date is not.
 */
class SigV4VerifierTest {
  static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
  final AccessKey key = new AccessKey("PLAKABCDEFGHIJKLMNOP", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl", Role.DEPLOY, "", NOW);
  final ManualClock clock = new ManualClock(NOW);
  final SigV4Verifier verifier = new SigV4Verifier(id -> id.equals(key.id()) ? Optional.of(key) : Optional.empty(), clock,
      Duration.ofMinutes(15));
  final List<FullHttpRequest> made = new ArrayList<>();

  @AfterEach
  void release() {
    made.forEach(r -> r.release(r.refCnt()));
  }

  /** Signs like a client: the SDK's signer over the full URL, with {@code secret}, at {@code at}, in {@code region}. */
  FullHttpRequest signed(String method, String url, String body, String secret, Instant at, String region, Map<String, String> extra) {
    URI uri = URI.create(url);
    SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
    extra.forEach(b::putHeader);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest s = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(key.id(), secret))
        .request(b.build()).payload(ContentStreamProvider.fromByteArray(bytes))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
    String target = s.encodedPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target,
        Unpooled.copiedBuffer(bytes));
    s.forEachHeader((name, values) -> values.forEach(v -> req.headers().add(name, v)));
    if (!req.headers().contains("Host")) {
      req.headers().set("Host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
    }
    made.add(req);
    return req;
  }

  FullHttpRequest signed(String method, String url, String body) {
    return signed(method, url, body, key.secret(), NOW, "us-east-1", Map.of());
  }

  static String refusal(SigV4Verifier.Result r) {
    return r instanceof SigV4Verifier.Result.Refused f ? f.errorType() : "verified";
  }

  @Test
  void requestsSignedAsTheSdkSignsThemAreVerified() {
    assertThat(verifier.verify(signed("POST", "http://127.0.0.1:8080/2015-03-31/functions/hello/invocations", "{\"a\":1}")))
        .isEqualTo(new SigV4Verifier.Result.Verified(key));
    assertThat(refusal(verifier.verify(signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/?MaxItems=2&Marker=abc%20d", ""))))
        .isEqualTo("verified");
    assertThat(refusal(verifier.verify(signed("GET", "http://localhost:8080/2015-03-31/functions/hello%3A3?Qualifier=%24LATEST", ""))))
        .isEqualTo("verified");
    assertThat(refusal(verifier.verify(signed("POST", "http://127.0.0.1:8080/2015-03-31/functions", "x".repeat(3_000_000)))))
        .isEqualTo("verified");
    assertThat(refusal(verifier.verify(signed("DELETE", "http://127.0.0.1:8080/2015-03-31/functions/hello", "", key.secret(), NOW,
        "eu-west-3", Map.of("X-Amz-Invocation-Type", "Event"))))).as("any region, extra headers").isEqualTo("verified");
  }

  /** What the aws CLI (botocore's SigV4Auth) sent for ListFunctions, signed with this key at NOW. */
  @Test
  void aRequestSignedByBotocoreIsVerified() {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/2015-03-31/functions/");
    made.add(req);
    req.headers().set("Host", "127.0.0.1:18080").set("X-Amz-Date", "20261203T100000Z").set("Accept-Encoding", "identity")
        .set("User-Agent", "aws-cli/2.9.19").set("Authorization", "AWS4-HMAC-SHA256 Credential=PLAKABCDEFGHIJKLMNOP/20261203/us-east-1/"
            + "lambda/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=e1e76fd6c7404176f4778040081ccfaa9a9430d258d0165173b5a043e8a78743");
    assertThat(verifier.verify(req)).isEqualTo(new SigV4Verifier.Result.Verified(key));
  }

  @Test
  void aWrongSecretOrAnUnknownKeyIsRefused() {
    assertThat(refusal(verifier.verify(signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "", "wrong", NOW, "us-east-1",
        Map.of())))).isEqualTo("InvalidSignatureException");
    FullHttpRequest unknown = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    unknown.headers().set("Authorization", unknown.headers().get("Authorization").replace(key.id(), "PLAKZZZZZZZZZZZZZZZZ"));
    assertThat(refusal(verifier.verify(unknown))).isEqualTo("UnrecognizedClientException");
  }

  @Test
  void changingAnythingSignedBreaksTheSignature() {
    FullHttpRequest body = signed("POST", "http://127.0.0.1:8080/2015-03-31/functions/hello/invocations", "{\"amount\":1}");
    body.content().setByte(11, '9');
    assertThat(refusal(verifier.verify(body))).isEqualTo("InvalidSignatureException");

    FullHttpRequest path = signed("POST", "http://127.0.0.1:8080/2015-03-31/functions/hello/invocations", "{}");
    path.setUri("/2015-03-31/functions/other/invocations");
    assertThat(refusal(verifier.verify(path))).isEqualTo("InvalidSignatureException");

    FullHttpRequest header = signed("POST", "http://127.0.0.1:8080/2015-03-31/functions/hello/invocations", "{}", key.secret(), NOW,
        "us-east-1", Map.of("X-Amz-Invocation-Type", "RequestResponse"));
    header.headers().set("X-Amz-Invocation-Type", "Event");
    assertThat(refusal(verifier.verify(header))).isEqualTo("InvalidSignatureException");

    FullHttpRequest host = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    host.headers().set("Host", "127.0.0.1:9090");
    assertThat(refusal(verifier.verify(host))).isEqualTo("InvalidSignatureException");

    FullHttpRequest query = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/?MaxItems=2", "");
    query.setUri("/2015-03-31/functions/?MaxItems=200");
    assertThat(refusal(verifier.verify(query))).isEqualTo("InvalidSignatureException");
  }

  @Test
  void theDateMayBeUpToFifteenMinutesOff() {
    assertThat(refusal(verifier.verify(signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "", key.secret(),
        NOW.minus(Duration.ofMinutes(14)), "us-east-1", Map.of())))).isEqualTo("verified");
    assertThat(refusal(verifier.verify(signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "", key.secret(),
        NOW.plus(Duration.ofMinutes(16)), "us-east-1", Map.of())))).isEqualTo("InvalidSignatureException");
    FullHttpRequest old = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "", key.secret(),
        NOW.minus(Duration.ofMinutes(16)), "us-east-1", Map.of());
    SigV4Verifier.Result r = verifier.verify(old);
    assertThat(r).isInstanceOfSatisfying(SigV4Verifier.Result.Refused.class, f -> assertThat(f.message()).contains("Signature expired"));
  }

  @Test
  void missingOrMalformedSignaturesAreNamedAsAwsNamesThem() {
    FullHttpRequest none = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    none.headers().remove("Authorization");
    assertThat(refusal(verifier.verify(none))).isEqualTo("MissingAuthenticationTokenException");
    FullHttpRequest garbage = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    garbage.headers().set("Authorization", "AWS4-HMAC-SHA256 garbage");
    assertThat(refusal(verifier.verify(garbage))).isEqualTo("IncompleteSignatureException");
    FullHttpRequest basic = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    basic.headers().set("Authorization", "Basic dXNlcjpwYXNz");
    assertThat(refusal(verifier.verify(basic))).isEqualTo("IncompleteSignatureException");
    FullHttpRequest noDate = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    noDate.headers().remove("X-Amz-Date");
    assertThat(refusal(verifier.verify(noDate))).isEqualTo("IncompleteSignatureException");
  }

  @Test
  void aSignatureForAnotherServiceIsRefused() {
    FullHttpRequest s3 = signed("GET", "http://127.0.0.1:8080/2015-03-31/functions/", "");
    s3.headers().set("Authorization", s3.headers().get("Authorization").replace("/lambda/", "/s3/"));
    assertThat(refusal(verifier.verify(s3))).isEqualTo("InvalidSignatureException");
  }

  @Test
  void aBodyThatDoesNotMatchItsDeclaredHashIsRefused() {
    // Signed with the header, as S3-style clients send it; then the body is swapped and the header with it.
    FullHttpRequest r = signed("POST", "http://127.0.0.1:8080/2015-03-31/functions/hello/invocations", "{}", key.secret(), NOW,
        "us-east-1", Map.of("x-amz-content-sha256", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"));
    assertThat(refusal(verifier.verify(r))).as("the real hash of {}").isEqualTo("verified");
    r.headers().set("x-amz-content-sha256", "0".repeat(64));
    assertThat(refusal(verifier.verify(r))).isEqualTo("InvalidSignatureException");
    r.headers().set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    assertThat(refusal(verifier.verify(r))).isEqualTo("InvalidSignatureException");
  }
}
