package dev.pilotlight.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaders;

/** How a proxied request ended: exactly one of the outcome methods is called, once. */
public interface ProxyOutcome {
  /** The head of the app's answer, before it is sent on: headers may be added. */
  default void responseHead(HttpHeaders headers) {}

  /** The whole response was relayed. */
  void completed(int status);

  /**
   * The request failed; {@code responseStarted} tells whether the client already got headers
   * (then the proxy has closed the client connection and nothing more can be sent).
   */
  void failed(Throwable cause, boolean responseStarted);

  /** The instance did not finish within the timeout. */
  void timedOut(boolean responseStarted);

  /** The client went away before its whole request was sent on; the instance is not at fault. */
  void clientClosed();
}
