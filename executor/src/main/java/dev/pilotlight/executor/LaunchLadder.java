package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Runtime;
import java.util.List;

/**
 * Which launch strategies exist and which one a function may use, fastest first:
 * {@code snapshot} (a CRIU restore of an initialised {@code http} app, see Snapshots), {@code pool-layer} (a pre-started Java runner with the function's exact library jars already
 * loaded), {@code pool} (a pre-started Java runner without libraries, or a pre-started python or
 * node bootstrap), {@code aot} (a new JVM mapping the function's AOT cache, see AotCaches), then
 * {@code plain} (a new process). See WarmPool for how a runner is chosen.
 *
 * <p>A function can cap its rung with the environment variable {@code PILOTLIGHT_LAUNCH}:
 * {@code auto} (the default: the fastest available), {@code snapshot} (the same: at most a
 * snapshot restore), {@code pool} (a pool runner, never a layered
 * one), {@code aot} (never the pool, never a snapshot) or {@code plain}. The cold-start benchmark uses it to measure each rung side by side.
 *
 * <p>A function whose own environment sets a variable that its runtime (or the dynamic linker)
 * reads only while the process starts ({@link #startUpVariable}) never gets a pre-started process:
 * that process has started without it, and setting it afterwards would not have the effect it has
 * on a plain launch. (A java function then gets a new JVM with its AOT cache, or a plain one.)
 */
final class LaunchLadder {
  static final String PLAIN = "plain";
  static final String POOL = "pool";
  static final String AOT = "aot";
  static final String SNAPSHOT = "snapshot";
  static final String SETTING = "PILOTLIGHT_LAUNCH";

  /** Read by every process's dynamic linker or C library at start ({@code LD_LIBRARY_PATH}, {@code LANG}, {@code LC_ALL}…). */
  private static final List<String> PROCESS_START_PREFIXES = List.of("LD_", "LANG", "LC_");
  /** Read by CPython at start: {@code PYTHONPATH}, {@code PYTHONHASHSEED}, {@code PYTHONUTF8}, {@code PYTHONWARNINGS}… */
  private static final List<String> PYTHON_START_PREFIXES = List.of("PYTHON");
  /** Read by Node at start: {@code NODE_OPTIONS}, {@code NODE_PATH}, {@code NODE_EXTRA_CA_CERTS}, libuv's {@code UV_THREADPOOL_SIZE}, OpenSSL's. */
  private static final List<String> NODE_START_PREFIXES = List.of("NODE_", "UV_", "OPENSSL_", "SSL_CERT_");
  /** Read by the JVM's launcher at start: extra JVM options. */
  private static final List<String> JAVA_START_NAMES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private LaunchLadder() {}

  static boolean mayUseLayer(Deployment d) {
    return d.spec().runtime() == Runtime.JAVA && mayUsePool(d) && !POOL.equals(setting(d));
  }

  static boolean mayUsePool(Deployment d) {
    Runtime r = d.spec().runtime();
    if (PLAIN.equals(setting(d)) || AOT.equals(setting(d))) {
      return false;
    }
    return (r == Runtime.JAVA || r == Runtime.PYTHON || r == Runtime.NODE)
        && d.spec().env().keySet().stream().noneMatch(k -> startUpVariable(r, k));
  }

  /**
   * {@code http} apps, unless capped below the snapshot rung ({@code auto}, the default, and
   * {@code snapshot}, "at most a snapshot", allow it).
   */
  static boolean mayUseSnapshot(Deployment d) {
    String s = setting(d);
    return d.spec().runtime() == Runtime.HTTP && (s == null || s.equals("auto") || s.equals(SNAPSHOT));
  }

  /** Java functions, and http apps whose command runs a JVM (their cache goes in through JAVA_TOOL_OPTIONS). */
  static boolean mayUseAot(Deployment d) {
    return (d.spec().runtime() == Runtime.JAVA || d.spec().runtime() == Runtime.HTTP)
        && !PLAIN.equals(setting(d)) && !POOL.equals(setting(d));
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
    return own.stream().anyMatch(name::startsWith) || PROCESS_START_PREFIXES.stream().anyMatch(name::startsWith);
  }

  private static String setting(Deployment d) {
    return d.spec().env().get(SETTING);
  }
}
