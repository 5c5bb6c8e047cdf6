package dev.pilotlight.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A request's function URL target: {@code {name}.localhost} or {@code /fn/{name}/…}; {@code path}
 * and {@code rawQuery} (without {@code ?}) are what the function sees. Read from the head alone,
 * so a request can be routed before its body has arrived.
 */
record FunctionRoute(String name, String path, String rawQuery) {
  private static final Pattern FUNCTION_HOST = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})\\.localhost(:\\d+)?");

  /** The function {@code head} calls through its URL; empty for any other route. */
  static Optional<FunctionRoute> of(HttpRequest head) {
    String uri = head.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String rawQuery = q < 0 ? "" : uri.substring(q + 1);
    var hostMatch = FUNCTION_HOST.matcher(head.headers().get(HttpHeaderNames.HOST, "").toLowerCase(Locale.ROOT));
    if (hostMatch.matches()) {
      return Optional.of(new FunctionRoute(hostMatch.group(1), path, rawQuery));
    }
    if (path.startsWith("/fn/")) {
      String rest = path.substring(4);
      int slash = rest.indexOf('/');
      return Optional.of(new FunctionRoute(slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? "/" : rest.substring(slash), rawQuery));
    }
    return Optional.empty();
  }
}
