package dev.pilotlight.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs a handler once in a plain process, loaded and invoked exactly as the runner does: the
 * baseline of the cold-start benchmark and a quick way to try a function.
 *
 * <pre>java -cp pilotlight-java-runner.jar dev.pilotlight.runner.InvokeOnce TASK_ROOT HANDLER EVENT_JSON</pre>
 *
 * <p>{@code EVENT_JSON} {@code -} reads the event from stdin. Prints the result (or Lambda's error
 * document) as the last line of stdout; exits 0 on success, 1 on any failure.
 */
public final class InvokeOnce {
  /** The deadline handed to the function: Lambda's maximum timeout, 15 minutes. */
  private static final long DEADLINE_MS = 15 * 60 * 1000;

  private InvokeOnce() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: java -cp pilotlight-java-runner.jar dev.pilotlight.runner.InvokeOnce"
          + " <taskRoot> <handler> <eventJson|->");
      System.exit(1);
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("LAMBDA_TASK_ROOT", args[0]);
    env.put("_HANDLER", args[1]);
    byte[] event = args[2].equals("-") ? System.in.readAllBytes() : args[2].getBytes(StandardCharsets.UTF_8);

    FunctionHandler.Outcome outcome;
    try {
      RunnerConfig config = RunnerConfig.fromEnv(env);
      FunctionHandler handler = HandlerLoader.load(config);
      outcome = handler.run(invocation(config, event));
    } catch (HandlerInitException e) {
      outcome = FunctionHandler.Outcome.failure(e.getCause());
    } catch (IllegalArgumentException e) {
      outcome = FunctionHandler.Outcome.failure(e);
    }
    PrintStream out = System.out;
    out.write(outcome.body());
    out.write('\n');
    out.flush();
    System.exit(outcome.failed() ? 1 : 0);
  }

  private static Invocation invocation(RunnerConfig config, byte[] event) {
    String region = env("AWS_REGION", "us-east-1");
    String arn = "arn:aws:lambda:" + region + ":000000000000:function:" + config.functionName();
    String traceId = System.getenv("_X_AMZN_TRACE_ID");
    return new Invocation(
        randomUuid(), System.currentTimeMillis() + DEADLINE_MS, arn, traceId, null, null, event);
  }

  /** A version-4 UUID without SecureRandom, whose seeding would cost start-up time. */
  private static String randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  private static String env(String key, String defaultValue) {
    String value = System.getenv(key);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
