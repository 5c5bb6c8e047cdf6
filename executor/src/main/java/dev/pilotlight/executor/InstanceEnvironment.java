package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds an instance's environment. Instances do not inherit the daemon's environment (so no
 * daemon secret leaks into a function); they get a few basics, the variables AWS Lambda sets, and
 * the function's own {@code env}, which wins over everything but the Runtime API address.
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
    env.putAll(d.spec().env());
    env.putAll(extra);
    return env;
  }
}
