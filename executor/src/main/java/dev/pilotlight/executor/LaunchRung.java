package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Runtime;
import java.util.List;

/**
 * The rungs of the launch ladder, fastest first, and which deployments each may serve: the one
 * place their names are spelled. The names are a contract: an instance's {@code launchStrategy()}
 * (status JSON {@code launch}, the log's {@code launch %s}, metrics' {@code strategy} tag, the
 * cold-start benchmark's output) and the values of {@link #SETTING}.
 *
 * <p>A function can cap its rung with the environment variable {@code PILOTLIGHT_LAUNCH}:
 * {@code auto} (the default: the fastest available), {@code snapshot} (the same: at most a
 * snapshot restore), {@code pool} (a pool runner, never a layered one, never an AOT cache),
 * {@code aot} (never the pool, never a snapshot) or {@code plain}. Any other value allows every
 * rung but the snapshot. The cold-start benchmark uses it to measure each rung side by side.
 *
 * <p>A function whose own environment sets a variable that its runtime (or the dynamic linker)
 * reads only while the process starts ({@link #startUpVariable}) never gets a pre-started process:
 * that process has started without it, and setting it afterwards would not have the effect it has
 * on a plain launch. (A java function then gets a new JVM with its AOT cache, or a plain one.)
 *
 * <p>A function that uses secrets never gets a snapshot restore: a restored process keeps the
 * environment and files it was imaged with, and no secret value may be written into an image. The
 * other rungs give it its secrets as they start it (InstanceSecrets); its AOT training runs without them.
 */
enum LaunchRung {
  /** A CRIU restore of an initialised {@code http} app (Snapshots, SnapshotRung). */
  SNAPSHOT("snapshot"),
  /** A pre-started Java runner with the function's exact library jars already loaded (PoolLayerRung). */
  POOL_LAYER("pool-layer"),
  /** A pre-started Java runner without libraries, or a pre-started python or node bootstrap (PoolRung). */
  POOL("pool"),
  /** A new JVM mapping the function's AOT cache (AotCaches, AotRung). */
  AOT("aot"),
  /** A new process (PlainRung). */
  PLAIN("plain");

  static final String SETTING = "PILOTLIGHT_LAUNCH";

  /** Read by every process's dynamic linker or C library at start ({@code LD_LIBRARY_PATH}, {@code LANG}, {@code LC_ALL}…). */
  private static final List<String> PROCESS_START_PREFIXES = List.of("LD_", "LANG", "LC_");
  /** Read by CPython at start: {@code PYTHONPATH}, {@code PYTHONHASHSEED}, {@code PYTHONUTF8}, {@code PYTHONWARNINGS}… */
  private static final List<String> PYTHON_START_PREFIXES = List.of("PYTHON");
  /** Read by Node at start: {@code NODE_OPTIONS}, {@code NODE_PATH}, {@code NODE_EXTRA_CA_CERTS}, libuv's {@code UV_THREADPOOL_SIZE}, OpenSSL's. */
  private static final List<String> NODE_START_PREFIXES = List.of("NODE_", "UV_", "OPENSSL_", "SSL_CERT_");
  /** Read by the JVM's launcher at start: extra JVM options. */
  private static final List<String> JAVA_START_NAMES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private final String id;

  LaunchRung(String id) {
    this.id = id;
  }

  /** The rung's name as users see it: {@code snapshot}, {@code pool-layer}, {@code pool}, {@code aot}, {@code plain}. */
  String id() {
    return id;
  }

  /**
   * Whether this rung may serve {@code d} at all: its runtime, its environment and its
   * {@link #SETTING}. Pure and cheap (the ladder asks on the caller's thread); whether the rung
   * has what it needs right now (a waiting runner, a trained cache, an image) is the rung's claim.
   */
  boolean admits(Deployment d) {
    Runtime r = d.spec().runtime();
    String setting = d.spec().env().get(SETTING);
    return switch (this) {
      // A restored process keeps the environment and files it was imaged with: it could get no secret (and none may be imaged).
      case SNAPSHOT -> r == Runtime.HTTP && (setting == null || setting.equals("auto") || setting.equals(SNAPSHOT.id))
          && !d.spec().usesSecrets();
      case POOL_LAYER -> r == Runtime.JAVA && POOL.admits(d) && !POOL.id.equals(setting);
      case POOL -> !PLAIN.id.equals(setting) && !AOT.id.equals(setting)
          && (r == Runtime.JAVA || r == Runtime.PYTHON || r == Runtime.NODE)
          && !setsStartUpVariable(r, d)
          // A runner started before its function knew nothing of the function's extensions, which start before the runtime.
          && ExternalExtensions.in(d.codeDir()).isEmpty();
      // Java functions, and http apps whose command runs a JVM (their cache goes in through JAVA_TOOL_OPTIONS).
      case AOT -> (r == Runtime.JAVA || r == Runtime.HTTP) && !PLAIN.id.equals(setting) && !POOL.id.equals(setting);
      case PLAIN -> true;
    };
  }

  // Asked on every cold start of a pool runtime, so plain loops: no stream or lambda allocated.
  private static boolean setsStartUpVariable(Runtime runtime, Deployment d) {
    for (String name : d.spec().env().keySet()) {
      if (startUpVariable(runtime, name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code name} is read by a {@code runtime} process only while it starts (java, python and node). */
  static boolean startUpVariable(Runtime runtime, String name) {
    if (runtime == Runtime.JAVA && JAVA_START_NAMES.contains(name)) {
      return true;
    }
    List<String> own = switch (runtime) {
      case PYTHON -> PYTHON_START_PREFIXES;
      case NODE -> NODE_START_PREFIXES;
      default -> List.of();
    };
    return startsWithAny(name, own) || startsWithAny(name, PROCESS_START_PREFIXES);
  }

  private static boolean startsWithAny(String name, List<String> prefixes) {
    for (String prefix : prefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
