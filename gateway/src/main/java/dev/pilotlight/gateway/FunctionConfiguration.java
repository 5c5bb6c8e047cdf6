package dev.pilotlight.gateway;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function in the Lambda API's {@code FunctionConfiguration} shape. {@code Runtime} is the
 * identifier the function was created with ({@code awsRuntime}); a function deployed with a family
 * name only ({@code java}, {@code node}…) reports one fixed identifier per family ({@link #awsRuntime}).
 */
final class FunctionConfiguration {
  /** Lambda's format: {@code 2026-11-21T23:59:01.123+0000}. */
  private static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

  /** The IAM role a function reports when none was given; Pilotlight's own keys and roles decide access, not this. */
  static final String ROLE = "arn:aws:iam::000000000000:role/pilotlight";

  private FunctionConfiguration() {}

  static Map<String, Object> of(Deployment d) {
    return of(d, "$LATEST");
  }

  /** {@code d}'s configuration as version {@code version} ({@code $LATEST} or its revision number). */
  static Map<String, Object> of(Deployment d, String version) {
    FunctionSpec s = d.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("FunctionName", s.name());
    m.put("FunctionArn", version.equals("$LATEST") ? LambdaNames.arn(s.name()) : LambdaNames.arn(s.name()) + ":" + version);
    m.put("Runtime", s.awsRuntime() != null ? s.awsRuntime() : awsRuntime(s.runtime()));
    m.put("Role", s.role() != null ? s.role() : ROLE);
    if (s.handler() != null) {
      m.put("Handler", s.handler());
    }
    m.put("CodeSize", d.codeSize());
    m.put("Description", s.description() != null ? s.description() : "");
    m.put("Timeout", Math.max(1, (s.timeout().toMillis() + 999) / 1000));
    m.put("MemorySize", s.memoryMb());
    m.put("EphemeralStorage", Map.of("Size", s.ephemeralStorageMb()));
    m.put("LastModified", LAST_MODIFIED.format(d.deployedAt()));
    m.put("CodeSha256", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(d.codeSha256())));
    m.put("Version", version);
    if (!s.env().isEmpty()) {
      m.put("Environment", Map.of("Variables", s.env()));
    }
    s.deadLetterTarget().ifPresent(t -> m.put("DeadLetterConfig", Map.of("TargetArn", t.arn())));
    m.put("TracingConfig", Map.of("Mode", "PassThrough"));
    m.put("RevisionId", d.codeSha256().substring(0, 8) + "-" + d.revision());
    m.put("State", "Active");
    m.put("LastUpdateStatus", "Successful");
    m.put("PackageType", "Zip");
    m.put("Architectures", List.of(System.getProperty("os.arch").contains("aarch64") ? "arm64" : "x86_64"));
    return m;
  }

  /** The AWS identifier reported for a runtime: java21, python3.12, nodejs20.x, provided.al2023; {@code http} as is. */
  static String awsRuntime(dev.pilotlight.model.Runtime runtime) {
    return switch (runtime.id()) {
      case "java" -> "java21";
      case "python" -> "python3.12";
      case "node" -> "nodejs20.x";
      case "provided" -> "provided.al2023";
      default -> runtime.id();
    };
  }
}
