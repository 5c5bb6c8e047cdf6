package dev.pilotlight.gateway;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The browser console's files, served at {@code /console/} from this jar (read once, at start): the page, its script
 * and style, and uPlot from its webjar under {@code /console/vendor/}. A fixed list: no path is ever mapped to a file
 * by its name, so nothing else can be read through here. They hold no data and need no credentials; every call they
 * make to {@code /api/v1} carries the token the user signs in with. The headers keep the page from being framed, from
 * running any script but its own, and from talking to any origin but the daemon's.
 */
final class ConsoleAssets {
  static final String PREFIX = "/console/";
  /** script and style only from the daemon; no inline script; API calls only to the daemon; never in a frame. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/";

  record Asset(byte[] bytes, String contentType) {}

  private final Map<String, Asset> assets = new LinkedHashMap<>();

  ConsoleAssets() {
    add("", "console/index.html", "text/html; charset=utf-8");
    add("app.js", "console/app.js", "text/javascript; charset=utf-8");
    add("app.css", "console/app.css", "text/css; charset=utf-8");
    String uplot = UPLOT + uplotVersion() + "/dist/";
    add("vendor/uPlot.iife.min.js", uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8");
    add("vendor/uPlot.min.css", uplot + "uPlot.min.css", "text/css; charset=utf-8");
  }

  /** The webjar's version, from its pom.properties (pinned in the parent pom). */
  private static String uplotVersion() {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the uplot webjar is not on the class path");
      }
      var p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void add(String path, String resource, String contentType) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("console asset missing from the jar: " + resource);
      }
      assets.put(path, new Asset(in.readAllBytes(), contentType));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The answer for {@code GET} or {@code HEAD} of {@code path} ({@code /console} or under {@code /console/}). */
  FullHttpResponse answer(HttpMethod method, String path) {
    if (path.equals("/console")) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY);
      r.headers().set(HttpHeaderNames.LOCATION, PREFIX);
      return secured(r);
    }
    Asset a = assets.get(path.substring(PREFIX.length()));
    if (a == null) {
      FullHttpResponse r = ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound", "message", "no console file " + path));
      return secured(r);
    }
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      FullHttpResponse r = ErrorResponses.json(HttpResponseStatus.METHOD_NOT_ALLOWED, Map.of("error", "MethodNotAllowed",
          "message", method + " " + path + " (the console's files are read with GET)"));
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return secured(r);
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        method.equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(a.bytes()));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
    // the page itself is always checked again (a new daemon may bring a new console); its files are small
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    return secured(r);
  }

  private static FullHttpResponse secured(FullHttpResponse r) {
    r.headers().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    r.headers().set("X-Content-Type-Options", "nosniff");
    r.headers().set("X-Frame-Options", "DENY");
    r.headers().set("Referrer-Policy", "no-referrer");
    return r;
  }
}
