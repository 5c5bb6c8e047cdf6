package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds an instance's environment. Instances do not inherit the daemon's environment (so no
 * daemon secret leaks into a function); they get a few basics, the variables AWS Lambda sets, and
 * the function's own {@code env}, which wins over the basics but not over what Lambda reserves.
 */
final class InstanceEnvironment {
  private InstanceEnvironment() {}

  /** What every instance gets, whatever its function: also the whole environment of a pool JVM before it is given one. */
  static Map<String, String> base(ExecutorConfig config) {
    return base(config, Sandbox.Box.NONE);
  }

  /** The same; in a sandbox {@code HOME} and {@code TMPDIR} are its private {@code /tmp}, the only place it may write. */
  static Map<String, String> base(ExecutorConfig config, Sandbox.Box box) {
    Map<String, String> env = new HashMap<>();
    String path = config.javaHome().resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("PATH", path);
    env.put("JAVA_HOME", config.javaHome().toString());
    env.put("HOME", box.isNone() ? System.getProperty("user.home") : "/tmp");
    env.put("LANG", System.getenv().getOrDefault("LANG", "C.UTF-8"));
    env.put("TMPDIR", box.isNone() ? System.getProperty("java.io.tmpdir") : "/tmp");
    env.put("TZ", ":UTC");
    env.put("AWS_REGION", config.region());
    env.put("AWS_DEFAULT_REGION", config.region());
    return env;
  }

  /** Where AWS's runtime interface clients write their framed log records: the instance's stderr, for a {@code provided} function. */
  static final String TELEMETRY_LOG_FD = "_LAMBDA_TELEMETRY_LOG_FD";

  static Map<String, String> build(Deployment d, String instanceId, ExecutorConfig config, Map<String, String> extra) {
    return build(d, instanceId, config, Sandbox.Box.NONE, extra);
  }

  /** The same for an instance in {@code box}, which sees its code at {@link Sandbox.Box#taskRoot}. */
  static Map<String, String> build(Deployment d, String instanceId, ExecutorConfig config, Sandbox.Box box, Map<String, String> extra) {
    Map<String, String> env = base(config, box);
    String name = d.name();
    env.put("AWS_LAMBDA_FUNCTION_NAME", name);
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(d.spec().memoryMb()));
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/') + "/[$LATEST]" + instanceId);
    env.put("LAMBDA_TASK_ROOT", box.taskRoot(d.codeDir()));
    env.put("PILOTLIGHT_INSTANCE_ID", instanceId);
    env.put("PILOTLIGHT_REVISION", Long.toString(d.revision()));
    env.put("PILOTLIGHT_CONCURRENCY", Integer.toString(d.spec().concurrency()));
    if (d.spec().handler() != null) {
      env.put("_HANDLER", d.spec().handler());
    }
    String executionEnv = executionEnv(d.spec(), config);
    if (executionEnv != null) {
      env.put("AWS_EXECUTION_ENV", executionEnv);
    }
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initializationType(false));
    String taskRoot = env.get("LAMBDA_TASK_ROOT");
    if (d.spec().runtime().lambdaStyle()) {
      // As Lambda's: native libraries of the package and its layers; the loader skips a missing directory after one look.
      env.put("LD_LIBRARY_PATH", taskRoot + "/lib:" + taskRoot + "/opt/lib");
      // X-Ray's SDKs log, rather than throw, when code records a subsegment outside a traced call (Lambda sets this too).
      env.put("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    }
    switch (d.spec().runtime()) {
      // As Lambda's: modules and packages of layers (opt/ in the package here), the runtime's own, then the code's.
      case NODE -> env.put("NODE_PATH", taskRoot + "/opt/nodejs/node_modules:" + taskRoot + "/node_modules:"
          + config.runtimesDir().resolve("node") + ":" + taskRoot);
      case PYTHON -> env.put("PYTHONPATH", config.runtimesDir().resolve("python") + ":" + taskRoot + "/opt/python:" + taskRoot);
      // AWS's runtime interface clients then write each log record as a frame (TelemetryFrames), so a
      // record without a newline stays a line of its own; Pilotlight's own runtimes do not need it.
      case PROVIDED -> env.put(TELEMETRY_LOG_FD, "2");
      default -> { }
    }
    // The function's own variables win over the basics (PATH, LANG, TZ, NODE_PATH, …) but never
    // over a reserved one: deploys refuse those, and a revision stored before that check is ignored here.
    d.spec().env().forEach((k, v) -> {
      if (!FunctionSpec.RESERVED_ENV.contains(k)) {
        env.put(k, v);
      }
    });
    env.putAll(extra);
    return env;
  }

  /**
   * {@code AWS_LAMBDA_INITIALIZATION_TYPE}: {@code provisioned-concurrency} for an instance started
   * ahead of the calls that will use it (min instances, a pre-warm, scaling ahead of a queue: no
   * call waits for it alone), {@code on-demand} for one a call waits for.
   */
  static String initializationType(boolean background) {
    return background ? "provisioned-concurrency" : "on-demand";
  }

  /**
   * {@code AWS_EXECUTION_ENV} as Lambda writes it ({@code AWS_Lambda_java21},
   * {@code AWS_Lambda_nodejs20.x}, {@code AWS_Lambda_python3.12}): the Lambda identifier the
   * function was created with; for one given only its family, the version it runs on where the
   * daemon knows it without running anything (the JDK's {@code release} file, a {@code python3.N}
   * interpreter's name). Unset for {@code provided} and {@code http}, as on Lambda's OS-only runtimes.
   */
  static String executionEnv(FunctionSpec spec, ExecutorConfig config) {
    if (spec.awsRuntime() != null) {
      return "AWS_Lambda_" + spec.awsRuntime();
    }
    return switch (spec.runtime()) {
      case JAVA -> "AWS_Lambda_java" + JAVA_FEATURE.computeIfAbsent(config.javaHome(), InstanceEnvironment::javaFeature);
      case PYTHON -> {
        String file = config.python() == null ? "" : config.python().getFileName().toString();
        yield "AWS_Lambda_" + (PYTHON_VERSIONED.matcher(file).matches() ? file : "python3");
      }
      case NODE -> "AWS_Lambda_nodejs";
      case PROVIDED, HTTP -> null;
    };
  }

  private static final Map<Path, String> JAVA_FEATURE = new ConcurrentHashMap<>();
  private static final java.util.regex.Pattern PYTHON_VERSIONED = java.util.regex.Pattern.compile("python3\\.\\d+");

  /** The feature release of the JDK at {@code javaHome} ({@code 25}), from its {@code release} file; the daemon's own if unreadable. */
  private static String javaFeature(Path javaHome) {
    try {
      for (String line : Files.readAllLines(javaHome.resolve("release"))) {
        var m = java.util.regex.Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(line);
        if (m.find()) {
          return m.group(1);
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // the daemon's own below
    }
    return Integer.toString(java.lang.Runtime.version().feature());
  }
}
