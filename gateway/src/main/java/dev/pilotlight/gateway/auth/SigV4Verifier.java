package dev.pilotlight.gateway.auth;

import dev.pilotlight.model.auth.AccessKey;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

/**
 * Checks a request's AWS Signature Version 4 against the access keys the daemon issued. The
 * signature is recomputed by the AWS SDK's own signer ({@link Aws4Signer}) over the request
 * as received — method, path as sent, query, exactly the headers the client signed, the body — with
 * the key's secret, the region of the credential scope and the request's {@code X-Amz-Date}; this
 * class only reads the request. Memory and CPU only (the body is hashed), so it runs on the event
 * loop; it never throws for bad input.
 */
public final class SigV4Verifier {
  private static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final Pattern AUTHORIZATION = Pattern.compile(
      "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request\\s*,\\s*"
          + "SignedHeaders=([a-z0-9;._-]+)\\s*,\\s*Signature=([0-9a-f]{64})\\s*");
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String SERVICE = "lambda";
  @SuppressWarnings("deprecation") // Aws4Signer: see expectedSignature
  private static final Aws4Signer SIGNER = Aws4Signer.create();

  /** Looks an access key up by id; implemented by {@link Credentials#key}. */
  @FunctionalInterface
  public interface Keys {
    Optional<AccessKey> find(String accessKeyId);
  }

  /** What a check found. */
  public sealed interface Result {
    /** The signature is right and made with this key. */
    record Verified(AccessKey key) implements Result {}

    /** Refused: {@code errorType} is AWS's exception name, {@code message} says why. */
    record Refused(String errorType, String message) implements Result {}
  }

  private final Keys keys;
  private final InstantSource clock;
  private final Duration maxSkew;

  /** @param maxSkew how far the request's date may be from the clock (AWS: 15 minutes) */
  public SigV4Verifier(Keys keys, InstantSource clock, Duration maxSkew) {
    this.keys = keys;
    this.clock = clock;
    this.maxSkew = maxSkew;
  }

  /**
   * What can be checked on a request's head alone, before its body is read: the Authorization
   * header's form, the date and scope, and that the access key exists. {@link Result.Verified}
   * here means only that the signature is still to be checked ({@link #verify}); a request this
   * refuses would be refused whatever its body.
   */
  public Result checkHead(HttpRequest req) {
    Object head = head(req);
    return head instanceof Signed s ? new Result.Verified(s.key()) : (Result) head;
  }

  /** The head's signing parameters, or why the request is refused. */
  private record Signed(AccessKey key, String region, List<String> signedHeaders, String signature, Instant date) {}

  public Result verify(FullHttpRequest req) {
    Object head = head(req);
    if (!(head instanceof Signed signed)) {
      return (Result) head;
    }
    // Aws4Signer hashes the body itself for the payload line of the canonical request, so a body
    // that is not the one signed — or a declared x-amz-content-sha256 (UNSIGNED-PAYLOAD included)
    // that is not its hash — gives another signature.
    String expected = expectedSignature(req, signed.signedHeaders(), signed.key(), signed.region(), signed.date());
    if (expected == null
        || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signed.signature().getBytes(StandardCharsets.US_ASCII))) {
      return invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
          + "Access Key and signing method.");
    }
    return new Result.Verified(signed.key());
  }

  /** A {@link Signed} when the head is in order and its key exists, else the {@link Result.Refused}. */
  private Object head(HttpRequest req) {
    String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization == null || authorization.isBlank()) {
      return new Result.Refused("MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    if (!authorization.startsWith(ALGORITHM)) {
      return incomplete("Authorization header requires the " + ALGORITHM + " algorithm");
    }
    Matcher a = AUTHORIZATION.matcher(authorization.strip());
    if (!a.matches()) {
      return incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters in SigV4 form");
    }
    String keyId = a.group(1);
    String scopeDate = a.group(2);
    String region = a.group(3);
    String service = a.group(4);
    List<String> signedHeaders = List.of(a.group(5).split(";"));
    String signature = a.group(6);
    if (!service.equals(SERVICE)) {
      return invalid("Credential should be scoped to correct service: '" + SERVICE + "'.");
    }
    if (!signedHeaders.contains("host")) {
      return invalid("'Host' must be a signed header.");
    }
    String amzDate = req.headers().get("X-Amz-Date");
    if (amzDate == null) {
      return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    Instant date;
    try {
      date = Instant.from(AMZ_DATE.parse(amzDate.strip()));
    } catch (DateTimeParseException e) {
      return incomplete("X-Amz-Date '" + amzDate + "' is not in the form 20150830T123600Z");
    }
    if (!amzDate.startsWith(scopeDate)) {
      return invalid("Credential should be scoped to a valid date: '" + amzDate.substring(0, Math.min(8, amzDate.length())) + "'.");
    }
    Instant now = clock.instant();
    if (Duration.between(date, now).abs().compareTo(maxSkew) > 0) {
      return invalid("Signature expired: " + amzDate + " is now earlier than " + AMZ_DATE.format(now.minus(maxSkew)) + " ("
          + AMZ_DATE.format(now) + " - " + maxSkew.toMinutes() + " min.)");
    }
    Optional<AccessKey> key = keys.find(keyId);
    if (key.isEmpty()) {
      return new Result.Refused("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    return new Signed(key.get(), region, signedHeaders, signature, date);
  }

  /** The signature AWS's signer makes for this request with {@code key}; null when the request cannot be rebuilt as signed. */
  private static String expectedSignature(FullHttpRequest req, List<String> signedHeaders, AccessKey key, String region, Instant date) {
    SdkHttpMethod method;
    try {
      method = SdkHttpMethod.fromValue(req.method().name());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String uri = req.uri();
    int q = uri.indexOf('?');
    // The signer writes the Host header from the request's host and port: give it the client's.
    String host = req.headers().get(HttpHeaderNames.HOST, "");
    int colon = host.lastIndexOf(':');
    boolean hasPort = colon > 0 && colon > host.lastIndexOf(']');
    int port;
    try {
      port = hasPort ? Integer.parseInt(host.substring(colon + 1)) : 80;
    } catch (NumberFormatException e) {
      return null;
    }
    SdkHttpFullRequest.Builder b = SdkHttpFullRequest.builder().method(method).protocol("http")
        .host(hasPort ? host.substring(0, colon) : host).port(port)
        .encodedPath(q < 0 ? uri : uri.substring(0, q))
        .contentStreamProvider(() -> new ByteBufInputStream(req.content().duplicate()));
    for (Map.Entry<String, List<String>> p : new QueryStringDecoder(uri).parameters().entrySet()) {
      b.putRawQueryParameter(p.getKey(), p.getValue());
    }
    for (String name : signedHeaders) {
      List<String> values = req.headers().getAll(name);
      if (values.isEmpty()) {
        return null; // a header the client says it signed is not there
      }
      b.putHeader(name, values);
    }
    // Aws4Signer signs exactly the headers it is given (the newer AwsV4HttpSigner always adds
    // x-amz-content-sha256, which botocore, the aws CLI's library, does not sign for Lambda).
    Aws4SignerParams params = Aws4SignerParams.builder()
        .awsCredentials(AwsBasicCredentials.create(key.id(), key.secret()))
        .signingName(SERVICE)
        .signingRegion(Region.of(region))
        .signingClockOverride(Clock.fixed(date, ZoneOffset.UTC))
        .build();
    SdkHttpFullRequest signed = SIGNER.sign(b.build(), params);
    String produced = signed.firstMatchingHeader("Authorization").orElse("");
    Matcher m = AUTHORIZATION.matcher(produced);
    if (!m.matches() || !m.group(5).equals(String.join(";", signedHeaders))) {
      return null; // the signer signed another set of headers than the client did
    }
    return m.group(6).toLowerCase(Locale.ROOT);
  }

  private static Result incomplete(String message) {
    return new Result.Refused("IncompleteSignatureException", message);
  }

  private static Result invalid(String message) {
    return new Result.Refused("InvalidSignatureException", message);
  }
}
