package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * AddPermission, RemovePermission and GetPolicy ({@code /2015-03-31/functions/{name}/policy[/{sid}]})
 * over the function's {@code permissions} setting, in Lambda's shapes: each statement as Lambda
 * writes it (Sid, Effect, Principal, Action, Resource, Condition) and the policy as a JSON string.
 * The statements decide what functions' own keys may invoke ({@link dev.pilotlight.gateway.auth.ResourcePolicy},
 * applied by the Gatekeeper); for every other caller, as for a same-account identity on Lambda, who may call is decided by Pilotlight's
 * keys, roles and the URL's {@code auth} (docs/lambda-compatibility.md says why).
 */
final class LambdaPolicies {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Lambda's rule for a statement id. */
  private static final Pattern SID = Pattern.compile("[a-zA-Z0-9_-]{1,100}");
  private static final Pattern ACTION = Pattern.compile("(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  private final ControlPlane control;

  LambdaPolicies(ControlPlane control) {
    this.control = control;
  }

  FullHttpResponse add(String functionName, String queryQualifier, byte[] body) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    String qualifier = LambdaFunctions.qualifier(ref, queryQualifier);
    JsonNode req = JsonBodies.object(body);
    String sid = required(req, "StatementId");
    if (!SID.matcher(sid).matches()) {
      throw new Failure.InvalidInput("StatementId: '" + sid + "' (expected: 1 to 100 of a-z, A-Z, 0-9, - and _)");
    }
    String action = required(req, "Action");
    if (!ACTION.matcher(action).matches()) {
      throw new Failure.InvalidInput("Action: '" + action + "' (expected: lambda:ACTION, e.g. lambda:InvokeFunction, or lambda:*)");
    }
    String statement = statement(sid, action, required(req, "Principal"), resource(ref.name(), qualifier), req);
    Deployment current = control.find(ref.name()).orElseThrow(() -> new Failure.FunctionNotFound(ref.name()));
    checkRevision(req, current);
    control.update(ref.name(), s -> {
      if (s.permissions().containsKey(sid)) {
        throw new Failure.Conflict("The statement id (" + sid + ") provided already exists. Please provide a new statement id, or "
            + "remove the existing statement.");
      }
      Map<String, String> next = new LinkedHashMap<>(s.permissions());
      next.put(sid, statement);
      return s.toBuilder().permissions(next).build();
    }, null);
    return ErrorResponses.json(HttpResponseStatus.CREATED, Map.of("Statement", statement));
  }

  FullHttpResponse remove(String functionName, String sid, String revisionId) {
    String name = LambdaNames.parse(functionName).name();
    Deployment current = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name));
    if (revisionId != null && !revisionId.equals(revisionId(current.spec()))) {
      throw new PreconditionFailed();
    }
    control.update(name, s -> {
      if (!s.permissions().containsKey(sid)) {
        throw new NoPolicy("Statement " + sid + " is not found in resource policy.");
      }
      Map<String, String> next = new LinkedHashMap<>(s.permissions());
      next.remove(sid);
      return s.toBuilder().permissions(next).build();
    }, null);
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  FullHttpResponse get(String functionName) {
    String name = LambdaNames.parse(functionName).name();
    FunctionSpec s = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name)).spec();
    if (s.permissions().isEmpty()) {
      throw new NoPolicy("The resource you requested does not exist.");
    }
    ObjectNode policy = JSON.createObjectNode();
    policy.put("Version", "2012-10-17");
    policy.put("Id", "default");
    ArrayNode statements = policy.putArray("Statement");
    for (String statement : s.permissions().values()) {
      try {
        statements.add(JSON.readTree(statement));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("stored statement is not JSON: " + statement, e);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Policy", policy.toString());
    out.put("RevisionId", revisionId(s));
    return ErrorResponses.json(HttpResponseStatus.OK, out);
  }

  /** The statement Lambda writes for an AddPermission request. */
  static String statement(String sid, String action, String principal, String resource, JsonNode req) {
    ObjectNode st = JSON.createObjectNode();
    st.put("Sid", sid);
    st.put("Effect", "Allow");
    if (principal.equals("*")) {
      st.put("Principal", "*");
    } else if (principal.endsWith(".amazonaws.com") || principal.endsWith(".amazonaws.com.cn")) {
      st.putObject("Principal").put("Service", principal);
    } else {
      st.putObject("Principal").put("AWS", ACCOUNT.matcher(principal).matches() ? "arn:aws:iam::" + principal + ":root" : principal);
    }
    st.put("Action", action);
    st.put("Resource", resource);
    ObjectNode condition = JSON.createObjectNode();
    String sourceArn = LambdaFunctions.text(req, "SourceArn");
    if (sourceArn != null) {
      condition.putObject("ArnLike").put("AWS:SourceArn", sourceArn);
    }
    ObjectNode equals = JSON.createObjectNode();
    putIf(equals, "AWS:SourceAccount", LambdaFunctions.text(req, "SourceAccount"));
    putIf(equals, "lambda:EventSourceToken", LambdaFunctions.text(req, "EventSourceToken"));
    putIf(equals, "aws:PrincipalOrgID", LambdaFunctions.text(req, "PrincipalOrgID"));
    String urlAuth = LambdaFunctions.text(req, "FunctionUrlAuthType");
    if (urlAuth != null && !urlAuth.equals("NONE") && !urlAuth.equals("AWS_IAM")) {
      throw new Failure.InvalidInput("FunctionUrlAuthType: '" + urlAuth + "' (expected: NONE or AWS_IAM)");
    }
    putIf(equals, "lambda:FunctionUrlAuthType", urlAuth);
    JsonNode viaUrl = req.get("InvokedViaFunctionUrl");
    if (viaUrl != null && viaUrl.asBoolean()) {
      condition.putObject("Bool").put("lambda:InvokedViaFunctionUrl", "true");
    }
    if (!equals.isEmpty()) {
      condition.set("StringEquals", equals);
    }
    if (!condition.isEmpty()) {
      st.set("Condition", condition);
    }
    return st.toString();
  }

  /** A policy's revision: changes whenever a statement is added or removed. */
  static String revisionId(FunctionSpec s) {
    return String.format("%08x-policy", s.permissions().hashCode());
  }

  private static void checkRevision(JsonNode req, Deployment current) {
    String revision = LambdaFunctions.text(req, "RevisionId");
    if (revision != null && !revision.equals(revisionId(current.spec()))) {
      throw new PreconditionFailed();
    }
  }

  private static String resource(String name, String qualifier) {
    return qualifier == null || qualifier.isEmpty() ? LambdaNames.arn(name) : LambdaNames.arn(name) + ":" + qualifier;
  }

  private static void putIf(ObjectNode n, String key, String value) {
    if (value != null) {
      n.put(key, value);
    }
  }

  private static String required(JsonNode req, String field) {
    String v = LambdaFunctions.text(req, field);
    if (v == null || v.isBlank()) {
      throw new Failure.InvalidInput(field + " is missing");
    }
    return v;
  }

  /** No policy, or no such statement: Lambda's ResourceNotFoundException with its own message. */
  static final class NoPolicy extends RuntimeException {
    NoPolicy(String message) {
      super(message, null, false, false);
    }
  }

  /** The RevisionId given is not the policy's: Lambda's PreconditionFailedException. */
  static final class PreconditionFailed extends RuntimeException {
    PreconditionFailed() {
      super("The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest "
          + "Revision Id", null, false, false);
    }
  }
}
