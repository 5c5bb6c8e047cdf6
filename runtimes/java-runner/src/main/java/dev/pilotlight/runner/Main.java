package dev.pilotlight.runner;

import java.io.IOException;

/**
 * Entry point of an instance of the {@code java} runtime: {@code java -jar
 * pilotlight-java-runner.jar}, configured by the environment ({@link RunnerConfig}).
 *
 * <p>With {@code PILOTLIGHT_POOL=1} it first waits, warmed up, for the platform to send it a
 * function ({@link PoolStandby}).
 *
 * <p>Exit status: 1 when the function cannot be initialised or the environment is invalid, 2 when
 * the Runtime API connection is lost.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int status;
    OutputCounts.install();
    try {
      if (PoolStandby.requested(System.getenv())) {
        PoolStandby.awaitFunction(System.in);
      }
      status = Runner.run(RunnerConfig.fromEnv(System.getenv()));
    } catch (IOException e) {
      System.err.println("pilotlight-java-runner: pool standby failed: " + e.getMessage());
      status = Runner.EXIT_INIT_FAILED;
    } catch (IllegalArgumentException e) {
      System.err.println("pilotlight-java-runner: " + e.getMessage());
      status = Runner.EXIT_INIT_FAILED;
    }
    System.exit(status);
  }
}
