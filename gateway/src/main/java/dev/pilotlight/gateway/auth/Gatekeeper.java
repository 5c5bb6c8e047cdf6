package dev.pilotlight.gateway.auth;

import dev.pilotlight.gateway.AwsErrorResponses;
import dev.pilotlight.gateway.ErrorResponses;
import dev.pilotlight.gateway.GatewayHandler;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.model.auth.UrlAuth;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who may do what on the daemon's port. The APIs first pass the {@link BrowserGuard}; then the
 * native API and {@code /metrics} need a bearer token, the Lambda API a SigV4 signature with an
 * issued access key, each with the role {@link AccessRule} names; a function URL needs what its
 * {@code auth} setting says. Everything here reads memory only, so it runs on the event loop.
 * With authentication turned off ({@code serve --insecure-no-auth}) only the browser guard remains.
 */
public final class Gatekeeper implements GatewayHandler.Admission {
  private static final String BEARER = "Bearer ";

  private final Credentials credentials;
  private final SigV4Verifier sigV4;
  private final BrowserGuard browsers;
  private final boolean authRequired;
  private final Function<String, Optional<UrlAuth>> urlAuth;

  /**
   * @param urlAuth a deployed function's {@code auth} setting by name; empty when there is no such function
   * @param authRequired false only when the operator turned authentication off
   */
  public Gatekeeper(Credentials credentials, SigV4Verifier sigV4, BrowserGuard browsers, boolean authRequired,
      Function<String, Optional<UrlAuth>> urlAuth) {
    this.credentials = credentials;
    this.sigV4 = sigV4;
    this.browsers = browsers;
    this.authRequired = authRequired;
    this.urlAuth = urlAuth;
  }

  @Override
  public Optional<FullHttpResponse> controlApi(FullHttpRequest req, String path) {
    Optional<String> foreign = browserRefusal(req);
    if (foreign.isPresent()) {
      return Optional.of(native403(foreign.get()));
    }
    return bearer(req, AccessRule.controlApi(req.method(), path));
  }

  @Override
  public Optional<FullHttpResponse> metrics(FullHttpRequest req) {
    Optional<String> foreign = browserRefusal(req);
    if (foreign.isPresent()) {
      return Optional.of(native403(foreign.get()));
    }
    return bearer(req, AccessRule.metrics());
  }

  @Override
  public Optional<FullHttpResponse> lambdaApi(FullHttpRequest req, String path) {
    Optional<String> foreign = browserRefusal(req);
    if (foreign.isPresent()) {
      return Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, "AccessDeniedException", foreign.get()));
    }
    if (!authRequired) {
      return Optional.empty();
    }
    Role needed = AccessRule.lambdaApi(req.method(), path);
    return switch (sigV4.verify(req)) {
      case SigV4Verifier.Result.Refused r -> Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, r.errorType(), r.message()));
      case SigV4Verifier.Result.Verified v -> v.key().role().allows(needed) ? Optional.empty()
          : Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, "AccessDeniedException", "access key " + v.key().id()
              + " has role " + v.key().role().id() + "; this operation needs " + needed.id()));
    };
  }

  @Override
  public Optional<FullHttpResponse> functionUrl(HttpRequest req, String function) {
    if (!authRequired) {
      return Optional.empty();
    }
    // An unknown function passes: the invoker answers 404 as it always has.
    UrlAuth auth = urlAuth.apply(function).orElse(UrlAuth.NONE);
    return switch (auth) {
      case NONE -> Optional.empty();
      case TOKEN -> bearer(req, Role.INVOKE);
      // Its signature covers the body: such calls are aggregated (never streamed), so the body is here.
      case AWS_IAM -> !(req instanceof FullHttpRequest whole) ? Optional.of(ErrorResponses.json(HttpResponseStatus.FORBIDDEN,
          Map.of("error", "AccessDeniedException", "message", "an aws_iam function URL call needs its whole body for its signature")))
          : switch (sigV4.verify(whole)) {
        case SigV4Verifier.Result.Refused r -> Optional.of(ErrorResponses.json(HttpResponseStatus.FORBIDDEN,
            Map.of("error", r.errorType(), "message", r.message())));
        case SigV4Verifier.Result.Verified v -> Optional.empty();
      };
    };
  }

  private Optional<String> browserRefusal(HttpRequest req) {
    return browsers.refusal(req.headers().get(HttpHeaderNames.HOST), req.headers().get(HttpHeaderNames.ORIGIN),
        req.headers().get("Sec-Fetch-Site"));
  }

  private Optional<FullHttpResponse> bearer(HttpRequest req, Role needed) {
    if (!authRequired) {
      return Optional.empty();
    }
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.of(native401("this call needs a token: Authorization: Bearer <token> (the CLI finds the admin token in the "
          + "daemon's data dir; pilotlight tokens create makes others)"));
    }
    Optional<Role> role = credentials.tokenRole(header.substring(BEARER.length()).strip());
    if (role.isEmpty()) {
      return Optional.of(native401("the token is not valid (unknown or revoked)"));
    }
    if (!role.get().allows(needed)) {
      return Optional.of(native403("the token's role is " + role.get().id() + "; this call needs " + needed.id()));
    }
    return Optional.empty();
  }

  private static FullHttpResponse native401(String message) {
    FullHttpResponse res = ErrorResponses.json(HttpResponseStatus.UNAUTHORIZED, Map.of("error", "Unauthorized", "message", message));
    res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"pilotlight\"");
    return res;
  }

  private static FullHttpResponse native403(String message) {
    return ErrorResponses.json(HttpResponseStatus.FORBIDDEN, Map.of("error", "Forbidden", "message", message));
  }
}
