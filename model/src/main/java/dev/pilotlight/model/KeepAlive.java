package dev.pilotlight.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How long an idle function keeps an instance up, and whether one is started before a call is
 * expected: the {@code keepAlive} manifest key and the daemon's {@code --keep-alive} flag.
 */
public enum KeepAlive {
  /**
   * Learned per function from the idle times between its calls (the hybrid histogram policy of
   * "Serverless in the Wild", USENIX ATC 2020): the instance stops early when the next call is
   * not expected soon and is started again shortly before it is.
   */
  HISTOGRAM("histogram"),
  /** An idle instance stops after the function's {@code idleTimeout}; nothing is pre-warmed. */
  FIXED("fixed"),
  /** An instance stops as soon as it is idle; every call after an idle spell is a cold start. */
  OFF("off");

  private final String id;

  KeepAlive(String id) {
    this.id = id;
  }

  /** The name used in manifests, flags and JSON. */
  public String id() {
    return id;
  }

  /** Parses {@code histogram}, {@code fixed} or {@code off} (any case); {@code key} names the setting in the error. */
  public static KeepAlive parse(String key, String value) {
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      for (KeepAlive k : values()) {
        if (k.id.equals(v)) {
          return k;
        }
      }
    }
    throw new Failure.InvalidInput(key + ": '" + value + "' (expected one of: " + accepted() + ")");
  }

  /** {@code histogram, fixed, off}. */
  public static String accepted() {
    return Arrays.stream(values()).map(KeepAlive::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
