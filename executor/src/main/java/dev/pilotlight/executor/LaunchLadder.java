package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Runtime;

/**
 * Which launch strategies exist and which one a function may use, fastest first:
 * {@code pool-layer} (a pre-started Java runner with the function's exact library jars already
 * loaded), {@code pool} (a pre-started Java runner without libraries), {@code aot} (a new JVM
 * mapping the function's AOT cache, see AotCaches), then {@code plain} (a new process). See
 * WarmPool for how a runner is chosen.
 *
 * <p>A function can cap its rung with the environment variable {@code PILOTLIGHT_LAUNCH}:
 * {@code auto} (the default: the fastest available), {@code pool} (a pool runner, never a layered
 * one), {@code aot} (never the pool) or {@code plain}. The cold-start benchmark uses it to measure each rung side by side.
 */
final class LaunchLadder {
  static final String PLAIN = "plain";
  static final String POOL = "pool";
  static final String AOT = "aot";
  static final String SETTING = "PILOTLIGHT_LAUNCH";

  private LaunchLadder() {}

  static boolean mayUseLayer(Deployment d) {
    return mayUsePool(d) && !POOL.equals(setting(d));
  }

  static boolean mayUsePool(Deployment d) {
    return d.spec().runtime() == Runtime.JAVA && !PLAIN.equals(setting(d)) && !AOT.equals(setting(d));
  }

  /** Java functions, and http apps whose command runs a JVM (their cache goes in through JAVA_TOOL_OPTIONS). */
  static boolean mayUseAot(Deployment d) {
    return (d.spec().runtime() == Runtime.JAVA || d.spec().runtime() == Runtime.HTTP)
        && !PLAIN.equals(setting(d)) && !POOL.equals(setting(d));
  }

  private static String setting(Deployment d) {
    return d.spec().env().get(SETTING);
  }
}
