package dev.pilotlight.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the daemon says at start when it is reachable in ways an operator should know about (pure). */
final class ExposureWarnings {
  private ExposureWarnings() {}

  /** The warnings for listening on {@code host} with {@code security}; empty when there is nothing to say. */
  static List<String> of(String host, DaemonConfig.Security security) {
    List<String> out = new ArrayList<>();
    boolean loopback = isLoopback(host);
    if (!security.authRequired()) {
      out.add("WARNING: authentication is OFF (--insecure-no-auth): anyone who can reach " + host
          + " can deploy and run code as this daemon's user" + (loopback ? " (every local user and process)." : "."));
    }
    if (!loopback && !security.tls()) {
      out.add("WARNING: listening on " + host + " without TLS: tokens, signatures' payloads and function traffic cross the network "
          + "in clear text; give --tls-cert and --tls-key, or put a TLS proxy in front.");
    }
    return out;
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
  }
}
