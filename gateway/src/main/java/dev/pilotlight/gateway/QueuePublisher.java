package dev.pilotlight.gateway;

import java.util.Map;

/**
 * Publishes a destination's message to a message queue (a RabbitMQ queue named by its URI, see
 * {@link dev.pilotlight.model.Destination.Queue}), for the dispatcher's destinations. Blocking.
 */
@FunctionalInterface
public interface QueuePublisher {
  /** A daemon without a publisher: every queue destination fails, and its event is kept as a failure. */
  QueuePublisher NONE = (uri, body, headers) -> {
    throw new IllegalStateException("this daemon publishes to no queue");
  };

  /**
   * Returns once the broker has taken the message durably (a publisher confirm for a persistent
   * message); throws with the reason otherwise (unreachable, refused, no such queue, no confirm in time).
   *
   * @param headers message headers (the dead-letter attributes, {@code RequestID} …), may be empty
   */
  void publish(String uri, byte[] body, Map<String, String> headers) throws Exception;
}
