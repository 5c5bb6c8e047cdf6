package dev.pilotlight.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Credentials for tests that talk HTTP to a daemon: its admin token, issued access keys, SigV4-signed requests (AWS's own signer). */
final class TestAuth {
  /** Headers java.net.http sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private TestAuth() {}

  /** An access key id and its secret. */
  record Key(String id, String secret) {}

  /** The admin token the daemon wrote to its data dir. */
  static String adminToken(Path dataDir) {
    try {
      return Files.readString(dataDir.resolve("admin.token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("no admin token in " + dataDir, e);
    }
  }

  /** Issues an access key with {@code role} through the native API. */
  static Key issueKey(HttpClient http, String url, String token, String role) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/keys"))
          .header("Authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.ofString("{\"role\": \"" + role + "\", \"description\": \"test\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        throw new AssertionError("issuing a key: " + r.statusCode() + " " + r.body());
      }
      JsonNode k = DaemonFixture.JSON.readTree(r.body());
      return new Key(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A request signed with SigV4 for service {@code lambda}, as AWS's SDKs sign it. */
  static HttpRequest signed(Key key, String method, URI uri, byte[] body, Map<String, String> headers) {
    SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
    headers.forEach(b::putHeader);
    SignedRequest s = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(key.id(), key.secret()))
        .request(b.build()).payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
    HttpRequest.Builder out = HttpRequest.newBuilder(uri).method(method,
        body.length == 0 && !method.equals("POST") && !method.equals("PUT") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, List<String>> h : s.request().headers().entrySet()) {
      if (!RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        h.getValue().forEach(v -> out.header(h.getKey(), v));
      }
    }
    return out.build();
  }

  static HttpRequest signed(Key key, String method, URI uri, String body, Map<String, String> headers) {
    return signed(key, method, uri, body.getBytes(StandardCharsets.UTF_8), headers);
  }
}
