package dev.pilotlight.runner;

import java.io.File;
import java.util.Map;

/**
 * What the platform tells the runner through its environment.
 *
 * @param runtimeApi {@code AWS_LAMBDA_RUNTIME_API}, {@code host:port}; null when absent (InvokeOnce)
 * @param handler {@code _HANDLER}, {@code pkg.Class::method} or {@code pkg.Class}; checked when loading
 * @param taskRoot {@code LAMBDA_TASK_ROOT}, the unpacked package; default the working directory
 * @param functionName {@code AWS_LAMBDA_FUNCTION_NAME}; default {@code function}
 * @param functionVersion {@code AWS_LAMBDA_FUNCTION_VERSION}; default {@code $LATEST}
 * @param memoryMb {@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE}; default 128, Lambda's default
 * @param logGroup {@code AWS_LAMBDA_LOG_GROUP_NAME}; default {@code /aws/lambda/<functionName>}
 * @param logStream {@code AWS_LAMBDA_LOG_STREAM_NAME}; default empty
 * @param concurrency {@code PILOTLIGHT_CONCURRENCY}, poll loops each on its own thread and
 *     connection; default 1
 */
record RunnerConfig(
    String runtimeApi,
    String handler,
    File taskRoot,
    String functionName,
    String functionVersion,
    int memoryMb,
    String logGroup,
    String logStream,
    int concurrency) {

  RunnerConfig {
    if (memoryMb < 1) {
      throw new IllegalArgumentException("AWS_LAMBDA_FUNCTION_MEMORY_SIZE: " + memoryMb + " (expected: >= 1)");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("PILOTLIGHT_CONCURRENCY: " + concurrency + " (expected: >= 1)");
    }
  }

  static RunnerConfig fromEnv(Map<String, String> env) {
    String name = orDefault(env.get("AWS_LAMBDA_FUNCTION_NAME"), "function");
    return new RunnerConfig(
        blankToNull(env.get("AWS_LAMBDA_RUNTIME_API")),
        orDefault(env.get("_HANDLER"), ""),
        new File(orDefault(env.get("LAMBDA_TASK_ROOT"), ".")),
        name,
        orDefault(env.get("AWS_LAMBDA_FUNCTION_VERSION"), "$LATEST"),
        positiveInt(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 128),
        orDefault(env.get("AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/" + name),
        orDefault(env.get("AWS_LAMBDA_LOG_STREAM_NAME"), ""),
        positiveInt(env, "PILOTLIGHT_CONCURRENCY", 1));
  }

  private static int positiveInt(Map<String, String> env, String key, int defaultValue) {
    String value = blankToNull(env.get(key));
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' (expected: a positive integer)");
    }
  }

  private static String orDefault(String value, String defaultValue) {
    String v = blankToNull(value);
    return v != null ? v : defaultValue;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
