package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.util.Map;

/**
 * What an instance of a function gets to call the platform back as AWS's SDKs do: its own
 * credentials and the endpoint ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_ENDPOINT_URL}, …), added to its environment when it starts (never to a warm pool
 * runner's before it is given the function, an AOT training run's or a snapshot's). Declared here,
 * where instances start; the server issues the keys.
 */
@FunctionalInterface
public interface FunctionCredentials {
  /** Nothing: instances call the platform with whatever their own code brings. */
  FunctionCredentials NONE = d -> Map.of();

  /** The variables for an instance of {@code d}; called once per instance start, off the event loops. */
  Map<String, String> environment(Deployment d);
}
