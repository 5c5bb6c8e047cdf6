package dev.pilotlight.bench;

import java.time.Duration;
import java.util.List;

/**
 * A rung of the launch ladder as the benchmark measures it: each is its own deployed copy of the
 * example, capped with {@code PILOTLIGHT_LAUNCH} (see the executor's LaunchRung), so the rungs
 * can be timed side by side in one run. In the order measured.
 */
enum Rung {
  /**
   * The example as deployed ({@code auto}): the fastest rung available; for an http app a restored
   * CRIU snapshot when the daemon has CRIU (one copy at a time, which is all a cold start needs).
   */
  DEFAULT("default", null),
  /** A pool runner without library layer ({@code PILOTLIGHT_LAUNCH=pool}). */
  POOL("pool", "pool"),
  /** A new JVM mapping the function's AOT cache, once trained ({@code PILOTLIGHT_LAUNCH=aot}). */
  AOT("aot", "aot"),
  /** A new process ({@code PILOTLIGHT_LAUNCH=plain}). */
  PLAIN("plain", "plain"),
  /**
   * The cold start a user sees: the example as deployed, left to scale to zero by itself (idle
   * timeout 1 s, no scale-down delay; every copy has a fixed keep-alive), then called after a pause on a new
   * connection, with the pool refilling in the background as it would — nothing stopped or
   * settled by the benchmark before the call.
   */
  AS_USER("as-user", null);

  /** How long an {@link #AS_USER} call waits after the function scaled to zero by itself. */
  static final Duration USER_PAUSE = Duration.ofSeconds(2);

  static final String SETTING = "PILOTLIGHT_LAUNCH";

  private final String key;
  private final String launch;

  Rung(String key, String launch) {
    this.key = key;
    this.launch = launch;
  }

  /** Its name in tables and JSON. */
  String key() {
    return key;
  }

  /** The function name of this rung's copy: the example's own name, or {@code NAME-pool}, {@code NAME-plain}. */
  String functionName(String exampleFunction) {
    return this == DEFAULT ? exampleFunction : exampleFunction + "-" + key;
  }

  /** The extra {@code pilotlight deploy} arguments that make this rung's copy. */
  List<String> deployArgs(String exampleFunction) {
    if (this == AS_USER) {
      return List.of("--name", functionName(exampleFunction), "--idle-timeout", "1s", "--scale-down-delay", "0s");
    }
    return launch == null ? List.of() : List.of("--name", functionName(exampleFunction), "--env", SETTING + "=" + launch);
  }

  /** Whether this rung's cold start may take a runner from the warm pool. */
  boolean usesPool() {
    return this == DEFAULT || this == POOL || this == AS_USER;
  }

  /**
   * Whether the daemon trains an AOT cache for this rung's copy of an example of {@code kind} at
   * deploy time (java functions, and http apps on a JVM, unless capped to pool or plain).
   */
  boolean trainsAot(Example.Kind kind) {
    return (kind == Example.Kind.JAVA || kind == Example.Kind.HTTP) && (this == DEFAULT || this == AOT || this == AS_USER);
  }
}
