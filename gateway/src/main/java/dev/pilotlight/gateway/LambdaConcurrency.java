package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.NodeConcurrency;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Put/Get/DeleteFunctionConcurrency over the function's {@code reservedConcurrency} setting (the
 * one the autoscaler caps instances with and the activator never evicts below), and
 * GetAccountSettings with the node's real limits ({@link NodeConcurrency}).
 */
final class LambdaConcurrency {
  /** Lambda's limits on a package: 50 MB zipped (direct upload), 250 MB unzipped, 75 GB in all. */
  static final long CODE_SIZE_ZIPPED = 50L * 1024 * 1024;
  static final long CODE_SIZE_UNZIPPED = 250L * 1024 * 1024;
  static final long TOTAL_CODE_SIZE = 75L * 1024 * 1024 * 1024;

  private final ControlPlane control;
  private final NodeConcurrency node;

  LambdaConcurrency(ControlPlane control, NodeConcurrency node) {
    this.control = control;
    this.node = node;
  }

  FullHttpResponse put(String functionName, byte[] body) {
    String name = unqualified(functionName);
    JsonNode req = JsonBodies.object(body);
    JsonNode v = req.get("ReservedConcurrentExecutions");
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
      throw new Failure.InvalidInput("ReservedConcurrentExecutions: " + v + " (expected: an integer >= 0)");
    }
    int reserved = v.asInt();
    // the control plane refuses a reservation the node cannot hold (NodeConcurrency), as it does for a deploy
    Deployment d = control.update(name, s -> s.toBuilder().reservedConcurrency(reserved).build(), null);
    return ErrorResponses.json(HttpResponseStatus.OK, Map.of("ReservedConcurrentExecutions", d.spec().reservedConcurrency()));
  }

  FullHttpResponse get(String functionName) {
    String name = unqualified(functionName);
    FunctionSpec s = control.find(name).orElseThrow(() -> new Failure.FunctionNotFound(name)).spec();
    return ErrorResponses.json(HttpResponseStatus.OK, s.reservedConcurrency() == null ? Map.of()
        : Map.of("ReservedConcurrentExecutions", s.reservedConcurrency()));
  }

  FullHttpResponse delete(String functionName) {
    String name = unqualified(functionName);
    control.update(name, s -> s.toBuilder().reservedConcurrency(null).build(), null);
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
  }

  /** GetAccountSettings: the node's limits and what it holds now. */
  FullHttpResponse accountSettings() {
    List<Deployment> functions = control.list();
    long codeSize = 0;
    for (Deployment d : functions) {
      java.util.Set<String> packages = new java.util.HashSet<>(); // revisions that share a package store it once
      for (Deployment r : control.revisions(d.name())) {
        if (packages.add(r.codeSha256())) {
          codeSize += r.codeSize();
        }
      }
    }
    Map<String, Object> limit = new LinkedHashMap<>();
    limit.put("TotalCodeSize", TOTAL_CODE_SIZE);
    limit.put("CodeSizeUnzipped", CODE_SIZE_UNZIPPED);
    limit.put("CodeSizeZipped", CODE_SIZE_ZIPPED);
    limit.put("ConcurrentExecutions", node.total());
    limit.put("UnreservedConcurrentExecutions", node.unreserved(functions.stream().map(Deployment::spec).toList()));
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("TotalCodeSize", codeSize);
    usage.put("FunctionCount", functions.size());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("AccountLimit", limit);
    body.put("AccountUsage", usage);
    return ErrorResponses.json(HttpResponseStatus.OK, body);
  }

  private static String unqualified(String functionName) {
    LambdaNames.Ref ref = LambdaNames.parse(functionName);
    if (ref.qualifier() != null) {
      throw new Failure.InvalidInput("FunctionName: '" + functionName + "' (reserved concurrency belongs to the function: no qualifier)");
    }
    return ref.name();
  }
}
