package dev.pilotlight.server;

import dev.pilotlight.executor.FunctionCredentials;
import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.Role;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Each function's own access key, so that code calling Lambda through an AWS SDK reaches this
 * daemon with no change: instances get {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and
 * {@code AWS_ENDPOINT_URL} (and {@code AWS_ENDPOINT_URL_LAMBDA}), as Lambda gives a function its
 * execution role's credentials.
 *
 * <p>The key has the {@code invoke} role, the least that lets a function call functions: it cannot
 * deploy, read configuration or manage credentials. One key per function, issued when it is
 * deployed (a management thread: the credential store writes to disk), listed by {@code keys ls}
 * with a description naming the function, revoked when the function is deleted. A function stored
 * before keys existed gets its key issued in the background at its first start; until then its
 * instances get the endpoint without credentials. An operator who revokes a function's key cuts
 * its instances off; the next deploy issues a new one.
 *
 * <p>With authentication off ({@code --insecure-no-auth}) there is nothing to issue: instances get
 * placeholder credentials (the SDKs refuse to sign without some), which the daemon does not check.
 */
final class FunctionKeys implements FunctionCredentials {
  static final String DESCRIPTION_PREFIX = "function ";
  static final String DESCRIPTION_SUFFIX = ": its instances' own key (revoked with the function)";

  private final Credentials credentials;
  private final boolean authRequired;
  private final Executor background;
  private final Map<String, String> keyIdByFunction = new ConcurrentHashMap<>();
  private final Map<String, Boolean> issuing = new ConcurrentHashMap<>();
  private volatile String endpoint;

  /** Reads the keys issued before (one pass over the store's keys, at start). */
  FunctionKeys(Credentials credentials, boolean authRequired, Executor background) {
    this.credentials = credentials;
    this.authRequired = authRequired;
    this.background = background;
    for (AccessKey k : credentials.keys()) {
      String fn = functionOf(k.description());
      if (fn != null) {
        keyIdByFunction.put(fn, k.id());
      }
    }
  }

  /** The daemon's address as instances reach it ({@code http://127.0.0.1:8080}); set once it listens. */
  void endpoint(String url) {
    endpoint = url;
  }

  /** Makes sure {@code function} has a key (issued and stored now if not); call off the event loops. */
  void ensure(String function) {
    if (!authRequired) {
      return;
    }
    String id = keyIdByFunction.get(function);
    if (id == null || credentials.key(id).isEmpty()) {
      // another daemon sharing the database may have issued it already; looked up by its description,
      // not by reading every key (a deploy's cost must not grow with the functions deployed)
      String description = DESCRIPTION_PREFIX + function + DESCRIPTION_SUFFIX;
      String issued = credentials.keyDescribed(description).map(AccessKey::id)
          .orElseGet(() -> credentials.issueKey(Role.INVOKE, description).id());
      keyIdByFunction.put(function, issued);
    }
  }

  /** Revokes {@code function}'s key (the function was deleted): its instances' calls are refused from now on. */
  void revoke(String function) {
    String id = keyIdByFunction.remove(function);
    if (id != null) {
      credentials.revokeKey(id);
    }
  }

  @Override
  public Map<String, String> environment(Deployment d) {
    String url = endpoint;
    if (url == null) {
      return Map.of();
    }
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ENDPOINT_URL", url);
    env.put("AWS_ENDPOINT_URL_LAMBDA", url);
    if (!authRequired) {
      env.put("AWS_ACCESS_KEY_ID", "pilotlight-auth-off");
      env.put("AWS_ACCESS_KEY", "pilotlight-auth-off");
      env.put("AWS_SECRET_ACCESS_KEY", "pilotlight-auth-off");
      return env;
    }
    String id = keyIdByFunction.get(d.name());
    AccessKey key = id == null ? null : credentials.key(id).orElse(null);
    if (key == null) {
      // Stored before keys existed, or its key was revoked: issued off this thread (an event loop, maybe) for later instances.
      if (issuing.putIfAbsent(d.name(), Boolean.TRUE) == null) {
        try {
          background.execute(() -> {
            try {
              ensure(d.name());
            } finally {
              issuing.remove(d.name());
            }
          });
        } catch (java.util.concurrent.RejectedExecutionException busy) {
          issuing.remove(d.name()); // the next start tries again
        }
      }
      return env;
    }
    env.put("AWS_ACCESS_KEY_ID", key.id());
    env.put("AWS_ACCESS_KEY", key.id()); // the older name, which Lambda sets too
    env.put("AWS_SECRET_ACCESS_KEY", key.secret());
    return env;
  }

  /**
   * The principal a function's key acts as: its {@code role} (the execution role it was created
   * with) when it has one, else {@code arn:aws:iam::000000000000:role/pilotlight/<name>}. A resource
   * policy grants a function's calls to this ARN (AddPermission {@code --principal}).
   */
  static String principal(String function, String role) {
    return role != null && !role.isBlank() ? role : "arn:aws:iam::000000000000:role/pilotlight/" + function;
  }

  /** The function a key was issued for, from its description; null for any other key. */
  static String functionOf(String description) {
    if (description == null || !description.startsWith(DESCRIPTION_PREFIX) || !description.endsWith(DESCRIPTION_SUFFIX)) {
      return null;
    }
    String name = description.substring(DESCRIPTION_PREFIX.length(), description.length() - DESCRIPTION_SUFFIX.length());
    return name.isEmpty() ? null : name;
  }
}
