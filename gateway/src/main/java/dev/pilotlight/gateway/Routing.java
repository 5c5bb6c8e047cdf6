package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;

/**
 * Which pool serves a call: the function's traffic split, its aliases and a call's qualifier
 * decide the revision, and each revision other than the latest has a pool of its own. The daemon's
 * release service provides it; {@link #LATEST_ONLY} knows no releases.
 */
@FunctionalInterface
public interface Routing {
  /**
   * @param function the function's name
   * @param qualifier null for a call that follows the function's traffic split (a URL call, a
   *     native invoke); {@code $LATEST}, a revision number, an alias or a traffic tag otherwise
   * @throws Failure.FunctionNotFound when the function or what the qualifier names does not exist
   */
  Target route(String function, String qualifier);

  /**
   * @param pool what to acquire from the activator: the function's name for its latest revision,
   *     {@code NAME@N} for an older one
   */
  record Target(String pool) {}

  /** Every call to the latest revision; a qualifier other than {@code $LATEST} names nothing. */
  Routing LATEST_ONLY = (function, qualifier) -> {
    if (qualifier != null && !qualifier.equals("$LATEST") && !qualifier.equals("latest")) {
      throw new Failure.FunctionNotFound(function + ":" + qualifier);
    }
    return new Target(function);
  };

  /** {@code NAME:QUALIFIER} split at its colon: a function's name has none. */
  static String functionOf(String target) {
    int colon = target.indexOf(':');
    return colon < 0 ? target : target.substring(0, colon);
  }

  /** The qualifier of {@code NAME:QUALIFIER}, or null. */
  static String qualifierOf(String target) {
    int colon = target.indexOf(':');
    return colon < 0 ? null : target.substring(colon + 1);
  }
}
