package dev.pilotlight.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Loads the function, then serves it with {@code concurrency} poll loops until the Runtime API goes
 * away. Returns the process exit status instead of exiting, so tests can run it in-process.
 */
final class Runner {
  /** The function could not be initialised (reported to {@code /init/error} first). */
  static final int EXIT_INIT_FAILED = 1;
  /** The Runtime API connection was lost. */
  static final int EXIT_CONNECTION_LOST = 2;

  private Runner() {}

  /**
   * @throws IllegalArgumentException if {@code config.runtimeApi()} is missing or malformed
   */
  static int run(RunnerConfig config) {
    if (config.runtimeApi() == null) {
      throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API is not set (expected: host:port)");
    }
    RuntimeApiClient first = new RuntimeApiClient(config.runtimeApi());
    // Connected before the function loads, so the platform accepts the connection meanwhile; the
    // first GET /next (which says init is done) still comes after.
    first.connect();
    FunctionHandler handler;
    try {
      handler = HandlerLoader.load(config);
    } catch (HandlerInitException e) {
      reportInitFailure(first, e);
      return EXIT_INIT_FAILED;
    }
    if (config.concurrency() == 1) {
      // The one loop runs on this thread: starting a thread for it would put one more wake-up (the
      // new thread's first run, often on another CPU) between the function's load and its first
      // poll, on every cold start.
      Thread self = Thread.currentThread();
      ClassLoader before = self.getContextClassLoader();
      self.setContextClassLoader(handler.classLoader());
      IOException cause;
      try {
        cause = new PollLoop(first, handler).runUntilConnectionLost();
      } finally {
        self.setContextClassLoader(before);
      }
      System.err.println("pilotlight-java-runner: lost the Runtime API connection: " + cause);
      return EXIT_CONNECTION_LOST;
    }
    LossSignal lost = new LossSignal();
    for (int i = 0; i < config.concurrency(); i++) {
      RuntimeApiClient api = i == 0 ? first : new RuntimeApiClient(config.runtimeApi());
      Thread thread = new Thread(new LoopTask(new PollLoop(api, handler), lost), "pilotlight-runtime-" + i);
      thread.setDaemon(true); // the process lives as long as the Runtime API, not the loops
      thread.setContextClassLoader(handler.classLoader());
      thread.start();
    }
    IOException cause = lost.await();
    System.err.println("pilotlight-java-runner: lost the Runtime API connection: " + cause);
    return EXIT_CONNECTION_LOST;
  }

  private static void reportInitFailure(RuntimeApiClient api, HandlerInitException e) {
    byte[] body = ErrorReport.json(e.getCause());
    System.err.println("pilotlight-java-runner: init failed: " + new String(body, StandardCharsets.UTF_8));
    try {
      int status = api.failInit(e.errorType(), body);
      if (status != 202) {
        System.err.println("pilotlight-java-runner: the Runtime API answered " + status + " to /init/error");
      }
    } catch (IOException io) {
      System.err.println("pilotlight-java-runner: could not report the init error: " + io);
    } finally {
      api.close();
    }
  }

  private static final class LoopTask implements Runnable {
    private final PollLoop loop;
    private final LossSignal lost;

    LoopTask(PollLoop loop, LossSignal lost) {
      this.loop = loop;
      this.lost = lost;
    }

    @Override
    public void run() {
      lost.signal(loop.runUntilConnectionLost());
    }
  }

  /** The first loop to lose its connection decides: one lost loop means the API is gone. */
  private static final class LossSignal {
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile IOException cause;

    void signal(IOException e) {
      if (cause == null) {
        cause = e;
      }
      latch.countDown();
    }

    IOException await() {
      boolean interrupted = false;
      while (true) {
        try {
          latch.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return cause;
    }
  }
}
