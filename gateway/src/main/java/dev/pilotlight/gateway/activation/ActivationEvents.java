package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Instance;

/** Lifecycle events the activator reports (to logs and metrics). */
public interface ActivationEvents {
  void instanceReady(Instance instance);

  void instanceFailedToStart(String function, Throwable error);

  void instanceGone(Instance instance, String reason);

  /** An idle instance is being stopped to free memory for another function's launch. */
  default void instanceEvicted(Instance instance, String forFunction) {}

  ActivationEvents NONE = new ActivationEvents() {
    @Override
    public void instanceReady(Instance instance) {}

    @Override
    public void instanceFailedToStart(String function, Throwable error) {}

    @Override
    public void instanceGone(Instance instance, String reason) {}
  };
}
