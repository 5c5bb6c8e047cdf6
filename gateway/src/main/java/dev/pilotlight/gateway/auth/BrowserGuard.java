package dev.pilotlight.gateway.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keeps web pages from driving the APIs (pure; decides from headers only). A browser attaches
 * {@code Origin} to cross-site requests and cannot forge it, and a DNS-rebinding page reaches the
 * daemon under the attacker's host name; so an API request is refused when
 * <ul>
 *   <li>its {@code Host} is a name other than {@code localhost} and the configured ones (an IP
 *       literal is accepted: rebinding needs a name), or</li>
 *   <li>it carries an {@code Origin} (or {@code Sec-Fetch-Site: cross-site}) that is not the daemon's
 *       own, i.e. not the request's own {@code Host} nor a configured origin.</li>
 * </ul>
 * Clients that are not browsers (the CLI, AWS's SDKs and CLI, curl) send no {@code Origin} and
 * are unaffected.
 */
public final class BrowserGuard {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final Set<String> allowedHosts;
  private final Set<String> allowedOrigins;

  /**
   * @param allowedHosts host names the APIs answer besides {@code localhost} and IP literals (lower case, no port)
   * @param allowedOrigins origins ({@code scheme://host[:port]}) allowed besides the daemon's own
   */
  public BrowserGuard(Set<String> allowedHosts, Set<String> allowedOrigins) {
    this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    this.allowedOrigins = allowedOrigins.stream().map(BrowserGuard::normalOrigin).collect(Collectors.toUnmodifiableSet());
  }

  /** Why a request with these headers must be refused, or empty when it may go on. */
  public Optional<String> refusal(String host, String origin, String secFetchSite) {
    String hostName = hostName(host);
    if (hostName == null) {
      return Optional.of("the request has no usable Host header");
    }
    if (!hostName.equals("localhost") && !isIpLiteral(hostName) && !allowedHosts.contains(hostName)) {
      return Optional.of("Host '" + hostName + "' is not a name this daemon answers to (add it with serve --allowed-host)");
    }
    if (origin != null) {
      String o = normalOrigin(origin);
      boolean own = o.equals(normalOrigin("http://" + host)) || o.equals(normalOrigin("https://" + host));
      if (!own && !allowedOrigins.contains(o)) {
        return Optional.of("cross-origin request refused: Origin '" + origin + "' is not this daemon's (add it with serve --allowed-origin)");
      }
    } else if ("cross-site".equalsIgnoreCase(secFetchSite)) {
      return Optional.of("cross-site request refused (Sec-Fetch-Site: cross-site)");
    }
    return Optional.empty();
  }

  /** The host of a {@code Host} header without its port, lower case; null when unusable. */
  static String hostName(String host) {
    if (host == null || host.isBlank()) {
      return null;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static boolean isIpLiteral(String name) {
    return name.startsWith("[") || IPV4.matcher(name).matches();
  }

  private static String normalOrigin(String origin) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    try {
      URI u = new URI(o);
      if (u.getScheme() != null && u.getHost() != null) {
        int port = u.getPort();
        boolean defaultPort = port < 0 || (port == 80 && u.getScheme().equals("http")) || (port == 443 && u.getScheme().equals("https"));
        return u.getScheme() + "://" + u.getHost() + (defaultPort ? "" : ":" + port);
      }
    } catch (URISyntaxException e) {
      // compared as written
    }
    return o;
  }
}
