package dev.pilotlight.gateway;

/**
 * The gateway's settings.
 *
 * @param host address to listen on (default 127.0.0.1; use 0.0.0.0 to serve other machines)
 * @param port port for everything: function URLs, APIs, health, metrics (default 8080; 0 picks a free one)
 * @param maxRequestBytes largest request body accepted at all, i.e. the largest package upload
 *     (default 51 MB: the 50 MB package limit plus room for the manifest)
 */
public record GatewayConfig(String host, int port, int maxRequestBytes) {
  public static final int DEFAULT_PORT = 8080;

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
  }

  public static GatewayConfig defaults() {
    return new GatewayConfig("127.0.0.1", DEFAULT_PORT, 51 * 1024 * 1024);
  }
}
