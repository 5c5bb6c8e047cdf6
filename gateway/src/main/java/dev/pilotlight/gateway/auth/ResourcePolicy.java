package dev.pilotlight.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A function's resource-based policy (the statements AddPermission stored), evaluated as AWS
 * evaluates one for a caller of the same account that has no identity policy of its own — which is
 * what a function's own key is: Lambda gives an execution role no {@code lambda:InvokeFunction}
 * unless granted, so a function may call another only where the other's policy allows it.
 *
 * <p>A request is allowed when some statement allows it and none denies it. A statement applies when
 * its {@code Action}, {@code Resource} and {@code Principal} match and every one of its
 * {@code Condition}s holds. Principals that match: {@code "*"}, {@code {"AWS": "*"}} and the
 * caller's own ARN. An account ({@code …:root}) delegates to the account's identity policies, which
 * grant a function's key nothing, and a service principal names an AWS service: neither matches.
 * Conditions known here: {@code lambda:FunctionUrlAuthType}, {@code lambda:InvokedViaFunctionUrl};
 * one on a key this does not know ({@code AWS:SourceArn}, {@code aws:PrincipalOrgID}, …) cannot be
 * shown to hold, so its statement does not apply (it fails closed). Pure; statements are Lambda's
 * JSON as stored.
 */
public final class ResourcePolicy {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResourcePolicy() {}

  /**
   * One call to decide.
   *
   * @param principal the caller's ARN ({@code arn:aws:iam::000000000000:role/…})
   * @param action {@code lambda:InvokeFunction} or {@code lambda:InvokeFunctionUrl}
   * @param resource the ARN called, qualified when the call named a version or alias
   * @param urlAuthType {@code NONE} or {@code AWS_IAM} for a function URL call, else null
   */
  public record Request(String principal, String action, String resource, String urlAuthType) {
    boolean viaUrl() {
      return urlAuthType != null;
    }
  }

  /** Whether {@code statements} allow {@code r} (and none denies it). A statement that is not JSON applies to nothing. */
  public static boolean allows(Collection<String> statements, Request r) {
    boolean allowed = false;
    for (String text : statements) {
      JsonNode st;
      try {
        st = JSON.readTree(text);
      } catch (IOException e) {
        continue;
      }
      if (st == null || !st.isObject() || !applies(st, r)) {
        continue;
      }
      String effect = st.path("Effect").asText("");
      if (effect.equals("Deny")) {
        return false;
      }
      allowed |= effect.equals("Allow");
    }
    return allowed;
  }

  static boolean applies(JsonNode st, Request r) {
    return matchesAny(st.get("Action"), r.action(), true) && matchesAny(st.get("Resource"), r.resource(), false)
        && principalMatches(st.get("Principal"), r.principal()) && conditionsHold(st.get("Condition"), r);
  }

  private static boolean principalMatches(JsonNode p, String principal) {
    if (p == null) {
      return false;
    }
    if (p.isTextual()) {
      return p.asText().equals("*");
    }
    JsonNode aws = p.get("AWS");
    if (aws == null) {
      return false; // Service, Federated, CanonicalUser: not a Pilotlight key
    }
    for (String v : texts(aws)) {
      if (v.equals("*") || v.equals(principal)) {
        return true;
      }
    }
    return false;
  }

  private static boolean conditionsHold(JsonNode condition, Request r) {
    if (condition == null || condition.isEmpty()) {
      return true;
    }
    for (Map.Entry<String, JsonNode> operator : condition.properties()) {
      for (Map.Entry<String, JsonNode> key : operator.getValue().properties()) {
        String actual = switch (key.getKey().toLowerCase(Locale.ROOT)) {
          case "lambda:functionurlauthtype" -> r.urlAuthType();
          case "lambda:invokedviafunctionurl" -> Boolean.toString(r.viaUrl());
          default -> null; // a key Pilotlight cannot know the value of
        };
        if (actual == null || !holds(operator.getKey(), texts(key.getValue()), actual)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean holds(String operator, List<String> values, String actual) {
    return switch (operator) {
      case "StringEquals", "Bool" -> values.contains(actual);
      case "StringEqualsIgnoreCase" -> values.stream().anyMatch(v -> v.equalsIgnoreCase(actual));
      case "StringLike" -> values.stream().anyMatch(v -> glob(v, actual, false));
      default -> false;
    };
  }

  private static boolean matchesAny(JsonNode patterns, String value, boolean ignoreCase) {
    for (String p : texts(patterns)) {
      if (glob(p, value, ignoreCase)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (n.isArray()) {
      n.forEach(e -> out.add(e.asText()));
    } else {
      out.add(n.asText());
    }
    return out;
  }

  /** IAM's wildcards: {@code *} any run of characters, {@code ?} one. */
  static boolean glob(String pattern, String value, boolean ignoreCase) {
    String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    int pi = 0;
    int vi = 0;
    int star = -1;
    int mark = 0;
    while (vi < v.length()) {
      if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == v.charAt(vi))) {
        pi++;
        vi++;
      } else if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = vi;
      } else if (star >= 0) {
        pi = star + 1;
        vi = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }
}
