package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Instance;

/** Lifecycle events the activator reports (to logs and metrics). */
public interface ActivationEvents {
  void instanceReady(Instance instance);

  void instanceFailedToStart(String function, Throwable error);

  void instanceGone(Instance instance, String reason);

  ActivationEvents NONE = new ActivationEvents() {
    @Override
    public void instanceReady(Instance instance) {}

    @Override
    public void instanceFailedToStart(String function, Throwable error) {}

    @Override
    public void instanceGone(Instance instance, String reason) {}
  };
}
