package dev.pilotlight.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Instance;
import java.util.concurrent.CompletableFuture;

/** Starts instances; the executor provides it. The future completes when the instance is ready. */
@FunctionalInterface
public interface InstanceLauncher {
  /**
   * @param background the instance adds capacity beside instances that serve already, or is started
   *     before a call that has not come (a pre-warm): no request depends on it alone, so while it
   *     boots it yields the CPU to instances that are serving. False for the one launch that
   *     requests wait on with nothing else up or starting.
   * @param version what the instance is told it runs ({@code AWS_LAMBDA_FUNCTION_VERSION}):
   *     {@code $LATEST} in a function's own pool, the revision number in a pinned one
   */
  CompletableFuture<Instance> launch(Deployment deployment, boolean background, String version);
}
