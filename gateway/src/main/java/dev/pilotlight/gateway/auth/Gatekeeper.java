package dev.pilotlight.gateway.auth;

import dev.pilotlight.gateway.AwsErrorResponses;
import dev.pilotlight.gateway.ErrorResponses;
import dev.pilotlight.gateway.GatewayHandler;
import dev.pilotlight.gateway.LambdaNames;
import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.model.auth.UrlAuth;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

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
  private final Function<AccessKey, Optional<String>> scopedPrincipal;
  private final Function<String, Optional<Collection<String>>> policy;

  /**
   * @param urlAuth a deployed function's {@code auth} setting by name; empty when there is no such function
   * @param authRequired false only when the operator turned authentication off
   */
  public Gatekeeper(Credentials credentials, SigV4Verifier sigV4, BrowserGuard browsers, boolean authRequired,
      Function<String, Optional<UrlAuth>> urlAuth) {
    this(credentials, sigV4, browsers, authRequired, urlAuth, k -> Optional.empty(), name -> Optional.empty());
  }

  /**
   * @param scopedPrincipal for a key that acts for a principal with no permissions of its own (a
   *     function's own key): that principal's ARN, whose invocations a function's resource policy
   *     must allow ({@link ResourcePolicy}); empty for a key whose role decides alone
   * @param policy a deployed function's resource-policy statements by name; empty when there is no such function
   */
  public Gatekeeper(Credentials credentials, SigV4Verifier sigV4, BrowserGuard browsers, boolean authRequired,
      Function<String, Optional<UrlAuth>> urlAuth, Function<AccessKey, Optional<String>> scopedPrincipal,
      Function<String, Optional<Collection<String>>> policy) {
    this.credentials = credentials;
    this.sigV4 = sigV4;
    this.browsers = browsers;
    this.authRequired = authRequired;
    this.urlAuth = urlAuth;
    this.scopedPrincipal = scopedPrincipal;
    this.policy = policy;
  }

  @Override
  public Optional<FullHttpResponse> controlApi(FullHttpRequest req, String path) {
    return controlApiHead(req, path); // a token is in the head: nothing more to check once the body is here
  }

  @Override
  public Optional<FullHttpResponse> controlApiHead(HttpRequest head, String path) {
    Optional<String> foreign = browserRefusal(head);
    if (foreign.isPresent()) {
      return Optional.of(native403(foreign.get()));
    }
    return bearer(head, AccessRule.controlApi(head.method(), path));
  }

  @Override
  public Optional<FullHttpResponse> lambdaApiHead(HttpRequest head, String path) {
    return lambdaRefusal(head, path, () -> sigV4.checkHead(head), key -> Optional.empty()); // policies: once the body is here
  }

  @Override
  public Optional<FullHttpResponse> functionUrlHead(HttpRequest head, String function) {
    if (!authRequired) {
      return Optional.empty();
    }
    return switch (urlAuth.apply(function).orElse(UrlAuth.NONE)) {
      case NONE -> Optional.empty();
      case TOKEN -> bearer(head, Role.INVOKE);
      case AWS_IAM -> sigV4.checkHead(head) instanceof SigV4Verifier.Result.Refused r
          ? Optional.of(ErrorResponses.json(HttpResponseStatus.FORBIDDEN, Map.of("error", r.errorType(), "message", r.message())))
          : Optional.empty();
    };
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
    return lambdaRefusal(req, path, () -> sigV4.verify(req),
        key -> scopedPrincipal.apply(key).flatMap(principal -> invokeRefusal(req, path, principal)));
  }

  /**
   * The Lambda API's checks in order: the browser guard, the signature ({@code check}: whole, or
   * the head's part of it), the key's role, then {@code then} for a key that passed.
   */
  private Optional<FullHttpResponse> lambdaRefusal(HttpRequest req, String path, Supplier<SigV4Verifier.Result> check,
      Function<AccessKey, Optional<FullHttpResponse>> then) {
    Optional<String> foreign = browserRefusal(req);
    if (foreign.isPresent()) {
      return Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, "AccessDeniedException", foreign.get()));
    }
    if (!authRequired) {
      return Optional.empty();
    }
    Role needed = AccessRule.lambdaApi(req.method(), path);
    return switch (check.get()) {
      case SigV4Verifier.Result.Refused r -> Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, r.errorType(), r.message()));
      case SigV4Verifier.Result.Verified v -> !v.key().role().allows(needed)
          ? Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, "AccessDeniedException", "access key " + v.key().id()
              + " has role " + v.key().role().id() + "; this operation needs " + needed.id()))
          : then.apply(v.key());
    };
  }

  /**
   * For a scoped key's invocation: the refusal when the function's resource policy does not allow
   * its principal {@code lambda:InvokeFunction} on what it calls (an unknown function passes: the
   * API answers 404); empty to let it through.
   */
  private Optional<FullHttpResponse> invokeRefusal(FullHttpRequest req, String path, String principal) {
    String[] parts = path.split("/", -1); // "", "functions", name, "invocations" | "", "2021-11-15", "functions", name, …
    String encoded = parts.length == 4 ? parts[2] : parts.length == 5 ? parts[3] : null;
    if (encoded == null) {
      return Optional.empty();
    }
    String name;
    String qualifier;
    try {
      LambdaNames.Ref ref = LambdaNames.parse(QueryStringDecoder.decodeComponent(encoded));
      name = ref.name();
      qualifier = ref.qualifier() != null ? ref.qualifier()
          : new QueryStringDecoder(req.uri()).parameters().getOrDefault("Qualifier", List.of()).stream().findFirst().orElse(null);
    } catch (RuntimeException malformed) {
      return Optional.empty(); // the API answers it
    }
    Optional<Collection<String>> statements = policy.apply(name);
    if (statements.isEmpty()) {
      return Optional.empty();
    }
    String resource = LambdaNames.arn(name) + (qualifier == null || qualifier.isEmpty() || qualifier.equals("$LATEST") ? "" : ":" + qualifier);
    if (ResourcePolicy.allows(statements.get(), new ResourcePolicy.Request(principal, "lambda:InvokeFunction", resource, null))) {
      return Optional.empty();
    }
    return Optional.of(AwsErrorResponses.error(HttpResponseStatus.FORBIDDEN, "AccessDeniedException", notAuthorized(principal,
        "lambda:InvokeFunction", resource)));
  }

  /** Lambda's message for a call no policy allows. */
  private static String notAuthorized(String principal, String action, String resource) {
    return "User: " + principal + " is not authorized to perform: " + action + " on resource: " + resource
        + " because no resource-based policy allows the " + action + " action (add one with AddPermission; docs/security.md)";
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
        case SigV4Verifier.Result.Verified v -> scopedPrincipal.apply(v.key()).flatMap(principal -> urlRefusal(function, principal));
      };
    };
  }

  /** For a scoped key's call of an {@code aws_iam} function URL: the refusal when the policy does not allow {@code lambda:InvokeFunctionUrl}. */
  private Optional<FullHttpResponse> urlRefusal(String function, String principal) {
    Optional<Collection<String>> statements = policy.apply(function);
    String resource = LambdaNames.arn(function);
    if (statements.isEmpty()
        || ResourcePolicy.allows(statements.get(), new ResourcePolicy.Request(principal, "lambda:InvokeFunctionUrl", resource, "AWS_IAM"))) {
      return Optional.empty();
    }
    return Optional.of(ErrorResponses.json(HttpResponseStatus.FORBIDDEN, Map.of("error", "AccessDeniedException", "message",
        notAuthorized(principal, "lambda:InvokeFunctionUrl", resource))));
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
