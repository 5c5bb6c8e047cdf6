package dev.pilotlight.activation;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Instance;
import java.util.concurrent.CompletableFuture;

/** Starts instances; the executor provides it. The future completes when the instance is ready. */
@FunctionalInterface
public interface InstanceLauncher {
  CompletableFuture<Instance> launch(Deployment deployment);
}
