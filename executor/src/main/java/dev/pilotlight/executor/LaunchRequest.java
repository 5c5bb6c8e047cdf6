package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.time.Duration;
import java.util.List;

/**
 * One cold start as the rungs see it.
 *
 * @param id the instance's id
 * @param deployment what to start
 * @param initTimeout how long the instance has to become ready
 * @param command the plain launch's command line: for a Lambda-style runtime LambdaCommands', for
 *     {@code http} the app's command through {@code /bin/sh -c exec}
 * @param background no request depends on this instance alone: a new process boots at the lowest
 *     CPU weight until it is ready (see Cgroups.Group#yieldCpu)
 * @param version {@code AWS_LAMBDA_FUNCTION_VERSION}: {@code $LATEST}, or a pinned revision's number
 */
record LaunchRequest(String id, Deployment deployment, Duration initTimeout, List<String> command, boolean background, String version) {
  /**
   * The request for a new instance {@code id} of {@code d}.
   *
   * @throws dev.pilotlight.model.Failure.InstanceFailed when {@code d}'s runtime cannot be started
   *     here (computed before any runner is taken or port opened, so nothing is wasted on it)
   */
  static LaunchRequest of(String id, Deployment d, Duration initTimeout, ExecutorConfig config, boolean background, String version) {
    // exec replaces the shell, so signals reach the app itself.
    List<String> command = d.spec().runtime().lambdaStyle()
        ? LambdaCommands.command(d, config)
        : List.of("/bin/sh", "-c", "exec " + d.spec().command());
    return new LaunchRequest(id, d, initTimeout, command, background, version);
  }

  boolean lambdaStyle() {
    return deployment.spec().runtime().lambdaStyle();
  }
}
