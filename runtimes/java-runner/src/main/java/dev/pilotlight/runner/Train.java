package dev.pilotlight.runner;

import java.util.HashMap;
import java.util.Map;

/**
 * The training run of an AOT cache (JDK 25, JEP 483/514): run with {@code -XX:AOTCacheOutput=FILE}
 * by the platform at deploy time, in the background. It does what every cold start does before the
 * first event, and nothing more: the runner's own warm-up and, given a task root and handler, the
 * function's init (loading its class and running its constructor), which a cold start runs anyway.
 * It never invokes the handler, so training has no effects beyond init's.
 *
 * <p>{@code java -XX:AOTCacheOutput=F -cp pilotlight-java-runner.jar dev.pilotlight.runner.Train [taskRoot handler]}
 */
public final class Train {
  private Train() {}

  public static void main(String[] args) {
    PoolStandby.warmUp();
    if (args.length == 2) {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("LAMBDA_TASK_ROOT", args[0]);
      env.put("_HANDLER", args[1]);
      try {
        HandlerLoader.load(RunnerConfig.fromEnv(env));
      } catch (HandlerInitException | RuntimeException e) {
        // A function whose init fails still gets a cache of the runner's part; the cold start reports the error.
        System.err.println("pilotlight-java-runner: training: function init failed: " + e.getCause());
      }
    } else if (args.length != 0) {
      System.err.println("usage: java -XX:AOTCacheOutput=FILE -cp pilotlight-java-runner.jar dev.pilotlight.runner.Train [taskRoot handler]");
      System.exit(64);
    }
    System.exit(0);
  }
}
