package dev.pilotlight.gateway.auth;

import dev.pilotlight.model.auth.Role;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The role each API call needs (pure): invoking needs {@code invoke}, credentials need {@code admin}, the rest (secrets included)
 * {@code deploy}.
 */
public final class AccessRule {
  private AccessRule() {}

  /** For {@code /api/v1{path}}. */
  public static Role controlApi(HttpMethod method, String path) {
    if (path.equals("/tokens") || path.startsWith("/tokens/") || path.equals("/keys") || path.startsWith("/keys/")) {
      return Role.ADMIN;
    }
    // Secrets are write-only whatever the role; setting and removing them is deploying (a function's code can read them).
    if (path.equals("/secrets") || path.startsWith("/secrets/")) {
      return Role.DEPLOY;
    }
    String[] parts = path.split("/", -1); // "", "functions", name, "invoke"
    if (method.equals(HttpMethod.POST) && parts.length == 4 && parts[1].equals("functions") && parts[3].equals("invoke")) {
      return Role.INVOKE;
    }
    return Role.DEPLOY;
  }

  /** For the Lambda API's {@code /2015-03-31{path}}. */
  public static Role lambdaApi(HttpMethod method, String path) {
    String[] parts = path.split("/", -1); // "", "functions", name, "invocations"
    if (method.equals(HttpMethod.POST) && parts.length == 4 && parts[1].equals("functions") && parts[3].equals("invocations")) {
      return Role.INVOKE;
    }
    // InvokeWithResponseStream, whose path comes whole: /2021-11-15/functions/{name}/response-streaming-invocations
    if (method.equals(HttpMethod.POST) && parts.length == 5 && parts[1].equals("2021-11-15") && parts[2].equals("functions")
        && parts[4].equals("response-streaming-invocations")) {
      return Role.INVOKE;
    }
    return Role.DEPLOY;
  }

  /** {@code /metrics}: function names and traffic, as the deploy role may read. */
  public static Role metrics() {
    return Role.DEPLOY;
  }
}
