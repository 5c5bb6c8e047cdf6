package dev.pilotlight.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * What a function is told about how the client reached the gateway, the same for an http app's
 * {@code X-Forwarded-*} headers and a function URL event's {@code x-forwarded-*} ones.
 */
public final class Forwarded {
  private Forwarded() {}

  private static final AttributeKey<String> SCHEME = AttributeKey.valueOf(Forwarded.class, "scheme");
  private static final AttributeKey<String> CLIENT_IP = AttributeKey.valueOf(Forwarded.class, "clientIp");

  /**
   * The address the client's connection came from, as text ({@code 203.0.113.7}, {@code ::1}); for
   * an HTTP/2 stream, its connection's. Formatted once per connection and kept on it (formatting an
   * address is not free, and a connection's peer does not change).
   */
  public static String clientIp(Channel client) {
    Channel connection = client.parent() != null && !(client.parent() instanceof ServerChannel) ? client.parent() : client;
    Attribute<String> known = connection.attr(CLIENT_IP);
    String ip = known.get();
    if (ip == null) {
      ip = connection.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "127.0.0.1";
      known.set(ip);
    }
    return ip;
  }

  /**
   * {@code https} when the client's connection came over TLS (the channel's pipeline, or for an
   * HTTP/2 stream its connection's, has the TLS handler), else {@code http}: for the links and
   * redirects a function makes. Found once per channel and kept on it (a connection's TLS handler
   * is put there when it is accepted, before any request), not by walking the pipelines each call.
   */
  public static String scheme(Channel client) {
    Attribute<String> known = client.attr(SCHEME);
    String scheme = known.get();
    if (scheme == null) {
      scheme = client.pipeline().get(SslHandler.class) != null ? "https" : client.parent() != null ? scheme(client.parent()) : "http";
      known.set(scheme);
    }
    return scheme;
  }

  /**
   * The client's address after the chain it sent ({@code sent}, null if none), in one line
   * ({@code 10.1.2.3, 127.0.0.1}), as nginx's {@code $proxy_add_x_forwarded_for} and Envoy write
   * it: a function that reads only the header's first line still sees the address the gateway saw, last.
   */
  public static String forwardedFor(String sent, String clientIp) {
    return sent == null || sent.isBlank() ? clientIp : sent + ", " + clientIp;
  }
}
