package dev.pilotlight.model;


import dev.pilotlight.model.Setting.Kind;
import dev.pilotlight.model.Setting.Shown;
import dev.pilotlight.model.auth.UrlAuth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every function setting, each declared once (see {@link Setting}), in the order manifests list
 * them. A new setting is one declaration here plus its record component and its use; the
 * manifest, the registry's JSON, the status view and the {@code deploy} flags follow from this
 * list, and their tests fail until docs/configuration.md documents it.
 */
public final class FunctionSettings {
  private FunctionSettings() {}

  private static final Duration ONE_MS = Duration.ofMillis(1);
  private static final Duration ONE_HOUR = Duration.ofHours(1);

  public static final Setting<String> NAME = Setting.spec("name", Kind.TEXT, FunctionSpec::name, FunctionSpec.Builder::name)
      .flag("--name", "<name>").doc("Function name (default: the manifest's, else the file or directory name).")
      .build();

  public static final Setting<Runtime> RUNTIME = Setting.spec("runtime", Kind.RUNTIME, FunctionSpec::runtime, FunctionSpec.Builder::runtime)
      .flag("--runtime", "<runtime>")
      .doc("Runtime: java (java17, java21, java25), python (python3.x), node (nodejs20.x…), provided (provided.al2023) or http.")
      .build();

  public static final Setting<String> HANDLER = Setting.spec("handler", Kind.TEXT, FunctionSpec::handler, FunctionSpec.Builder::handler)
      .flag("--handler", "<handler>")
      .doc("Handler of a Lambda-style function: example.Hello::handleRequest (java), app.handler (python), index.handler (node).")
      .build();

  public static final Setting<String> COMMAND = Setting.spec("command", Kind.TEXT, FunctionSpec::command, FunctionSpec.Builder::command)
      .flag("--command", "<command>").doc("Command serving HTTP on $PORT (runtime http).")
      .build();

  public static final Setting<Integer> MEMORY = Setting.spec("memory", Kind.INTEGER, FunctionSpec::memoryMb, FunctionSpec.Builder::memoryMb)
      .stored("memoryMb").flag("--memory", "MB").doc("Memory per instance in MB (default 256; 512 for http).")
      .expected("an integer number of MB, e.g. 512").byDefault(FunctionSpec.DEFAULT_MEMORY_MB, true)
      .check(v -> range("memory", v, 64, 65_536))
      .view("memoryMb", Shown.ALWAYS, FunctionSpec::memoryMb)
      .build();

  public static final Setting<Integer> EPHEMERAL_STORAGE = Setting.spec("ephemeralStorage", Kind.INTEGER,
          FunctionSpec::ephemeralStorageMb, FunctionSpec.Builder::ephemeralStorageMb)
      .stored("ephemeralStorageMb").flag("--ephemeral-storage", "MB")
      .doc("Size of an instance's private /tmp in MB, emptied when the instance goes (Lambda's EphemeralStorage).")
      .expected("an integer number of MB, e.g. 1024").byDefault(FunctionSpec.DEFAULT_EPHEMERAL_STORAGE_MB, false)
      .check(v -> range("ephemeralStorage", v, 512, 10_240))
      .view("ephemeralStorageMb", Shown.ALWAYS, FunctionSpec::ephemeralStorageMb)
      .build();

  public static final Setting<Duration> TIMEOUT = Setting.spec("timeout", Kind.DURATION, FunctionSpec::timeout, FunctionSpec.Builder::timeout)
      .flag("--timeout", "DURATION").doc("Longest time one request may take, e.g. 30s.")
      .byDefault(FunctionSpec.DEFAULT_TIMEOUT, true)
      .check(v -> between("timeout", v, Duration.ofNanos(1), "1ms", Duration.ofMinutes(15), "15m"))
      .view("timeoutSeconds", Shown.ALWAYS, s -> s.timeout().toMillis() / 1000.0)
      .build();

  public static final Setting<Integer> CONCURRENCY = Setting.spec("concurrency", Kind.INTEGER, FunctionSpec::concurrency,
          FunctionSpec.Builder::concurrency)
      .flag("--concurrency", "N").doc("Requests one instance serves at once (default 1; 100 for http).")
      .byDefault(FunctionSpec.DEFAULT_CONCURRENCY, true)
      .check(v -> range("concurrency", v, 1, 1000))
      .build();

  public static final Setting<Integer> MIN_INSTANCES = Setting.spec("minInstances", Kind.INTEGER, FunctionSpec::minInstances,
          FunctionSpec.Builder::minInstances)
      .flag("--min-instances", "N").doc("Instances kept up while idle.")
      .byDefault(0, true)
      .check(v -> range("minInstances", v, 0, 1000))
      .build();

  public static final Setting<Integer> MAX_INSTANCES = Setting.spec("maxInstances", Kind.INTEGER, FunctionSpec::maxInstances,
          FunctionSpec.Builder::maxInstances)
      .flag("--max-instances", "N").doc("Most instances at once.")
      .byDefault(FunctionSpec.DEFAULT_MAX_INSTANCES, true)
      .check(v -> range("maxInstances", v, 1, 1000))
      .build();

  public static final Setting<Duration> IDLE_TIMEOUT = Setting.spec("idleTimeout", Kind.DURATION, FunctionSpec::idleTimeout,
          FunctionSpec.Builder::idleTimeout)
      .flag("--idle-timeout", "DURATION").doc("Idle time after which an instance stops, e.g. 5m.")
      .byDefault(FunctionSpec.DEFAULT_IDLE_TIMEOUT, true)
      .check(v -> between("idleTimeout", v, Duration.ZERO, "0s", Duration.ofDays(7), "7d"))
      .view("idleTimeoutSeconds", Shown.ALWAYS, s -> s.idleTimeout().toMillis() / 1000.0)
      .build();

  /** Checked by {@link FunctionSpec} itself, which also copies it. */
  public static final Setting<Map<String, String>> ENV = Setting.spec("env", Kind.MAP, FunctionSpec::env, FunctionSpec.Builder::env)
      .flag("--env", "KEY=VALUE").doc("Environment variable, merged over the manifest's env (repeatable).")
      .byDefault(Map.of(), true)
      .build();

  public static final Setting<Duration> MAX_EVENT_AGE = Setting.spec("maxEventAge", Kind.DURATION, FunctionSpec::maxEventAge,
          FunctionSpec.Builder::maxEventAge)
      .flag("--max-event-age", "DURATION")
      .doc("Event invocations not run successfully within this long are recorded as failed, e.g. 1h (default 6h).")
      .byDefault(FunctionSpec.DEFAULT_MAX_EVENT_AGE, false)
      .check(v -> between("maxEventAge", v, Duration.ofSeconds(1), "1s", FunctionSpec.DEFAULT_MAX_EVENT_AGE, "6h"))
      .notShown()
      .build();

  public static final Setting<Integer> MAX_RETRIES = Setting.spec("maxRetries", Kind.INTEGER, FunctionSpec::maxRetries,
          FunctionSpec.Builder::maxRetries)
      .flag("--max-retries", "N").doc("Retries of an Event invocation after a function error, 0..2 (default 2).")
      .byDefault(FunctionSpec.DEFAULT_MAX_RETRIES, false)
      .check(v -> range("maxRetries", v, 0, 2))
      .notShown()
      .build();

  public static final Setting<Duration> RETRY_DELAY = Setting.spec("retryDelay", Kind.DURATION, FunctionSpec::retryDelay,
          FunctionSpec.Builder::retryDelay)
      .flag("--retry-delay", "DURATION").daemonFlag("--async-retry-delay")
      .doc("Wait before the first retry of an Event invocation, doubled for the second (default: the daemon's, 1m).")
      .check(v -> between("retryDelay", v, ONE_MS, "1ms", ONE_HOUR, "1h"))
      .notShown()
      .build();

  public static final Setting<Double> TARGET_UTILIZATION = Setting.scaling("targetUtilization", Kind.DECIMAL,
          ScalingSettings::targetUtilization, ScalingSettings.Builder::targetUtilization)
      .flag("--target-utilization", "SHARE").daemonFlag("--target-utilization")
      .doc("Share of --concurrency the autoscaler aims to keep busy per instance, 0.01 to 1 (default: the daemon's, 0.7).")
      .check(v -> failIf(!(v >= 0.01 && v <= 1.0), "targetUtilization: " + v + " (expected: 0.01 to 1, e.g. 0.7)"))
      .build();

  public static final Setting<Duration> STABLE_WINDOW = Setting.scaling("stableWindow", Kind.DURATION, ScalingSettings::stableWindow,
          ScalingSettings.Builder::stableWindow)
      .flag("--stable-window", "DURATION").daemonFlag("--stable-window")
      .doc("Concurrency is averaged over this long for ordinary scaling decisions (default: the daemon's, 60s).")
      .check(v -> between("stableWindow", v, Duration.ofSeconds(6), "6s", ONE_HOUR, "1h"))
      .build();

  public static final Setting<Duration> PANIC_WINDOW = Setting.scaling("panicWindow", Kind.DURATION, ScalingSettings::panicWindow,
          ScalingSettings.Builder::panicWindow)
      .flag("--panic-window", "DURATION").daemonFlag("--panic-window")
      .doc("and over this long to detect a burst (default: the daemon's, 6s).")
      .check(v -> between("panicWindow", v, Duration.ofSeconds(1), "1s", ONE_HOUR, "1h"))
      .build();

  public static final Setting<Double> PANIC_THRESHOLD = Setting.scaling("panicThreshold", Kind.DECIMAL, ScalingSettings::panicThreshold,
          ScalingSettings.Builder::panicThreshold)
      .flag("--panic-threshold", "FACTOR").daemonFlag("--panic-threshold")
      .doc("Panic (scale on the panic window, never down) at this multiple of what the ready instances carry at target "
          + "(default: the daemon's, 2).")
      .check(v -> failIf(!(v >= 1.1 && v <= 10), "panicThreshold: " + v + " (expected: 1.1 to 10, e.g. 2 for twice the target)"))
      .build();

  public static final Setting<Double> MAX_SCALE_UP_RATE = Setting.scaling("maxScaleUpRate", Kind.DECIMAL, ScalingSettings::maxScaleUpRate,
          ScalingSettings.Builder::maxScaleUpRate)
      .flag("--max-scale-up-rate", "FACTOR").daemonFlag("--max-scale-up-rate")
      .doc("One scaling decision grows the instances to at most this multiple of the ready ones (default: the daemon's, 1000).")
      .check(v -> rate("maxScaleUpRate", v))
      .build();

  public static final Setting<Double> MAX_SCALE_DOWN_RATE = Setting.scaling("maxScaleDownRate", Kind.DECIMAL,
          ScalingSettings::maxScaleDownRate, ScalingSettings.Builder::maxScaleDownRate)
      .flag("--max-scale-down-rate", "FACTOR").daemonFlag("--max-scale-down-rate")
      .doc("and shrinks them to no less than the ready ones divided by this (default: the daemon's, 2).")
      .check(v -> rate("maxScaleDownRate", v))
      .build();

  public static final Setting<Integer> MAX_QUEUE = Setting.scaling("maxQueue", Kind.INTEGER, ScalingSettings::maxQueue,
          ScalingSettings.Builder::maxQueue)
      .flag("--max-queue", "N").daemonFlag("--max-queue")
      .doc("Requests that may wait for an instance; one more is answered 429 (default: the daemon's, 1000).")
      .check(v -> range("maxQueue", v, 1, 100_000))
      .build();

  public static final Setting<Duration> MAX_QUEUE_WAIT = Setting.scaling("maxQueueWait", Kind.DURATION, ScalingSettings::maxQueueWait,
          ScalingSettings.Builder::maxQueueWait)
      .flag("--max-queue-wait", "DURATION").daemonFlag("--max-queue-wait")
      .doc("How long a request may wait for an instance, then 429 (default: the daemon's, else the timeout and at least 10s).")
      .check(v -> between("maxQueueWait", v, ONE_MS, "1ms", Duration.ofMinutes(15), "15m"))
      .build();

  public static final Setting<Duration> SCALE_DOWN_DELAY = Setting.scaling("scaleDownDelay", Kind.DURATION, ScalingSettings::scaleDownDelay,
          ScalingSettings.Builder::scaleDownDelay)
      .flag("--scale-down-delay", "DURATION").daemonFlag("--scale-down-delay")
      .doc("The autoscaler never scales below what the busiest second of this last stretch needed; 0s: off (default: the daemon's, 60s).")
      .check(v -> failIf(v.isNegative() || v.compareTo(ONE_HOUR) > 0,
          "scaleDownDelay: " + (v.isNegative() ? v : Durations.format(v)) + " (expected: between 0s (off) and 1h)"))
      .build();

  public static final Setting<KeepAlive> KEEP_ALIVE = Setting.spec("keepAlive", Kind.KEEP_ALIVE, FunctionSpec::keepAlive,
          FunctionSpec.Builder::keepAlive)
      .flag("--keep-alive", "histogram|fixed|off").daemonFlag("--keep-alive")
      .doc("Idle instances: histogram (learned from the function's idle times: stopped early, pre-warmed before the next call), "
          + "fixed (kept for --idle-timeout) or off (stopped at once) (default: the daemon's, histogram).")
      .notShown()
      .build();

  /** Checked by {@link FunctionSpec} itself: whether it may be set depends on the runtime. */
  public static final Setting<String> READINESS_PATH = Setting.spec("readinessPath", Kind.TEXT, FunctionSpec::readinessPath,
          FunctionSpec.Builder::readinessPath)
      .flag("--readiness-path", "PATH")
      .doc("Runtime http: GET this path until any HTTP answer before a new instance takes requests; AOT training requests it too "
          + "(default /).")
      .view("readinessPath", Shown.WHEN_SET, s -> s.runtime() == Runtime.HTTP ? s.effectiveReadinessPath() : null)
      .build();

  public static final Setting<String> AUTH = Setting.spec("auth", Kind.TEXT, FunctionSpec::auth, FunctionSpec.Builder::auth)
      .flag("--auth", "none|token|aws_iam")
      .doc("Who may call the function URL: none (anyone who can reach the port, as a Lambda URL with AuthType NONE), token "
          + "(a bearer token the daemon issued) or aws_iam (a SigV4 signature with an access key it issued) (default none).")
      .check(v -> UrlAuth.parse(v))
      .view("auth", Shown.WHEN_SET, FunctionSpec::auth)
      .build();

  public static final Setting<String> INVOKE_MODE = Setting.spec("invokeMode", Kind.TEXT, FunctionSpec::invokeMode,
          FunctionSpec.Builder::invokeMode)
      .flag("--invoke-mode", "buffered|response_stream")
      .doc("How the function URL answers a Lambda-style function: buffered (the whole response at once) or response_stream (a "
          + "response the function streams is passed on chunk by chunk, as a Lambda URL with InvokeMode RESPONSE_STREAM) "
          + "(default buffered).")
      .check(v -> FunctionSpec.invokeMode(v))
      .view("invokeMode", Shown.WHEN_SET, FunctionSpec::invokeMode)
      .build();

  public static final Setting<String> ON_SUCCESS = Setting.spec("onSuccess", Kind.TEXT, FunctionSpec::onSuccess,
          FunctionSpec.Builder::onSuccess)
      .flag("--on-success", "DESTINATION")
      .doc("Where the record of an Event invocation that succeeded goes: a function (NAME or its Lambda ARN) or a RabbitMQ queue "
          + "(amqp://USER:PASSWORD@HOST:5672/VHOST?queue=NAME) (default: nowhere).")
      .view("onSuccess", Shown.WHEN_SET, s -> s.successDestination().map(Destination::arn).orElse(null))
      .build();

  public static final Setting<String> ON_FAILURE = Setting.spec("onFailure", Kind.TEXT, FunctionSpec::onFailure,
          FunctionSpec.Builder::onFailure)
      .flag("--on-failure", "DESTINATION")
      .doc("Where the record of an Event invocation given up on (retries exhausted, too old) goes, as --on-success "
          + "(default: kept in the function's failures, to re-drive).")
      .view("onFailure", Shown.WHEN_SET, s -> s.failureDestination().map(Destination::arn).orElse(null))
      .build();

  public static final Setting<String> DEAD_LETTER = Setting.spec("deadLetter", Kind.TEXT, FunctionSpec::deadLetter,
          FunctionSpec.Builder::deadLetter)
      .flag("--dead-letter", "DESTINATION")
      .doc("Where the payload of an Event invocation given up on goes, as Lambda's dead-letter queue: a function or a RabbitMQ "
          + "queue (default: none).")
      .view("deadLetter", Shown.WHEN_SET, s -> s.deadLetterTarget().map(Destination::arn).orElse(null))
      .build();

  public static final Setting<String> DESCRIPTION = Setting.spec("description", Kind.TEXT, FunctionSpec::description,
          FunctionSpec.Builder::description)
      .flag("--description", "TEXT")
      .doc("Free text describing the function, returned by the Lambda API as Description (default: none).")
      .check(v -> failIf(v.length() > 256, "description: " + v.length() + " characters (expected: at most 256, as on Lambda)"))
      .view("description", Shown.WHEN_SET, FunctionSpec::description)
      .build();

  public static final Setting<String> ROLE = Setting.spec("role", Kind.TEXT, FunctionSpec::role, FunctionSpec.Builder::role)
      .flag("--role", "ARN")
      .doc("The IAM role ARN a Lambda client gave at CreateFunction; kept and returned as Role, not used (Pilotlight's own keys "
          + "and roles decide access) (default: none).")
      .check(v -> failIf(v.length() > 2048, "role: " + v.length() + " characters (expected: at most 2048)"))
      .notShown()
      .build();

  /** Checked by {@link #checkTags}: keys and values as Lambda limits them. */
  public static final Setting<Map<String, String>> TAGS = Setting.spec("tags", Kind.MAP, FunctionSpec::tags, FunctionSpec.Builder::tags)
      .flag("--tags", "KEY=VALUE")
      .doc("Lambda tag of the function as KEY=VALUE (repeatable; replaces the manifest's tags), also set by CreateFunction, TagResource and UntagResource and returned by ListTags and GetFunction (default: none).")
      .byDefault(Map.of(), false)
      .check(FunctionSettings::checkTags)
      .view("tags", Shown.WHEN_SET, s -> s.tags().isEmpty() ? null : s.tags())
      .build();

  public static final Setting<String> AWS_RUNTIME = Setting.spec("awsRuntime", Kind.TEXT, FunctionSpec::awsRuntime,
          FunctionSpec.Builder::awsRuntime)
      .flag("--aws-runtime", "IDENTIFIER")
      .doc("The Lambda runtime identifier the function was created with through the Lambda API (e.g. nodejs22.x), returned as "
          + "Runtime; the function runs on the interpreter or JDK of its family that the daemon found (default: none).")
      .view("awsRuntime", Shown.WHEN_SET, FunctionSpec::awsRuntime)
      .build();

  public static final Setting<Integer> RESERVED_CONCURRENCY = Setting.spec("reservedConcurrency", Kind.INTEGER,
          FunctionSpec::reservedConcurrency, FunctionSpec.Builder::reservedConcurrency)
      .flag("--reserved-concurrency", "N")
      .doc("Lambda's reserved concurrency: at most N requests at once (instances capped at N / concurrency), and those "
          + "instances are never stopped to make room for another function; the node refuses reservations whose memory "
          + "exceeds its budget (default: none).")
      .check(v -> range("reservedConcurrency", v, 0, 100_000))
      .view("reservedConcurrency", Shown.WHEN_SET, FunctionSpec::reservedConcurrency)
      .build();

  public static final Setting<Map<String, String>> PERMISSIONS = Setting.spec("permissions", Kind.MAP, FunctionSpec::permissions,
          FunctionSpec.Builder::permissions)
      .flag("--permissions", "SID=STATEMENT")
      .doc("Statement of Lambda's resource-based policy as SID=its JSON (repeatable; replaces the manifest's), also set by "
          + "AddPermission and RemovePermission and returned by GetPolicy; it decides what other functions' own keys may invoke here (default: none).")
      .byDefault(Map.of(), false)
      .check(v -> failIf(v.size() > 100, "permissions: " + v.size() + " statements (expected: at most 100)"))
      .notShown()
      .build();

  /** Checked by {@link FunctionSpec} itself (with {@code env}, which may not set the same variable). */
  public static final Setting<Map<String, String>> SECRETS = Setting.spec("secrets", Kind.MAP, FunctionSpec::secrets,
          FunctionSpec.Builder::secrets)
      .flag("--secrets", "VARIABLE=SECRET")
      .doc("Environment variable whose value is a secret of the daemon's store (pilotlight secrets set), read when each instance "
          + "starts; the function's view shows the secret's name, never its value (repeatable; replaces the manifest's) (default: none).")
      .byDefault(Map.of(), false)
      .view("secrets", Shown.WHEN_SET, s -> s.secrets().isEmpty() ? null : s.secrets())
      .build();

  public static final Setting<Map<String, String>> SECRET_FILES = Setting.spec("secretFiles", Kind.MAP, FunctionSpec::secretFiles,
          FunctionSpec.Builder::secretFiles)
      .flag("--secret-files", "FILE=SECRET")
      .doc("File whose content is a secret, read-only at /run/secrets/FILE in the instance ($PILOTLIGHT_SECRETS_DIR/FILE), "
          + "written when each instance starts and removed when it stops (repeatable; replaces the manifest's) (default: none).")
      .byDefault(Map.of(), false)
      .view("secretFiles", Shown.WHEN_SET, s -> s.secretFiles().isEmpty() ? null : s.secretFiles())
      .build();

  /** Every setting, in manifest order. */
  public static final List<Setting<?>> ALL = List.of(NAME, RUNTIME, HANDLER, COMMAND, MEMORY, EPHEMERAL_STORAGE, TIMEOUT, CONCURRENCY, MIN_INSTANCES,
      MAX_INSTANCES, IDLE_TIMEOUT, ENV, SECRETS, SECRET_FILES, MAX_EVENT_AGE, MAX_RETRIES, RETRY_DELAY, TARGET_UTILIZATION, STABLE_WINDOW, PANIC_WINDOW,
      PANIC_THRESHOLD, MAX_SCALE_UP_RATE, MAX_SCALE_DOWN_RATE, MAX_QUEUE, MAX_QUEUE_WAIT, SCALE_DOWN_DELAY, KEEP_ALIVE, READINESS_PATH, AUTH,
      INVOKE_MODE, ON_SUCCESS, ON_FAILURE, DEAD_LETTER, DESCRIPTION, ROLE, TAGS, AWS_RUNTIME, RESERVED_CONCURRENCY, PERMISSIONS);

  /** The autoscaler and queue settings, as {@link ScalingSettings} holds them. */
  public static final List<Setting<?>> SCALING = ALL.stream().filter(Setting::isScaling).toList();

  /** The setting with this manifest key. */
  public static Optional<Setting<?>> byKey(String key) {
    return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
  }

  /** The manifest keys, in order. */
  public static List<String> keys() {
    return ALL.stream().map(Setting::key).toList();
  }

  /** Lambda's limits: at most 50 tags, keys 1..128 characters not starting with {@code aws:}, values up to 256. */
  static void checkTags(Map<String, String> tags) {
    failIf(tags.size() > 50, "tags: " + tags.size() + " tags (expected: at most 50, as on Lambda)");
    for (var e : tags.entrySet()) {
      String k = e.getKey();
      failIf(k == null || k.isEmpty() || k.length() > 128, "tags: key '" + k + "' (expected: 1 to 128 characters)");
      failIf(k.toLowerCase(java.util.Locale.ROOT).startsWith("aws:"), "tags: key '" + k + "' (keys starting with aws: are reserved)");
      failIf(e.getValue() == null || e.getValue().length() > 256, "tags: value of '" + k + "' (expected: a string of at most 256 characters)");
    }
  }

  private static void range(String key, int value, int min, int max) {
    failIf(value < min || value > max, key + ": " + value + " (expected: " + min + ".." + max + ")");
  }

  /** Durations print as Java does ({@code PT0S}): the value may be one no manifest could write. */
  private static void between(String key, Duration d, Duration min, String minText, Duration max, String maxText) {
    failIf(d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0,
        key + ": " + d + " (expected: between " + minText + " and " + maxText + ")");
  }

  private static void rate(String key, double rate) {
    failIf(!(rate > 1.0 && rate <= 1_000_000), key + ": " + rate + " (expected: more than 1, e.g. 2 to halve or double at most per decision)");
  }

  private static void failIf(boolean failed, String message) {
    if (failed) {
      throw new Failure.InvalidInput(message);
    }
  }
}
