package dev.pilotlight.runner;

/**
 * Entry point of an instance of the {@code java} runtime: {@code java -jar
 * pilotlight-java-runner.jar}, configured by the environment ({@link RunnerConfig}).
 *
 * <p>Exit status: 1 when the function cannot be initialised or the environment is invalid, 2 when
 * the Runtime API connection is lost.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = Runner.run(RunnerConfig.fromEnv(System.getenv()));
    } catch (IllegalArgumentException e) {
      System.err.println("pilotlight-java-runner: " + e.getMessage());
      status = Runner.EXIT_INIT_FAILED;
    }
    System.exit(status);
  }
}
