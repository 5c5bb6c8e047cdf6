package dev.pilotlight.gateway;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;

/**
 * The gateway's settings.
 *
 * @param host address to listen on (default 127.0.0.1; use 0.0.0.0 to serve other machines)
 * @param port port for everything: function URLs, APIs, health, metrics (default 8080; 0 picks a free one)
 * @param maxRequestBytes largest request body the daemon aggregates, i.e. the largest package upload
 *     (default ~68 MB: the 50 MB package limit as base64, as a Lambda CreateFunction carries it, plus 1 MB); a body streamed to an
 *     {@code http} app (HTTP/1.1, see {@link StreamedRequests}) is not held, so not limited here
 * @param tls the server's TLS context for HTTPS, or null for plain HTTP
 * @param idleTimeout a connection with no request in progress — idle between requests, or still
 *     sending a request's headers — is closed after this long (slow-header clients included)
 * @param bodyTimeout a request whose body has not fully arrived this long after its headers is cut off
 */
public record GatewayConfig(String host, int port, int maxRequestBytes, SslContext tls, Duration idleTimeout, Duration bodyTimeout) {
  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofMinutes(5);

  /** Plain HTTP with the default timeouts. */
  public GatewayConfig(String host, int port, int maxRequestBytes) {
    this(host, port, maxRequestBytes, null, DEFAULT_IDLE_TIMEOUT, DEFAULT_BODY_TIMEOUT);
  }

  public GatewayConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: empty (expected an address such as 127.0.0.1)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException("maxRequestBytes: " + maxRequestBytes + " (expected: >= 1024)");
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero() || bodyTimeout == null || bodyTimeout.isNegative()
        || bodyTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout " + idleTimeout + ", bodyTimeout " + bodyTimeout + " (expected: both positive)");
    }
  }

  public static GatewayConfig defaults() {
    return new GatewayConfig("127.0.0.1", DEFAULT_PORT, 51 * 1024 * 1024);
  }
}
