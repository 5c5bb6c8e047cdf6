package dev.pilotlight.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A request's function URL target: {@code {name}.localhost} or {@code /fn/{name}/…}, or
 * {@code /fn/{name}@{qualifier}/…} for one revision (a number, {@code latest}, an alias or a traffic
 * tag); {@code path} and {@code rawQuery} (without {@code ?}) are what the function sees. Read from
 * the head alone, so a request can be routed before its body has arrived.
 *
 * @param qualifier null when the call follows the function's traffic split
 */
record FunctionRoute(String name, String qualifier, String path, String rawQuery) {
  /**
   * Whether the name and qualifier are well formed. A route that is not names no function and is
   * answered 404 before anything else: its name must never reach the invoker, which reads
   * {@code NAME:QUALIFIER}, past a URL auth check made for another name.
   */
  boolean valid() {
    return validName(name) && (qualifier == null || validQualifier(qualifier));
  }

  /** {@code [a-z0-9][a-z0-9-]{0,62}}, checked without a regex: every function URL call passes here. */
  private static boolean validName(String s) {
    int n = s.length();
    if (n == 0 || n > 63 || s.charAt(0) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** {@code [A-Za-z0-9_$-]{1,128}}: a revision number, {@code latest}, {@code $LATEST}, an alias or a tag. */
  private static boolean validQualifier(String s) {
    int n = s.length();
    if (n == 0 || n > 128) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** What the invoker takes: the name, or {@code NAME:QUALIFIER} (see Routing). */
  String target() {
    return qualifier == null ? name : name + ":" + qualifier;
  }

  private static final Pattern FUNCTION_HOST = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})\\.localhost(:\\d+)?");

  /** The function {@code head} calls through its URL; empty for any other route. */
  static Optional<FunctionRoute> of(HttpRequest head) {
    String uri = head.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String rawQuery = q < 0 ? "" : uri.substring(q + 1);
    String host = head.headers().get(HttpHeaderNames.HOST, "");
    // most calls name an address (127.0.0.1:8080) or another host: no matcher for them
    if (host.regionMatches(true, host.indexOf('.') + 1, "localhost", 0, 9)) {
      var hostMatch = FUNCTION_HOST.matcher(host.toLowerCase(Locale.ROOT));
      if (hostMatch.matches()) {
        return Optional.of(new FunctionRoute(hostMatch.group(1), null, path, rawQuery));
      }
    }
    if (path.startsWith("/fn/")) {
      String rest = path.substring(4);
      int slash = rest.indexOf('/');
      String first = slash < 0 ? rest : rest.substring(0, slash);
      int at = first.indexOf('@');
      String name = at < 0 ? first : first.substring(0, at);
      String qualifier = at < 0 ? null : first.substring(at + 1);
      return Optional.of(new FunctionRoute(name, qualifier, slash < 0 ? "/" : rest.substring(slash), rawQuery));
    }
    return Optional.empty();
  }
}
