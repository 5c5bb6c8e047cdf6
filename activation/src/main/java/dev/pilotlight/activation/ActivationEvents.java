package dev.pilotlight.activation;

import dev.pilotlight.model.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Lifecycle events the activator reports (to logs and metrics); a listener overrides those it wants. */
public interface ActivationEvents {
  default void instanceReady(Instance instance) {}

  default void instanceFailedToStart(String function, Throwable error) {}

  default void instanceGone(Instance instance, String reason) {}

  /** An idle instance is being stopped to free memory for another function's launch. */
  default void instanceEvicted(Instance instance, String forFunction) {}

  /**
   * The function's demand changed: {@code requests} in flight and queued, which need {@code
   * instances} = ceil(requests / concurrency), 0 once the last request ends (or the last waiter
   * gives up). The one way demand reaches the autoscaler (its {@code DemandMeter}: the scaling
   * loop's averages and the keep-alive rhythm's busy and idle spells). Called under the pool's lock,
   * in order: keep it short and free of I/O.
   */
  default void functionDemand(String function, int requests, int instances, Instant now) {}

  /**
   * An instance was up with nothing to do for {@code idle}, reported when that ends (a request, or
   * its exit), for cost accounting. {@code prewarm}: it was started by the keep-alive policy and had
   * not served yet. Under the pool's lock.
   */
  default void instanceIdle(Instance instance, Duration idle, boolean prewarm) {}

  /** The keep-alive policy is starting an instance of {@code function} before an expected call. */
  default void prewarmStarted(String function) {}

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

      @Override
      public void functionDemand(String function, int requests, int instances, Instant now) {
        list.forEach(e -> e.functionDemand(function, requests, instances, now));
      }

      @Override
      public void instanceIdle(Instance instance, Duration idle, boolean prewarm) {
        list.forEach(e -> e.instanceIdle(instance, idle, prewarm));
      }

      @Override
      public void prewarmStarted(String function) {
        list.forEach(e -> e.prewarmStarted(function));
      }
    };
  }

  ActivationEvents NONE = new ActivationEvents() {};
}
