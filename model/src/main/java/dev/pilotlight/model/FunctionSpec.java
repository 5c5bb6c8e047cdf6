package dev.pilotlight.model;

import dev.pilotlight.model.auth.UrlAuth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a user asked for when deploying a function: everything in {@code pilotlight.yaml} after
 * flags were applied. Immutable and validated on construction; every error names the key, the
 * value and what is allowed. Each component but {@code scaling} is one setting declared in
 * {@link FunctionSettings} (its check, default and text forms there); build one with
 * {@link #builder()}, which starts from the defaults.
 *
 * @param name function name, {@code [a-z0-9][a-z0-9-]{0,62}}
 * @param runtime how instances are hosted
 * @param handler what the runtime calls: {@code pkg.Class::method} (java), {@code module.function}
 *     (python), {@code file.handler} (node), optional for provided; null for {@code http}
 * @param command shell command for {@code http} (run with {@code sh -c} in the package directory)
 * @param memoryMb memory per instance in MB (default {@value #DEFAULT_MEMORY_MB}; for {@code http}
 *     {@value #DEFAULT_HTTP_MEMORY_MB}, see {@link #DEFAULT_HTTP_MEMORY_MB}); the JVM heap limit for java
 * @param timeout maximum time for one request (default 30 s)
 * @param concurrency requests one instance serves at once (default 1, as on Lambda; for {@code http}
 *     {@value #DEFAULT_HTTP_CONCURRENCY}, see {@link #DEFAULT_HTTP_CONCURRENCY})
 * @param minInstances instances kept up even when idle (default 0: scale to zero)
 * @param maxInstances most instances at once (default {@value #DEFAULT_MAX_INSTANCES})
 * @param idleTimeout an instance with no requests for this long is stopped (default 5 min)
 * @param env environment variables given to every instance
 * @param maxEventAge an asynchronous ({@code Event}) invocation not run successfully within this
 *     long of being accepted is recorded as failed (default 6 h, as on Lambda; 1 s to 6 h)
 * @param maxRetries retries of an asynchronous invocation after a function error (default 2, as on
 *     Lambda; 0 to 2)
 * @param retryDelay wait before the first retry of an asynchronous invocation, doubled for the
 *     second; null means the daemon's default (1 min, as on Lambda)
 * @param scaling autoscaler and queue settings; each unset one is the daemon's (see {@link ScalingSettings})
 * @param keepAlive how an idle instance is kept and pre-warmed ({@link KeepAlive}); null means the
 *     daemon's {@code --keep-alive} (default {@code histogram})
 * @param readinessPath {@code http} only: the path (with an optional query) of the {@code GET} that
 *     decides when a new instance is ready — any HTTP answer counts — and that the AOT training run
 *     sends; null means {@value #DEFAULT_READINESS_PATH}
 * @param auth who may call the function's URL: {@code none} (null: anyone, like a Lambda URL with
 *     {@code AuthType: NONE}), {@code token} or {@code aws_iam} ({@link UrlAuth})
 * @param ephemeralStorageMb the size of an instance's private {@code /tmp} in MB (default
 *     {@value #DEFAULT_EPHEMERAL_STORAGE_MB}, as Lambda's; at most 10,240)
 * @param invokeMode how the function URL answers a Lambda-style function: null for {@code BUFFERED}
 *     (the whole response at once, the default) or {@value #RESPONSE_STREAM} (a streamed response
 *     passed on as it comes), as a Lambda URL's {@code InvokeMode}
 * @param onSuccess where the record of an asynchronous invocation that succeeded is sent
 *     ({@link Destination}: a function or a RabbitMQ queue); null: nowhere
 * @param onFailure where the record of an asynchronous invocation given up on (retries exhausted,
 *     too old) is sent; null: it is kept as a failure to re-drive
 * @param deadLetter where the payload of an asynchronous invocation given up on is sent, as
 *     Lambda's dead-letter queue; null: none
 * @param description free text kept and returned (Lambda's {@code Description}); null: none
 * @param role the IAM role ARN a Lambda client gave (Lambda's {@code Role}), kept and returned; null: none
 * @param tags Lambda's tags of the function, kept and returned; empty: none
 * @param awsRuntime the Lambda runtime identifier the function was created with ({@code nodejs22.x}), read
 *     back as written; it must belong to {@code runtime}'s family; null: none given
 * @param reservedConcurrency Lambda's reserved concurrency: at most this many requests at once, and the
 *     instances that serve them are never stopped to make room for another function; null: none
 * @param permissions the statements of Lambda's resource-based policy (AddPermission), by statement
 *     id, each the statement's JSON; they decide what other functions' own keys may invoke here (docs/security.md)
 * @param secrets environment variables whose values are secrets of the daemon's secret store:
 *     variable name to secret name; resolved when an instance starts, never stored in the revision
 * @param secretFiles files whose contents are secrets: file name to secret name; each is read-only
 *     at {@value #SECRETS_DIR}/{@code <file name>} inside the instance (see {@link Secrets})
 */
public record FunctionSpec(
    String name,
    Runtime runtime,
    String handler,
    String command,
    int memoryMb,
    Duration timeout,
    int concurrency,
    int minInstances,
    int maxInstances,
    Duration idleTimeout,
    Map<String, String> env,
    Duration maxEventAge,
    int maxRetries,
    Duration retryDelay,
    ScalingSettings scaling,
    KeepAlive keepAlive,
    String readinessPath,
    String auth,
    int ephemeralStorageMb,
    String invokeMode,
    String onSuccess,
    String onFailure,
    String deadLetter,
    String description,
    String role,
    Map<String, String> tags,
    String awsRuntime,
    Integer reservedConcurrency,
    Map<String, String> permissions,
    Map<String, String> secrets,
    Map<String, String> secretFiles) {

  /** Where an instance in a sandbox finds its {@code secretFiles}; also its {@code PILOTLIGHT_SECRETS_DIR}. */
  public static final String SECRETS_DIR = Secrets.SANDBOX_DIR;

  public static final int DEFAULT_MEMORY_MB = 256;
  /** The {@code invokeMode} whose function URL streams. */
  public static final String RESPONSE_STREAM = "RESPONSE_STREAM";
  /** Lambda's default {@code /tmp} size (its EphemeralStorage), in MB. */
  public static final int DEFAULT_EPHEMERAL_STORAGE_MB = 512;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_CONCURRENCY = 1;
  /**
   * An {@code http} app's default: a web server serves many requests at once, and its users come
   * from Knative (a soft target of 100 requests per pod, no hard limit by default) and Cloud Run
   * (at most 80 per instance by default). One request per instance, Lambda's rule, would start an
   * instance — a whole JVM — for every concurrent request.
   */
  public static final int DEFAULT_HTTP_CONCURRENCY = 100;

  /**
   * Memory of an {@code http} app's instance when it sets none: Cloud Run's default (512 MiB), which
   * goes with its concurrency of 80 as ours goes with {@link #DEFAULT_HTTP_CONCURRENCY}. A web app
   * serves up to a hundred requests at once, each with its buffers and (often) a thread: a JVM
   * app at 256 MB was killed by the kernel under 100 concurrent requests here (hello-http, JDK
   * HttpServer, docs/performance.md). Lambda-style functions serve one request at a time and keep
   * {@link #DEFAULT_MEMORY_MB}.
   */
  public static final int DEFAULT_HTTP_MEMORY_MB = 512;
  public static final int DEFAULT_MAX_INSTANCES = 10;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_MAX_EVENT_AGE = Duration.ofHours(6);
  public static final int DEFAULT_MAX_RETRIES = 2;
  public static final String DEFAULT_READINESS_PATH = "/";
  /** Lambda's limit on a function's environment: keys and values together, in bytes (UTF-8). */
  public static final int MAX_ENV_BYTES = 4096;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern HANDLER = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*(::[A-Za-z_$][\\w$]*)?");
  /** {@code module.function}; the module may be dotted ({@code pkg.mod.fn}) or a path ({@code src/app.fn}), as AWS allows. */
  private static final Pattern PYTHON_HANDLER = Pattern.compile("([A-Za-z_]\\w*[./])*[A-Za-z_]\\w*\\.[A-Za-z_]\\w*");
  /** {@code file.handler}; the file may be in a subdirectory and the export nested ({@code src/app.api.get}). */
  private static final Pattern NODE_HANDLER = Pattern.compile("([\\w.-]+/)*[\\w-]+(\\.[A-Za-z_$][\\w$]*)+");
  /** AWS limits handlers to 128 characters of non-whitespace. */
  private static final Pattern ANY_HANDLER = Pattern.compile("\\S{1,128}");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** An origin-form request target: '/' then printable ASCII without spaces (it goes into a request line as is). */
  private static final Pattern READINESS_PATH = Pattern.compile("/[!-~]{0,1023}");

  public FunctionSpec(String name, Runtime runtime, String handler, String command, int memoryMb, Duration timeout, int concurrency,
      int minInstances, int maxInstances, Duration idleTimeout, Map<String, String> env, Duration maxEventAge, int maxRetries,
      Duration retryDelay, ScalingSettings scaling, KeepAlive keepAlive, String readinessPath, String auth,
      int ephemeralStorageMb, String invokeMode, String onSuccess, String onFailure, String deadLetter, String description,
      String role, Map<String, String> tags, String awsRuntime, Integer reservedConcurrency, Map<String, String> permissions,
      Map<String, String> secrets, Map<String, String> secretFiles) {
    validateName(name);
    if (runtime == null) {
      throw new Failure.InvalidInput("runtime is missing (expected one of: " + Runtime.accepted() + ")");
    }
    if (runtime.lambdaStyle()) {
      checkHandler(runtime, handler);
    } else if (command == null || command.isBlank()) {
      throw new Failure.InvalidInput("command is missing (runtime http needs a command that serves HTTP on $PORT)");
    }
    this.name = name;
    this.runtime = runtime;
    this.handler = handler;
    this.command = command;
    this.memoryMb = memoryMb;
    this.timeout = timeout;
    this.concurrency = concurrency;
    this.minInstances = minInstances;
    this.maxInstances = maxInstances;
    this.idleTimeout = idleTimeout;
    this.env = checkedEnv(env);
    this.maxEventAge = maxEventAge;
    this.maxRetries = maxRetries;
    this.retryDelay = retryDelay;
    this.scaling = scaling == null ? ScalingSettings.UNSET : scaling;
    this.keepAlive = keepAlive;
    this.readinessPath = readinessPath;
    this.auth = auth == null || auth.isBlank() || UrlAuth.parse(auth) == UrlAuth.NONE ? null : UrlAuth.parse(auth).id();
    this.ephemeralStorageMb = ephemeralStorageMb;
    this.invokeMode = invokeMode(invokeMode);
    this.onSuccess = destination(FunctionSettings.ON_SUCCESS.key(), onSuccess, name);
    this.onFailure = destination(FunctionSettings.ON_FAILURE.key(), onFailure, name);
    this.deadLetter = destination(FunctionSettings.DEAD_LETTER.key(), deadLetter, name);
    this.description = description == null || description.isEmpty() ? null : description;
    this.role = role == null || role.isBlank() ? null : role.strip();
    this.tags = tags == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(tags));
    this.awsRuntime = awsRuntime(runtime, awsRuntime);
    this.reservedConcurrency = reservedConcurrency;
    this.permissions = permissions == null ? Map.of() : Collections.unmodifiableMap(new java.util.LinkedHashMap<>(permissions));
    this.secrets = Secrets.checkedEnv(secrets, this.env);
    this.secretFiles = Secrets.checkedFiles(secretFiles);
    if (!runtime.lambdaStyle() && (this.onSuccess != null || this.onFailure != null || this.deadLetter != null)) {
      throw new Failure.InvalidInput("onSuccess, onFailure, deadLetter: only Lambda-style functions take asynchronous invocations "
          + "(an http app has no destinations)");
    }
    if (this.invokeMode != null && runtime == Runtime.HTTP) {
      throw new Failure.InvalidInput("invokeMode: '" + invokeMode + "' (only Lambda-style functions have one; an http app's "
          + "responses pass through as the app sends them)");
    }
    for (Setting<?> s : FunctionSettings.ALL) {
      if (!s.isScaling()) { // ScalingSettings checks its own
        check(s);
      }
    }
    if (minInstances > maxInstances) {
      throw new Failure.InvalidInput("minInstances: " + minInstances + " (expected: <= maxInstances " + maxInstances + ")");
    }
    if (readinessPath != null) {
      if (runtime != Runtime.HTTP) {
        throw new Failure.InvalidInput("readinessPath: '" + readinessPath + "' (only runtime http has one; runtime " + runtime
            + " is ready when its runtime asks for the first event)");
      }
      if (!READINESS_PATH.matcher(readinessPath).matches()) {
        throw new Failure.InvalidInput("readinessPath: '" + readinessPath + "' (expected: a path starting with '/', up to 1024 "
            + "printable ASCII characters without spaces, e.g. /healthz or /ready?probe=1)");
      }
    }
  }

  private <T> void check(Setting<T> s) {
    s.check(s.get(this));
  }

  /**
   * The environment variables Lambda defines for every function and refuses in a function's own
   * configuration ("reserved" in AWS's list of defined runtime environment variables). Pilotlight
   * sets each of them itself, from the function and the instance.
   */
  public static final java.util.Set<String> RESERVED_ENV = java.util.Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION",
      "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
      "LAMBDA_RUNTIME_DIR");

  /**
   * Refuses {@code env} when it sets a {@link #RESERVED_ENV reserved} variable, as Lambda refuses it
   * (checked at deploy and configuration changes, not when a stored revision is read back, so a
   * revision stored before the check still loads; its reserved keys are ignored when an instance starts).
   */
  public static void checkNotReserved(Map<String, String> env) {
    java.util.List<String> used = env.keySet().stream().filter(RESERVED_ENV::contains).sorted().toList();
    if (!used.isEmpty()) {
      throw new Failure.InvalidInput("env: " + String.join(", ", used) + (used.size() == 1 ? " is" : " are")
          + " reserved: Pilotlight sets " + (used.size() == 1 ? "it" : "them") + " for every function, as Lambda does "
          + "(docs/lambda-compatibility.md lists what each runtime gets)");
    }
  }

  private static Map<String, String> checkedEnv(Map<String, String> env) {
    Map<String, String> copy = env == null ? Map.of() : new TreeMap<>(env);
    for (var e : copy.entrySet()) {
      if (!ENV_KEY.matcher(e.getKey()).matches()) {
        throw new Failure.InvalidInput("env: key '" + e.getKey() + "' (expected: [A-Za-z_][A-Za-z0-9_]*)");
      }
      if (e.getValue() == null) {
        throw new Failure.InvalidInput("env: key '" + e.getKey() + "' has no value");
      }
      if (e.getValue().indexOf('\0') >= 0) {
        // An operating system's environment cannot hold one: no instance could ever start.
        throw new Failure.InvalidInput("env: the value of '" + e.getKey() + "' contains a NUL character (U+0000), which no process environment can hold");
      }
    }
    int bytes = copy.entrySet().stream()
        .mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    if (bytes > MAX_ENV_BYTES) {
      throw new Failure.InvalidInput("env: " + bytes + " bytes of keys and values (expected: at most " + MAX_ENV_BYTES
          + " in total, as on Lambda; keep large configuration in the package or a file)");
    }
    return Collections.unmodifiableMap(copy);
  }

  /** A builder with every setting at its default ({@link FunctionSettings}); name and runtime are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's settings. */
  /** The memory a function of {@code runtime} gets when it sets none. */
  public static int defaultMemoryMb(Runtime runtime) {
    return runtime == Runtime.HTTP ? DEFAULT_HTTP_MEMORY_MB : DEFAULT_MEMORY_MB;
  }

  /** The concurrency a function of {@code runtime} gets when it sets none. */
  public static int defaultConcurrency(Runtime runtime) {
    return runtime == Runtime.HTTP ? DEFAULT_HTTP_CONCURRENCY : DEFAULT_CONCURRENCY;
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** This spec with other scaling settings. */
  public FunctionSpec withScaling(ScalingSettings s) {
    return toBuilder().scaling(s).build();
  }

  /** This spec with another keep-alive policy (null: the daemon's). */
  public FunctionSpec withKeepAlive(KeepAlive k) {
    return toBuilder().keepAlive(k).build();
  }

  /** This spec with another readiness path (null: {@value #DEFAULT_READINESS_PATH}). */
  public FunctionSpec withReadinessPath(String path) {
    return toBuilder().readinessPath(path).build();
  }

  /** Whether the function URL passes a streamed response on as it comes ({@code invokeMode: RESPONSE_STREAM}). */
  public boolean streamsUrlResponses() {
    return invokeMode != null;
  }

  /** An {@code invokeMode} as stored: null for {@code BUFFERED}, else {@value #RESPONSE_STREAM}; any other value is refused. */
  public static String invokeMode(String v) {
    if (v == null || v.isBlank() || v.strip().equalsIgnoreCase("BUFFERED")) {
      return null;
    }
    if (v.strip().replace('-', '_').equalsIgnoreCase(RESPONSE_STREAM)) {
      return RESPONSE_STREAM;
    }
    throw new Failure.InvalidInput("invokeMode: '" + v + "' (expected: buffered or response_stream)");
  }

  /**
   * An {@code awsRuntime} as stored: lower case; null when blank or only a name of the family
   * ({@code java}, {@code python3}), which is no Lambda identifier; refused when of another family.
   */
  private static String awsRuntime(Runtime runtime, String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    String id = v.strip().toLowerCase(java.util.Locale.ROOT);
    if (Runtime.parse(id) != runtime) {
      throw new Failure.InvalidInput("awsRuntime: '" + v + "' is not a runtime of family " + runtime + " (expected one of: "
          + String.join(", ", runtime.awsIdentifiers()) + ")");
    }
    return runtime.awsIdentifiers().contains(id) ? id : null;
  }

  /**
   * Whether this spec and {@code other} differ at most in what no running instance sees: the
   * description, role, tags, resource policy statements and reserved concurrency. Such a change is
   * made to the current revision in place, without new instances.
   */
  public boolean differsOnlyInMetadata(FunctionSpec other) {
    return withoutMetadata().equals(other.withoutMetadata());
  }

  private FunctionSpec withoutMetadata() {
    return toBuilder().description(null).role(null).tags(Map.of()).permissions(Map.of()).reservedConcurrency(null).build();
  }

  /**
   * The most instances the function may run: {@code maxInstances}, and with a reserved concurrency
   * no more than it takes to serve that many requests at once ({@code concurrency} per instance).
   */
  public int instanceCap() {
    return reservedConcurrency == null ? maxInstances : Math.min(maxInstances, reservedInstances());
  }

  /**
   * The instances never stopped to make room for another function: {@code minInstances}, and with
   * a reserved concurrency the instances that serve it.
   */
  public int guaranteedInstances() {
    return reservedConcurrency == null ? minInstances : Math.max(minInstances, Math.min(maxInstances, reservedInstances()));
  }

  /** Instances serving {@code reservedConcurrency} requests at {@code concurrency} each (rounded up); 0 without one. */
  public int reservedInstances() {
    return reservedConcurrency == null ? 0 : (reservedConcurrency + concurrency - 1) / concurrency;
  }

  /** Memory the reserved instances hold, in MB: what a reservation takes from the node (0 without one). */
  public long reservedMemoryMb() {
    return (long) reservedInstances() * memoryMb;
  }

  /** A destination as stored: blank is none (null), anything else must parse ({@link Destination#parse}). */
  private static String destination(String key, String v, String owner) {
    if (v == null || v.isBlank()) {
      return null;
    }
    Destination.parse(key, v, owner);
    return v.strip();
  }

  /** Whether instances of this function get secrets (as variables or files): they are resolved when each starts. */
  public boolean usesSecrets() {
    return !secrets.isEmpty() || !secretFiles.isEmpty();
  }

  /** The names of the secrets this function refers to, sorted. */
  public java.util.SortedSet<String> secretNames() {
    java.util.SortedSet<String> names = new java.util.TreeSet<>(secrets.values());
    names.addAll(secretFiles.values());
    return names;
  }

  /** The parsed {@code onSuccess} destination, if any. */
  public java.util.Optional<Destination> successDestination() {
    return onSuccess == null ? java.util.Optional.empty() : java.util.Optional.of(Destination.parse("onSuccess", onSuccess, name));
  }

  /** The parsed {@code onFailure} destination, if any. */
  public java.util.Optional<Destination> failureDestination() {
    return onFailure == null ? java.util.Optional.empty() : java.util.Optional.of(Destination.parse("onFailure", onFailure, name));
  }

  /** The parsed {@code deadLetter} target, if any. */
  public java.util.Optional<Destination> deadLetterTarget() {
    return deadLetter == null ? java.util.Optional.empty() : java.util.Optional.of(Destination.parse("deadLetter", deadLetter, name));
  }

  /** The path an http instance is probed on: {@link #readinessPath()}, else {@value #DEFAULT_READINESS_PATH}. */
  public String effectiveReadinessPath() {
    return readinessPath == null ? DEFAULT_READINESS_PATH : readinessPath;
  }

  /**
   * The handler forms AWS's runtimes accept: {@code pkg.Class[::method]} (java), {@code module.function}
   * (python), {@code file.handler} (node); optional for provided, whose bootstrap reads it as
   * {@code _HANDLER} and interprets it itself.
   */
  private static void checkHandler(Runtime runtime, String handler) {
    boolean missing = handler == null || handler.isBlank();
    switch (runtime) {
      case JAVA -> check(runtime, handler, missing, HANDLER, "package.Class or package.Class::method, e.g. com.example.Hello::handleRequest");
      case PYTHON -> check(runtime, handler, missing, PYTHON_HANDLER, "module.function, e.g. app.handler or pkg.mod.handler");
      case NODE -> check(runtime, handler, missing, NODE_HANDLER, "file.handler, e.g. index.handler or src/app.handler");
      case PROVIDED -> {
        if (handler != null && !ANY_HANDLER.matcher(handler).matches()) {
          throw new Failure.InvalidInput("handler: '" + handler + "' (runtime provided expects: no handler, or up to 128 characters "
              + "without spaces, passed to the bootstrap as _HANDLER)");
        }
      }
      case HTTP -> throw new IllegalStateException("http has no handler");
    }
  }

  private static void check(Runtime runtime, String handler, boolean missing, Pattern form, String expected) {
    if (missing) {
      throw new Failure.InvalidInput("handler is missing (runtime " + runtime + " needs a handler: " + expected + ")");
    }
    if (!form.matcher(handler).matches()) {
      throw new Failure.InvalidInput("handler: '" + handler + "' (runtime " + runtime + " expects " + expected + ")");
    }
  }

  /** A spec with every optional setting at its default. */
  public static FunctionSpec of(String name, Runtime runtime, String handler, String command) {
    return builder().name(name).runtime(runtime).handler(handler).command(command).build();
  }

  /** Checks a function name, throwing {@link Failure.InvalidInput} that states the rule. */
  public static String validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new Failure.InvalidInput("name: '" + name + "' is not a valid function name (expected: [a-z0-9][a-z0-9-]{0,62}, e.g. hello-java)");
    }
    return name;
  }

  /** Builds a spec; each setting starts at its declared default, and {@link #build()} validates. */
  public static final class Builder {
    private String name;
    private Runtime runtime;
    private String handler;
    private String command;
    /** Null until set: then the runtime's default ({@link #defaultMemoryMb}). */
    private Integer memoryMb;
    private Duration timeout = FunctionSettings.TIMEOUT.defaultValue();
    /** Null until set: then the runtime's default ({@link #defaultConcurrency}). */
    private Integer concurrency;
    private int minInstances = FunctionSettings.MIN_INSTANCES.defaultValue();
    private int maxInstances = FunctionSettings.MAX_INSTANCES.defaultValue();
    private Duration idleTimeout = FunctionSettings.IDLE_TIMEOUT.defaultValue();
    private Map<String, String> env = FunctionSettings.ENV.defaultValue();
    private Duration maxEventAge = FunctionSettings.MAX_EVENT_AGE.defaultValue();
    private int maxRetries = FunctionSettings.MAX_RETRIES.defaultValue();
    private Duration retryDelay;
    private ScalingSettings.Builder scaling = ScalingSettings.builder();
    private KeepAlive keepAlive;
    private String readinessPath;
    private String auth;
    private int ephemeralStorageMb = FunctionSettings.EPHEMERAL_STORAGE.defaultValue();
    private String invokeMode;
    private String onSuccess;
    private String onFailure;
    private String deadLetter;
    private String description;
    private String role;
    private Map<String, String> tags = FunctionSettings.TAGS.defaultValue();
    private String awsRuntime;
    private Integer reservedConcurrency;
    private Map<String, String> permissions = FunctionSettings.PERMISSIONS.defaultValue();
    private Map<String, String> secrets = FunctionSettings.SECRETS.defaultValue();
    private Map<String, String> secretFiles = FunctionSettings.SECRET_FILES.defaultValue();

    private Builder() {}

    private Builder(FunctionSpec s) {
      for (Setting<?> setting : FunctionSettings.ALL) {
        copy(setting, s);
      }
    }

    private <T> void copy(Setting<T> setting, FunctionSpec from) {
      setting.set(this, setting.get(from));
    }

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder runtime(Runtime v) {
      runtime = v;
      return this;
    }

    public Builder handler(String v) {
      handler = v;
      return this;
    }

    public Builder command(String v) {
      command = v;
      return this;
    }

    public Builder memoryMb(int v) {
      memoryMb = v;
      return this;
    }

    public Builder timeout(Duration v) {
      timeout = v;
      return this;
    }

    public Builder concurrency(int v) {
      concurrency = v;
      return this;
    }

    public Builder minInstances(int v) {
      minInstances = v;
      return this;
    }

    public Builder maxInstances(int v) {
      maxInstances = v;
      return this;
    }

    public Builder idleTimeout(Duration v) {
      idleTimeout = v;
      return this;
    }

    public Builder env(Map<String, String> v) {
      env = v;
      return this;
    }

    public Builder maxEventAge(Duration v) {
      maxEventAge = v;
      return this;
    }

    public Builder maxRetries(int v) {
      maxRetries = v;
      return this;
    }

    /** Null: the daemon's. */
    public Builder retryDelay(Duration v) {
      retryDelay = v;
      return this;
    }

    /** Replaces every scaling setting; null: all the daemon's. */
    public Builder scaling(ScalingSettings v) {
      scaling = (v == null ? ScalingSettings.UNSET : v).toBuilder();
      return this;
    }

    /** Null: the daemon's. */
    public Builder keepAlive(KeepAlive v) {
      keepAlive = v;
      return this;
    }

    /** Null: {@value #DEFAULT_READINESS_PATH}. */
    public Builder readinessPath(String v) {
      readinessPath = v;
      return this;
    }

    public Builder ephemeralStorageMb(int v) {
      ephemeralStorageMb = v;
      return this;
    }

    public Builder invokeMode(String v) {
      invokeMode = v;
      return this;
    }

    public Builder auth(String v) {
      auth = v;
      return this;
    }

    /** Null: none. */
    public Builder onSuccess(String v) {
      onSuccess = v;
      return this;
    }

    /** Null: none. */
    public Builder onFailure(String v) {
      onFailure = v;
      return this;
    }

    /** Null: none. */
    public Builder deadLetter(String v) {
      deadLetter = v;
      return this;
    }

    /** Null: none. */
    public Builder description(String v) {
      description = v;
      return this;
    }

    /** Null: none. */
    public Builder role(String v) {
      role = v;
      return this;
    }

    public Builder tags(Map<String, String> v) {
      tags = v;
      return this;
    }

    /** The Lambda runtime identifier as written (it must be of {@link #runtime}'s family); null: none. */
    public Builder awsRuntime(String v) {
      awsRuntime = v;
      return this;
    }

    /** Null: none. */
    public Builder reservedConcurrency(Integer v) {
      reservedConcurrency = v;
      return this;
    }

    /** Statement id to the statement's JSON, in the order added. */
    public Builder permissions(Map<String, String> v) {
      permissions = v;
      return this;
    }

    /** Environment variable name to secret name. */
    public Builder secrets(Map<String, String> v) {
      secrets = v;
      return this;
    }

    /** File name (under {@value FunctionSpec#SECRETS_DIR}) to secret name. */
    public Builder secretFiles(Map<String, String> v) {
      secretFiles = v;
      return this;
    }

    /** The scaling settings being built, for {@link Setting#set}. */
    ScalingSettings.Builder scalingBuilder() {
      return scaling;
    }

    public FunctionSpec build() {
      return new FunctionSpec(name, runtime, handler, command, memoryMb != null ? memoryMb : defaultMemoryMb(runtime), timeout,
          concurrency != null ? concurrency : defaultConcurrency(runtime), minInstances, maxInstances, idleTimeout,
          env, maxEventAge, maxRetries, retryDelay, scaling.build(), keepAlive, readinessPath, auth,
          ephemeralStorageMb, invokeMode, onSuccess, onFailure, deadLetter, description, role, tags, awsRuntime, reservedConcurrency, permissions,
          secrets, secretFiles);
    }
  }
}
