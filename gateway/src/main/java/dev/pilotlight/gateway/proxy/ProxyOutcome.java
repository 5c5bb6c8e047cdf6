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

  /**
   * The instance did not finish within the timeout. {@code instanceAtFault} says whether the
   * instance looks hung: it was sent the whole request, sent back nothing for it, and answered no
   * other request since this one went out. False when the client held the exchange up (its body
   * had not all arrived) or the app was answering (this response had started, or others came
   * back meanwhile): the instance is then no reason to stop.
   */
  void timedOut(boolean responseStarted, boolean instanceAtFault);

  /** The client went away before its whole request was sent on; the instance is not at fault. */
  void clientClosed();
}
