package dev.pilotlight.gateway.activation;

import dev.pilotlight.model.Instance;
import java.util.List;

/** Lifecycle events the activator reports (to logs and metrics). */
public interface ActivationEvents {
  void instanceReady(Instance instance);

  void instanceFailedToStart(String function, Throwable error);

  void instanceGone(Instance instance, String reason);

  /** An idle instance is being stopped to free memory for another function's launch. */
  default void instanceEvicted(Instance instance, String forFunction) {}

  /** Tells every one of {@code events}, in order. */
  static ActivationEvents all(ActivationEvents... events) {
    List<ActivationEvents> list = List.of(events);
    return new ActivationEvents() {
      @Override
      public void instanceReady(Instance instance) {
        list.forEach(e -> e.instanceReady(instance));
      }

      @Override
      public void instanceFailedToStart(String function, Throwable error) {
        list.forEach(e -> e.instanceFailedToStart(function, error));
      }

      @Override
      public void instanceGone(Instance instance, String reason) {
        list.forEach(e -> e.instanceGone(instance, reason));
      }

      @Override
      public void instanceEvicted(Instance instance, String forFunction) {
        list.forEach(e -> e.instanceEvicted(instance, forFunction));
      }
    };
  }

  ActivationEvents NONE = new ActivationEvents() {
    @Override
    public void instanceReady(Instance instance) {}

    @Override
    public void instanceFailedToStart(String function, Throwable error) {}

    @Override
    public void instanceGone(Instance instance, String reason) {}
  };
}
